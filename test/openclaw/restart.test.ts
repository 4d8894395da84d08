/**
 * Restart: a gateway process records events and their wakes on an SQLite store, flushes, and
 * is killed (SIGKILL) before any heartbeat runs. A new process restores the pending queue and
 * the owed wake from the log, and the heartbeat that wake runs consumes the events.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect, Stream } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { createSystemEvents } from "../../infrastructure/openclaw/index.ts"

const NODE = "node_modules/.bin/node"
const FIXTURE = "test/openclaw/fixtures/gateway-process.ts"
const MAIN = "agent:ops:main"

const dir = mkdtempSync(join(tmpdir(), "hbl-restart-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Resolves once the child prints `line`; rejects if it exits first. */
const waitForLine = (child: ChildProcess, line: string) =>
  new Promise<void>((resolve, reject) => {
    let out = ""
    let err = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      if (out.split("\n").includes(line)) resolve()
    })
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString()
    })
    child.once("exit", (code) => reject(new Error(`exited with ${code} before "${line}": ${err}`)))
  })

describe("a gateway killed after flush()", () => {
  it("comes back with its queue and owed wake, and the owed wake's heartbeat consumes the events", async () => {
    const store = `sqlite:${join(dir, "ledger.db")}`
    const producer = spawn(NODE, [FIXTURE, "produce", store], { stdio: ["ignore", "pipe", "pipe"] })
    await waitForLine(producer, "flushed")
    const killed = new Promise((resolve) => producer.once("exit", (_code, signal) => resolve(signal)))
    producer.kill("SIGKILL")
    expect(await killed).toBe("SIGKILL")

    const { stdout } = await promisify(execFile)(NODE, [FIXTURE, "consume", store], { encoding: "utf8" })
    const report = JSON.parse(stdout.trim()) as {
      restored: { queue: string[]; owed: Array<{ source: string; sessionKey?: string }> }
      shown: Array<Array<{ agentId: string; prompt: string; texts: string[]; consumed: string[] }>>
    }
    expect(report.restored).toEqual({
      queue: ["Daily digest is ready", "Exec completed (backup-7, code 0) :: 42 files"],
      owed: [{ source: "exec-event", sessionKey: MAIN }],
    })
    // The exec-event run shows the exec completion; its agent turn drains the cron notice.
    expect(report.shown).toEqual([
      [
        {
          agentId: "ops",
          prompt: "exec",
          texts: ["Exec completed (backup-7, code 0) :: 42 files"],
          consumed: ["Daily digest is ready", "Exec completed (backup-7, code 0) :: 42 files"],
        },
      ],
    ])

    // And a third look at the log: nothing pending, nothing owed, the run recorded.
    const after = createSystemEvents({ store })
    try {
      expect(after.hasSystemEvents(MAIN)).toBe(false)
      expect(Effect.runSync(after.scheduler.pending)).toEqual([])
      const types = (await Effect.runPromise(Stream.runCollect(after.store.readAll()))).map((r) => r.type)
      expect(types.filter((type) => type === "HeartbeatRan")).toHaveLength(1)
    } finally {
      await after.close()
    }
  })
})
