/**
 * The OpenClaw releases our model is checked against, and where they are installed. They are
 * the authority above shared/domain.md: 2026.5.7 is the last release before the routing fix
 * (PR #80214), 2026.5.12 the first with it (its CHANGELOG lists the fix under 2026.5.9, never
 * published). Installed by `node test/oracle/install.ts` (.ci/run does it) into a cache
 * folder outside git; loaded at test time, never copied into the repository.
 */
import { existsSync, readFileSync } from "node:fs"
import { homedir } from "node:os"
import { join, resolve } from "node:path"

export const LEGACY_RELEASE = "2026.5.7"
export const FIXED_RELEASE = "2026.5.12"
export const PINNED_RELEASES = [LEGACY_RELEASE, FIXED_RELEASE] as const
export type PinnedRelease = (typeof PINNED_RELEASES)[number]
/** The newest release seen; the end-to-end suite (test/e2e/) also starts a gateway of it. */
export const LATEST_RELEASE = "2026.9.6"
/** Every release the end-to-end suite starts a real gateway of. */
export const E2E_RELEASES = [LEGACY_RELEASE, FIXED_RELEASE, LATEST_RELEASE] as const
/** What `node test/oracle/install.ts` installs: the oracle's releases and the e2e suite's. */
export const INSTALLED_RELEASES: ReadonlyArray<string> = [
  ...new Set<string>([...PINNED_RELEASES, ...E2E_RELEASES]),
]

export const OPENCLAW_CACHE_ENV = "HEARTBEAT_LEDGER_OPENCLAW_CACHE"

/**
 * `$HEARTBEAT_LEDGER_OPENCLAW_CACHE`, else `~/.cache/heartbeat-ledger/openclaw`: outside the
 * checkout, because the e2e suite installs the checkout into gateways as a linked plugin, and
 * OpenClaw's install scan walks it (three releases' dependencies inside it exceed the scan's
 * 10,000-directory limit, and the install is refused).
 */
export const openclawCacheDir = (): string => {
  const fromEnv = process.env[OPENCLAW_CACHE_ENV]?.trim()
  return fromEnv !== undefined && fromEnv !== ""
    ? resolve(fromEnv)
    : join(homedir(), ".cache", "heartbeat-ledger", "openclaw")
}

/** The folder a release is installed into (its own `node_modules`, with its dependencies). */
export const releaseInstallDir = (version: string): string => join(openclawCacheDir(), version)

/** The installed `openclaw` package folder of a release. */
export const releasePackageDir = (version: string): string =>
  join(releaseInstallDir(version), "node_modules", "openclaw")

/** The installed version of a release folder, or undefined when it is missing or incomplete. */
export const installedVersion = (version: string): string | undefined => {
  const manifest = join(releasePackageDir(version), "package.json")
  if (!existsSync(manifest) || !existsSync(join(releaseInstallDir(version), ".complete"))) return undefined
  const parsed: unknown = JSON.parse(readFileSync(manifest, "utf8"))
  return typeof parsed === "object" &&
    parsed !== null &&
    "version" in parsed &&
    typeof parsed.version === "string"
    ? parsed.version
    : undefined
}
