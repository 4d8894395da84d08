/**
 * Installs the pinned OpenClaw releases (and the end-to-end suite's newest one) into the cache folder (`node test/oracle/install.ts`;
 * .ci/run runs it). Each release gets a folder of its own with its dependencies, installed
 * with `--ignore-scripts` (nothing of OpenClaw runs at install). A release already there is
 * kept; a folder without its `.complete` marker (an interrupted install) is installed again.
 * Exits non-zero, naming the release, when one cannot be installed.
 */
import { spawn } from "node:child_process"
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { INSTALLED_RELEASES, installedVersion, releaseInstallDir } from "./releases.ts"

const npm = process.platform === "win32" ? "npm.cmd" : "npm"

function run(command: string, args: ReadonlyArray<string>, cwd: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4000)
    })
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${command} ${args.join(" ")} exited ${code}\n${stderr}`)),
    )
  })
}

async function install(version: string): Promise<void> {
  if (installedVersion(version) === version) {
    console.log(`openclaw@${version}: already installed in ${releaseInstallDir(version)}`)
    return
  }
  const dir = releaseInstallDir(version)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  // A private package.json so npm installs here and not into an enclosing project.
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: `openclaw-oracle-${version}`, private: true })}\n`,
  )
  const started = Date.now()
  await run(
    npm,
    ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-package-lock", `openclaw@${version}`],
    dir,
  )
  writeFileSync(join(dir, ".complete"), `${new Date().toISOString()}\n`)
  if (installedVersion(version) !== version)
    throw new Error(`openclaw@${version}: installed a different version`)
  console.log(`openclaw@${version}: installed in ${dir} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
}

const versions = process.argv.length > 2 ? process.argv.slice(2) : [...INSTALLED_RELEASES]
const results = await Promise.allSettled(versions.map(install))
let failed = false
results.forEach((result, index) => {
  if (result.status === "rejected") {
    failed = true
    console.error(`openclaw@${versions[index]}: install failed: ${String(result.reason)}`)
  }
})
if (failed) process.exit(1)
