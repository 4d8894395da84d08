/**
 * The durability promise: after `flush()` a second instance on the same store sees everything
 * the first decided — queues, contexts, config and the wakes still owed. A second writer on the
 * same stream makes the first one's write-behind fail, and `flush()` says so.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import type { EventStoreShape } from "../../application/event-store.ts"
import { createSystemEvents, type SystemEvents } from "../../infrastructure/openclaw/index.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"

const MAIN = "agent:ops:main"
const CRON_RUN = "agent:ops:cron:nightly:run:r1"

const dir = mkdtempSync(join(tmpdir(), "hbl-durability-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const instances: SystemEvents[] = []
const open = (store: string | EventStoreShape) => {
  const instance = createSystemEvents({ store })
  instances.push(instance)
  return instance
}
afterEach(async () => {
  await Promise.allSettled(instances.splice(0).map((instance) => instance.close()))
})

/** Everything the first instance decides, without a handler: the wakes stay owed. */
function decideSome(se: SystemEvents) {
  se.configureAgent({ agentId: "ops", mainKey: "main" })
  se.notifyExecExit({ sessionKey: CRON_RUN, processId: "job-4242aaaa", exitCode: 1, output: "timeout" })
  se.enqueueSystemEvent("Deploy started", { sessionKey: MAIN, contextKey: "Deploy:1" })
  // A duplicate (same text and contextKey as a queued event): rejected, the last contextKey kept.
  se.enqueueSystemEvent("Deploy started", { sessionKey: MAIN, contextKey: " DEPLOY:1 " })
  se.enqueueSystemEvent("drained soon", { sessionKey: "agent:ops:scratch" })
  se.drainSystemEvents("agent:ops:scratch")
  se.requestHeartbeat({ source: "manual", intent: "manual", agentId: "ops" })
}

const stores: ReadonlyArray<readonly [string, () => string | EventStoreShape]> = [
  ["a shared in-process store", () => makeMemoryEventStore()],
  ["an SQLite file", () => `sqlite:${join(dir, `ledger-${Math.random().toString(36).slice(2)}.db`)}`],
]

describe.each(stores)("on %s", (_name, makeStore) => {
  it("after flush() a second instance sees everything the first decided", async () => {
    const store = makeStore()
    const first = open(store)
    decideSome(first)
    await first.flush()
    expect(first.backlog()).toBe(0)

    const second = open(store)
    expect(second.peekSystemEventEntries(MAIN)).toEqual(first.peekSystemEventEntries(MAIN))
    // OpenClaw 2026.5.12: a process that exited by itself with code 1 "completed".
    expect(second.peekSystemEvents(MAIN)).toEqual([
      "Exec completed (job-4242, code 1) :: timeout",
      "Deploy started",
    ])
    expect(second.isSystemEventContextChanged(MAIN, "deploy:1")).toBe(false)
    expect(second.isSystemEventContextChanged(MAIN, "deploy:2")).toBe(true)
    expect(second.enqueueSystemEvent("Deploy started", { sessionKey: MAIN, contextKey: "deploy:1" })).toBe(
      false,
    )
    expect(second.hasSystemEvents("agent:ops:scratch")).toBe(false)
    expect(second.snapshotSessionPolicy(CRON_RUN)).toEqual({ mainKey: "main" })
    // Its effects run at once: read the owed wakes synchronously.
    const owed = Effect.runSync(second.scheduler.pending)
    expect(owed.map((wake) => [wake.source, wake.agentId, wake.sessionKey])).toEqual([
      ["exec-event", undefined, MAIN],
      ["manual", "ops", undefined],
    ])
  })
})

describe("write-behind failures", () => {
  it("a second writer on the same stream makes the first one's append fail, and flush() rejects", async () => {
    const store = makeMemoryEventStore()
    const first = open(store)
    const second = open(store)
    second.enqueueSystemEvent("from the second writer", { sessionKey: MAIN })
    await second.flush()
    // The first instance never saw it: its decision is made against a stale copy of the stream.
    expect(first.enqueueSystemEvent("from the first writer", { sessionKey: MAIN })).toBe(true)
    await expect(first.flush()).rejects.toMatchObject({ _tag: "WrongExpectedRevision" })
  })
})
