/**
 * The installed executable (dist/…/launcher.js, package.json `bin`): it re-runs the CLI with
 * V8's young generation capped, passes arguments, exit codes and signals through, and can be
 * told not to.
 */
import { spawn } from "node:child_process"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { NODE } from "./cli-harness.ts"

const LAUNCHER = resolve("dist/infrastructure/cli/launcher.js")
/**
 * Preloaded into every Node process of the command: prints its pid when it starts and its
 * flags when it exits, on stderr.
 */
const REPORT_FLAGS = `data:text/javascript,process.stderr.write("started:"+process.pid+":"+process.execArgv.some(a=>a.startsWith("--max-semi"))+"\\n");process.on("exit",()=>process.stderr.write("flags:"+JSON.stringify(process.execArgv.filter(a=>a.startsWith("--max-semi")))+"\\n"))`
/** The CLI's own process (the one started with the flag), once it has started. */
const cliPid = (stderr: string) => /started:(\d+):true/.exec(stderr)?.[1]

const launch = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}, signalWhenStarted = false) =>
  new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (done, fail) => {
      const child = spawn(NODE, ["--import", REPORT_FLAGS, LAUNCHER, ...args], {
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
        // stdin left open: `import -` waits for input until the signal arrives, which is sent
        // to the launcher only, once the CLI has started (and had time to load).
        if (signalWhenStarted && !signalled && cliPid(stderr) !== undefined) {
          signalled = true
          setTimeout(() => child.kill("SIGTERM"), 1000)
        }
      })
      child.on("error", fail)
      child.on("close", (code, signal) => done({ code, signal, stdout, stderr }))
      if (!signalWhenStarted) child.stdin.end()
    },
  )

const flagLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("flags:"))

describe("the heartbeat-ledger executable", () => {
  it("runs the CLI in a second Node with the young generation capped", async () => {
    const result = await launch(["--version"])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("heartbeat-ledger v")
    // The CLI's process has the flag; the launcher's own does not.
    expect(flagLines(result.stderr).sort()).toEqual(['flags:["--max-semi-space-size=4"]', "flags:[]"])
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

  it("passes a SIGTERM on to the CLI and exits as it did", async () => {
    const result = await launch(["import", "-"], {}, true)
    // Without forwarding, the launcher would die of the signal itself (signal SIGTERM, no code)
    // and leave the CLI running. The CLI stops its work and exits 130, as when interrupted (or
    // 143, killed by the signal, if it arrives before the CLI's runtime has set up its handler).
    expect(result.signal).toBeNull()
    expect([130, 128 + 15]).toContain(result.code)
    const pid = Number(cliPid(result.stderr))
    expect(pid).toBeGreaterThan(0)
    // The CLI's process is gone, not orphaned.
    expect(() => process.kill(pid, 0)).toThrow()
  }, 15_000)
})
