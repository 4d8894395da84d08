/**
 * Functions a release's chunk defines but does not export (the ACP parent-stream relay, the
 * cron session reaper): the bundler kept them module-private because only code in the same
 * chunk calls them. To call the real code rather than a copy of it, we write a sibling of the
 * installed chunk in the release's own dist/ (the cache folder, never the repository) that is
 * the chunk's text plus one `export { … }` line naming them, and import that. Its imports
 * resolve to the same modules as the original's, so its queues, wake handler and agent-event
 * bus are the release's own.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { chunkExportNames, loadOracleModule, OracleUnavailable, regionIndex } from "./load.ts"
import { releasePackageDir } from "./releases.ts"

export async function loadOracleInternals<M>(
  version: string,
  region: string,
  names: ReadonlyArray<string>,
): Promise<M> {
  // Loading the chunk the ordinary way first checks the install and picks the chunk.
  await loadOracleModule(version, region)
  const files = regionIndex(version)[region] ?? []
  const dist = join(releasePackageDir(version), "dist")
  const file = files.find((candidate) =>
    names.every((name) => readFileSync(join(dist, candidate), "utf8").includes(`function ${name}(`)),
  )
  if (file === undefined) throw new OracleUnavailable(`openclaw@${version}: ${region} defines no ${names}`)
  const text = readFileSync(join(dist, file), "utf8")
  const exported = new Set(chunkExportNames(text).values())
  const missing = names.filter((name) => !exported.has(name))
  const sibling = join(dist, file.replace(/\.js$/, `.oracle-${missing.join("-")}.js`))
  const content = `${text}\nexport { ${missing.join(", ")} };\n`
  // Written whole or not at all (an interrupted run must not leave half a module behind).
  if (!existsSync(sibling) || readFileSync(sibling, "utf8") !== content) {
    const partial = `${sibling}.${process.pid}.tmp`
    writeFileSync(partial, content)
    renameSync(partial, sibling)
  }
  const module = (await import(pathToFileURL(sibling).href)) as Record<string, unknown>
  const own = await loadOracleModule(version, region)
  const out: Record<string, unknown> = { ...own }
  for (const name of missing) out[name] = module[name]
  return out as M
}
