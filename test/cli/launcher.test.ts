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
/** Preloaded into every Node process of the command: prints its flags to stderr at exit. */
const REPORT_FLAGS = `data:text/javascript,process.on("exit",()=>process.stderr.write("flags:"+JSON.stringify(process.execArgv.filter(a=>a.startsWith("--max-semi")))+"\\n"))`

const launch = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}, signalAfterMs?: number) =>
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
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk
      })
      child.on("error", fail)
      child.on("close", (code, signal) => done({ code, signal, stdout, stderr }))
      if (signalAfterMs === undefined) child.stdin.end()
      // stdin left open: `import -` waits for input until the signal arrives.
      else setTimeout(() => child.kill("SIGTERM"), signalAfterMs)
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
    const result = await launch(["import", "-"], {}, 1500)
    // Without forwarding, the launcher would die of the signal itself (signal SIGTERM, no code)
    // and leave the CLI running. The CLI stops its work and exits 130, as when interrupted.
    expect(result.signal).toBeNull()
    expect(result.code).toBe(130)
    // Both processes ran to their exit handlers: none was left behind.
    expect(flagLines(result.stderr).sort()).toEqual(['flags:["--max-semi-space-size=4"]', "flags:[]"])
  }, 15_000)
})
