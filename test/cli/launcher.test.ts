/**
 * The installed executable (dist/…/launcher.js, package.json `bin`): it checks the Node it runs
 * on, then becomes the CLI with V8's young generation capped — the same process, so that
 * killing it (even with SIGKILL) leaves nothing running and nothing writing.
 */
import { execFileSync, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import { NODE, runCli, tempDir } from "./cli-harness.ts"
import { exportedLog, headOf, longImportFixture } from "./long-import.ts"

const LAUNCHER = resolve("dist/infrastructure/cli/launcher.js")
/**
 * Preloaded into every Node the command runs: prints its pid (and whether it has the flag)
 * when it starts, and its flags when it exits, on stderr.
 */
const REPORT_FLAGS = `data:text/javascript,process.stderr.write("started:"+process.pid+":"+process.execArgv.some(a=>a.startsWith("--max-semi"))+"\\n");process.on("exit",()=>process.stderr.write("flags:"+JSON.stringify(process.execArgv.filter(a=>a.startsWith("--max-semi")))+"\\n"))`
/** The CLI's own process (the one started with the flag), once it has started. */
const cliPid = (stderr: string) => /started:(\d+):true/.exec(stderr)?.[1]

interface Launched {
  readonly code: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
}

const launch = (
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv = {},
  signalWhenStarted = false,
  node = NODE,
) =>
  new Promise<Launched>((done, fail) => {
    const child = spawn(node, ["--import", REPORT_FLAGS, LAUNCHER, ...args], {
      env: { ...process.env, HEARTBEAT_LEDGER_STORE: "memory:", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    let signalled = false
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
      // stdin left open: `import -` waits for input until the signal arrives, once the CLI
      // has started (and had time to load).
      if (signalWhenStarted && !signalled && cliPid(stderr) !== undefined) {
        signalled = true
        setTimeout(() => child.kill("SIGTERM"), 1000)
      }
    })
    child.on("error", fail)
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }))
    if (!signalWhenStarted) child.stdin.end()
  })

const flagLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("flags:"))
const startedPids = (stderr: string) => [...stderr.matchAll(/started:(\d+):/g)].map((match) => match[1])

/** Is any process left in the process group `pgid`? */
const groupAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

describe("the heartbeat-ledger executable", () => {
  it("becomes the CLI, in its own process, with the young generation capped", async () => {
    const result = await launch(["--version"])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("heartbeat-ledger v")
    // One pid: started without the flag, then the same process again with it (execve).
    const pids = startedPids(result.stderr)
    expect(pids).toHaveLength(2)
    expect(new Set(pids).size).toBe(1)
    expect(cliPid(result.stderr)).toBe(pids[0])
    expect(flagLines(result.stderr)).toEqual(['flags:["--max-semi-space-size=4"]'])
  })

  it("passes the CLI's exit code through", async () => {
    const result = await launch(["audit", "--store", "nosuch://x"])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/nosuch/)
  })

  it("runs in-process when told not to re-run Node", async () => {
    const result = await launch(["--version"], { HEARTBEAT_LEDGER_NODE_FLAGS: "off" })
    expect(result.code).toBe(0)
    expect(flagLines(result.stderr)).toEqual(["flags:[]"])
  })

  for (const mode of ["execve", "child"] as const) {
    it(`a SIGTERM stops the CLI, which exits 143 (${mode})`, async () => {
      const env = mode === "child" ? { HEARTBEAT_LEDGER_LAUNCH: "child" } : {}
      const result = await launch(["import", "-"], env, true)
      // The CLI stops its work and exits 143, as interrupted by SIGTERM — or, if the signal
      // arrives before its runtime has set up its handler (a loaded machine), dies of it: the
      // same 143 to a shell (the fallback launcher reports it as 143 itself).
      expect(result.code === 143 || (mode === "execve" && result.signal === "SIGTERM")).toBe(true)
      const pid = Number(cliPid(result.stderr))
      expect(pid).toBeGreaterThan(0)
      expect(() => process.kill(pid, 0)).toThrow()
    }, 20_000)
  }
})

describe("kill -9 of the executable in the middle of an import", () => {
  const long = longImportFixture()

  for (const mode of ["execve", "child"] as const) {
    it(`leaves no process and no write behind, and a re-run completes the import (${mode})`, async () => {
      const path = join(long.dir, `killed-${mode}.db`)
      const env = mode === "child" ? { HEARTBEAT_LEDGER_LAUNCH: "child" } : {}
      // Its own process group, so that whatever it starts can be looked for by group.
      const child = spawn(NODE, [LAUNCHER, "import", long.file, "--store", `sqlite:${path}`], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "ignore", "pipe"],
        detached: true,
      })
      const pid = child.pid as number
      const closed = new Promise((done) => child.on("close", done))
      // Mid-import: some lines recorded, most not.
      while (headOf(path) < 200) await sleep(50)
      process.kill(pid, "SIGKILL")
      await closed
      // Nothing of the command may outlive it: the worker (if any) goes at once.
      for (let waited = 0; groupAlive(pid) && waited < 2000; waited += 50) await sleep(50)
      expect(groupAlive(pid)).toBe(false)
      const headAfterKill = headOf(path)
      expect(headAfterKill).toBeGreaterThan(0)
      expect(headAfterKill).toBeLessThan(long.clean.length)
      await sleep(1500)
      expect(headOf(path)).toBe(headAfterKill)
      // Resuming records the rest, and the log is the one a clean import records.
      const resumed = await runCli(["import", long.file, "--store", `sqlite:${path}`])
      expect(resumed.code).toBe(0)
      expect(resumed.stdout).toMatch(/were already recorded and skipped/)
      expect(await exportedLog(`sqlite:${path}`)).toEqual(long.clean)
    }, 120_000)
  }
})

/** A Node older than the package needs, when this machine has one (the system Node is 20). */
const oldNode = (() => {
  for (const candidate of ["/usr/bin/node", "/usr/local/bin/node"]) {
    try {
      const version = execFileSync(candidate, ["--version"], { encoding: "utf8" }).trim()
      if (Number(version.slice(1).split(".")[0]) < 22) return { path: candidate, version }
    } catch {}
  }
  return undefined
})()

describe("on an unsupported Node", () => {
  if (oldNode === undefined) console.warn("SKIP: no Node older than 22 on this machine (/usr/bin/node)")
  it.skipIf(oldNode === undefined)(
    "says which Node is needed and exits 2, before loading anything native",
    async () => {
      const dir = tempDir()
      const result = await launch(
        ["audit", "--store", `sqlite:${join(dir, "x.db")}`],
        {},
        false,
        oldNode?.path,
      )
      // Today's better-sqlite3 crashes Node 20 with a segmentation fault (exit 139).
      expect(result.code).toBe(2)
      const engines = (JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } })
        .engines
      expect(result.stderr).toContain(
        `needs Node.js ${engines.node}; this is Node.js ${oldNode?.version.slice(1)}`,
      )
      expect(result.stdout).toBe("")
    },
  )
})
