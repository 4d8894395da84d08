/**
 * The plugin never hurts the gateway: a store that is down at start, fails mid-run or is slow
 * costs a logged warning (one per outage), never an exception into a hook and never a stall of
 * the gateway's thread; observations wait in the bounded buffer, what overflows is counted and
 * recorded as ObservationsLost once the store is back; a queue map of a shape the plugin does
 * not know turns the queue part off with one warning and the hooks keep being recorded. Every
 * test ends by comparing the store with a clean run of the same work. Real SQLite files, real
 * locks (a second connection holding the write lock), no stand-in store.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
import { afterEach, describe, expect, it } from "vitest"
import type { ObservedEvent } from "../../domain/observed-events.ts"
import { comparable, type ObserverRun, startObserver } from "./observer-harness.ts"

const runs: ObserverRun[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const run of runs.splice(0)) await run.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const observe = (config: Record<string, unknown> = {}, options: Parameters<typeof startObserver>[1] = {}) => {
  const run = startObserver(config, options)
  runs.push(run)
  return run
}

const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "hbl-faults-"))
  dirs.push(dir)
  return dir
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The same work for every run: n distinct hook calls, and one entry queued then drained. */
async function work(run: ObserverRun, n: number): Promise<void> {
  run.queues.set("agent:main:main", { queue: [{ text: "queued", ts: 1 }] })
  await sleep(30)
  run.queues.delete("agent:main:main")
  await sleep(30)
  for (let i = 0; i < n; i++)
    run.observer.handle(
      "session_start",
      { sessionId: `s-${i}`, sessionKey: `agent:main:k${i}` },
      { agentId: "main" },
    )
}

async function cleanRun(n: number): Promise<ReadonlyArray<unknown>> {
  const run = observe()
  await work(run, n)
  return comparable(await run.stored())
}

const cannotWrite = (warnings: ReadonlyArray<string>) =>
  warnings.filter((w) => w.includes("cannot write observations"))

describe("a store that is down or slow", () => {
  it("down at start: one warning, everything kept, all of it stored once the store is back", async () => {
    const dir = tempDir()
    // The store's folder is a plain file: it cannot be created until the file goes.
    writeFileSync(join(dir, "state"), "")
    const run = observe({}, { storeUrl: `sqlite:${join(dir, "state", "observed.db")}` })
    await work(run, 8)
    for (let attempt = 0; attempt < 3; attempt++) await run.observer.flush()
    expect(cannotWrite(run.warnings)).toHaveLength(1)
    rmSync(join(dir, "state"))
    mkdirSync(join(dir, "state"))
    const stored = await run.stored()
    expect(comparable(stored)).toEqual(await cleanRun(8))
    expect(stored.some((event) => event._tag === "ObservationsLost")).toBe(false)
  })

  it("slow (write-locked): the gateway's thread keeps running, the overflow is counted and recorded once it is back", async () => {
    const run = observe({ bufferLimit: 5 })
    await run.stored()
    const file = run.storeUrl.slice("sqlite:".length)
    const locker = new Database(file)
    locker.exec("BEGIN EXCLUSIVE")
    let lockHeld = true
    try {
      await work(run, 12)
      let settled = false
      const written = run.observer.flush().then(() => {
        settled = true
      })
      // The append waits for the lock on the store's own thread; this thread is free meanwhile.
      await sleep(0)
      await sleep(100)
      expect(settled).toBe(false)
      locker.exec("COMMIT")
      lockHeld = false
      await written
    } finally {
      if (lockHeld) locker.exec("ROLLBACK")
      locker.close()
    }
    const stored = await run.stored()
    const clean = await cleanRun(12)
    const lost = stored.filter((event) => event._tag === "ObservationsLost")
    const kept = comparable(stored.filter((event) => event._tag !== "ObservationsLost"))
    // What was kept is the clean run's prefix, in order; the rest is counted, in one record.
    expect(kept).toEqual(clean.slice(0, kept.length))
    expect(lost).toHaveLength(1)
    expect((lost[0] as Extract<ObservedEvent, { _tag: "ObservationsLost" }>).count).toBe(
      clean.length - kept.length,
    )
    expect(clean.length - kept.length).toBeGreaterThan(0)
  })

  it("failing mid-run (locked past its busy timeout): one warning, retried, nothing lost or doubled", async () => {
    const run = observe()
    await run.observer.flush()
    const file = run.storeUrl.slice("sqlite:".length)
    const locker = new Database(file)
    locker.exec("BEGIN EXCLUSIVE")
    try {
      await work(run, 6)
      // The store's busy timeout is 10 s: the append fails, and the writer says so.
      while (cannotWrite(run.warnings).length === 0) await sleep(100)
    } finally {
      locker.exec("COMMIT")
      locker.close()
    }
    expect(cannotWrite(run.warnings)).toHaveLength(1)
    const stored = await run.stored()
    expect(comparable(stored)).toEqual(await cleanRun(6))
  }, 60_000)
})

describe("a queue map of a shape the plugin does not know", () => {
  it("at start: the queue part is off with one warning, recorded; the hooks are still recorded", async () => {
    const odd = new Map([["agent:main:main", { queue: "not an array" }]])
    const run = observe({}, { queueMap: odd })
    run.observer.handle(
      "session_start",
      { sessionId: "s-1", sessionKey: "agent:main:main" },
      { agentId: "main" },
    )
    await sleep(50)
    const stored = await run.stored()
    const shape = run.warnings.filter((w) => w.includes("shape"))
    expect(shape).toHaveLength(1)
    expect(stored[0]).toMatchObject({
      _tag: "ObserverStarted",
      queueMapReadable: false,
      warnings: [shape[0]],
    })
    expect(stored.filter((event) => event._tag === "ObservedLifecycle")).toHaveLength(1)
  })

  it("mid-run: one warning and one record when it changes, the entries seen before kept, the hooks still recorded", async () => {
    const run = observe()
    run.queues.set("agent:main:main", { queue: [{ text: "seen", ts: 1 }] })
    await sleep(30)
    // A later release's entry: no text, a payload object.
    run.queues.set("agent:main:main", {
      queue: [
        { text: "seen", ts: 1 },
        { payload: { kind: "x" }, ts: 2 },
      ],
    })
    await sleep(60)
    run.observer.handle(
      "session_start",
      { sessionId: "s-1", sessionKey: "agent:main:main" },
      { agentId: "main" },
    )
    // Garbage from a hook is survived too.
    run.observer.handle("session_end", null, undefined)
    await sleep(60)
    const stored = await run.stored()
    expect(run.warnings.filter((w) => w.includes("shape"))).toHaveLength(1)
    expect(comparable(stored)).toEqual([
      { _tag: "ObserverStarted" },
      {
        _tag: "ObservedEnqueued",
        observationId: "…",
        sessionKey: "agent:main:main",
        entry: { text: "seen", ts: 1 },
      },
      {
        _tag: "ObservedLifecycle",
        hook: "observer.queue-map-off",
        detail: { message: run.warnings.find((w) => w.includes("shape")) },
      },
      {
        _tag: "ObservedLifecycle",
        hook: "session_start",
        sessionKey: "agent:main:main",
        agentId: "main",
        detail: { sessionId: "s-1" },
      },
      { _tag: "ObservedLifecycle", hook: "session_end", detail: {} },
    ])
  })
})
