/**
 * The oracle: the real functions of an installed OpenClaw release, found by source file. The
 * package's dist/ is bundled ESM in hashed chunks; each source file's code sits in a chunk
 * between `//#region src/<path>.ts` and `//#endregion`, and the chunk's last statement exports
 * its functions under short aliases (`export { enqueueSystemEvent as a, … }`). We index the
 * regions once per release (cached beside the install), import the chunk, and hand back its
 * exports under their real names.
 *
 * Module state is OpenClaw's own: system-events keeps its queues in a process-global map
 * (`Symbol.for("openclaw.systemEvents.queues")`), which two releases loaded in one process
 * share, so a test resets it (`resetSystemEventsForTest`) before each case.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { basename, join } from "node:path"
import { pathToFileURL } from "node:url"
import { installedVersion, PINNED_RELEASES, releaseInstallDir, releasePackageDir } from "./releases.ts"

/** Region path (`src/infra/system-events.ts`) → chunk files (relative to dist/) holding it. */
type RegionIndex = Readonly<Record<string, ReadonlyArray<string>>>

const REGION_MARKER = /^\/\/#region (src\/\S+)$/gm
const INDEX_FILE = "region-index.json"

const indexes = new Map<string, RegionIndex>()

/** The region index of an installed release, built once and cached in its install folder. */
export function regionIndex(version: string): RegionIndex {
  const known = indexes.get(version)
  if (known !== undefined) return known
  const cached = join(releaseInstallDir(version), INDEX_FILE)
  if (existsSync(cached)) {
    const index = JSON.parse(readFileSync(cached, "utf8")) as RegionIndex
    indexes.set(version, index)
    return index
  }
  const dist = join(releasePackageDir(version), "dist")
  const index: Record<string, string[]> = {}
  for (const file of readdirSync(dist)) {
    if (!file.endsWith(".js")) continue
    const text = readFileSync(join(dist, file), "utf8")
    for (const match of text.matchAll(REGION_MARKER)) {
      const region = match[1] as string
      const files = index[region] ?? []
      if (!files.includes(file)) files.push(file)
      index[region] = files
    }
  }
  writeFileSync(cached, JSON.stringify(index))
  indexes.set(version, index)
  return index
}

/** The names a chunk exports: `export { realName as alias, … }` → alias → real name. */
export function chunkExportNames(chunkText: string): ReadonlyMap<string, string> {
  const statements = [...chunkText.matchAll(/^export \{([^}]*)\};?\s*$/gm)]
  const names = new Map<string, string>()
  for (const statement of statements) {
    for (const part of (statement[1] as string).split(",")) {
      const trimmed = part.trim()
      if (trimmed === "") continue
      const [real, alias] = trimmed.split(/\s+as\s+/) as [string, string | undefined]
      names.set(alias ?? real, real)
    }
  }
  return names
}

export class OracleUnavailable extends Error {}

/**
 * The chunk that holds a source file: where a region appears in several chunks (a helper
 * inlined elsewhere), the one named after the file is its own; otherwise the one that exports
 * the most names.
 */
function chunkOf(version: string, region: string): string {
  const files = regionIndex(version)[region]
  if (files === undefined || files.length === 0) {
    throw new OracleUnavailable(`openclaw@${version}: no chunk holds ${region}`)
  }
  const stem = basename(region, ".ts")
  const own = files.filter((file) => file.startsWith(`${stem}-`) || file === `${stem}.js`)
  if (own.length === 1) return own[0] as string
  const candidates = own.length > 0 ? own : files
  const dist = join(releasePackageDir(version), "dist")
  const exported = (file: string) => chunkExportNames(readFileSync(join(dist, file), "utf8")).size
  return [...candidates].sort((a, b) => exported(b) - exported(a))[0] as string
}

/** A release's module, by source path, with its exports under their real names. */
export async function loadOracleModule<M = Record<string, unknown>>(
  version: string,
  region: string,
): Promise<M> {
  if (installedVersion(version) !== version) {
    throw new OracleUnavailable(
      `openclaw@${version} is not installed in ${releaseInstallDir(version)} (run: node test/oracle/install.ts)`,
    )
  }
  const file = join(releasePackageDir(version), "dist", chunkOf(version, region))
  const names = chunkExportNames(readFileSync(file, "utf8"))
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>
  const exports: Record<string, unknown> = {}
  for (const [alias, real] of names) {
    if (alias in module) exports[real] = module[alias]
  }
  return exports as M
}

/** Where the oracle tests stand: run, skip (locally, not installed), or fail (CI). */
export type OracleSetup =
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Skip"; readonly reason: string }
  | { readonly _tag: "Fail"; readonly reason: string }

export function oracleSetup(versions: ReadonlyArray<string> = PINNED_RELEASES): OracleSetup {
  const missing = versions.filter((version) => installedVersion(version) !== version)
  if (missing.length === 0) return { _tag: "Ready" }
  const reason = `openclaw ${missing.map((v) => `@${v}`).join(", ")} not installed in ${releaseInstallDir("")} (run: node test/oracle/install.ts)`
  // CI installs the releases (.ci/run): a missing one there is a broken build, never a skip.
  return process.env.CI === "true"
    ? { _tag: "Fail", reason: `${reason}, but CI=true` }
    : { _tag: "Skip", reason }
}
