/**
 * The embedded OpenClaw API keeps OpenClaw's queue semantics exactly (domain.md §4): return
 * values, the blank-key error, duplicates, the cap, copies, and prefix-only consumption.
 */
import { Effect, Stream } from "effect"
import { afterEach, describe, expect, it, vi } from "vitest"
import {
  createSystemEvents,
  drainSystemEvents,
  enqueueSystemEvent,
  getDefaultSystemEvents,
  hasSystemEvents,
  peekSystemEvents,
  resetDefaultSystemEvents,
  type SystemEvents,
} from "../../infrastructure/openclaw/index.ts"

const KEY = "agent:ops:main"
const CRON_RUN = "agent:ops:cron:nightly:run:r1"

const instances: SystemEvents[] = []
const fresh = (options?: Parameters<typeof createSystemEvents>[0]) => {
  const instance = createSystemEvents(options)
  instances.push(instance)
  return instance
}

afterEach(async () => {
  await Promise.all(instances.splice(0).map((instance) => instance.close()))
})

describe("enqueueSystemEvent", () => {
  it("throws OpenClaw's plain Error for a blank session key, and records the attempt", async () => {
    const se = fresh()
    expect(() => se.enqueueSystemEvent("hello", { sessionKey: "   " })).toThrowError(
      new Error("system events require a sessionKey"),
    )
    expect(await collectTypes(se)).toEqual(["SystemEventRejected"])
  })

  it("every call that takes a key throws for a blank one", () => {
    const se = fresh()
    expect(() => se.peekSystemEvents(" ")).toThrow("system events require a sessionKey")
    expect(() => se.peekSystemEventEntries("")).toThrow("system events require a sessionKey")
    expect(() => se.drainSystemEvents(" ")).toThrow("system events require a sessionKey")
    expect(() => se.hasSystemEvents("")).toThrow("system events require a sessionKey")
    expect(() => se.isSystemEventContextChanged(" ", "x")).toThrow("system events require a sessionKey")
    expect(() => se.consumeSystemEventEntries("", [])).toThrow("system events require a sessionKey")
  })

  it("refuses a blank text and a repeat of the previous accepted text (A, A → false; A, B, A → true)", () => {
    const se = fresh()
    expect(se.enqueueSystemEvent("   ", { sessionKey: KEY })).toBe(false)
    expect(se.enqueueSystemEvent(" A ", { sessionKey: KEY })).toBe(true)
    expect(se.enqueueSystemEvent("A", { sessionKey: KEY })).toBe(false)
    expect(se.enqueueSystemEvent("B", { sessionKey: KEY })).toBe(true)
    expect(se.enqueueSystemEvent("A", { sessionKey: KEY })).toBe(true)
    expect(se.peekSystemEvents(KEY)).toEqual(["A", "B", "A"])
  })

  it("keys queues by the trimmed key, case kept, and never remaps a cron-run key", () => {
    const se = fresh()
    se.enqueueSystemEvent("x", { sessionKey: `  ${CRON_RUN}  ` })
    se.enqueueSystemEvent("y", { sessionKey: "Agent:Ops:Main" })
    expect(se.peekSystemEvents(CRON_RUN)).toEqual(["x"])
    expect(se.peekSystemEvents(KEY)).toEqual([])
    expect(se.peekSystemEvents("Agent:Ops:Main")).toEqual(["y"])
  })

  it("keeps at most 20 events: 22 in → events 3..22", () => {
    const se = fresh()
    for (let i = 1; i <= 22; i++) expect(se.enqueueSystemEvent(`event ${i}`, { sessionKey: KEY })).toBe(true)
    const texts = se.peekSystemEvents(KEY)
    expect(texts).toHaveLength(20)
    expect(texts[0]).toBe("event 3")
    expect(texts[19]).toBe("event 22")
  })

  it("normalizes the contextKey; a repeat under another one is new, a duplicate leaves the last one", () => {
    const se = fresh()
    expect(se.isSystemEventContextChanged(KEY, undefined)).toBe(false)
    expect(se.isSystemEventContextChanged(KEY, "exec:1")).toBe(true)
    se.enqueueSystemEvent("done", { sessionKey: KEY, contextKey: "  Exec:1 " })
    expect(se.isSystemEventContextChanged(KEY, "exec:1")).toBe(false)
    expect(se.enqueueSystemEvent("done", { sessionKey: KEY, contextKey: "exec:2" })).toBe(true)
    expect(se.enqueueSystemEvent("done", { sessionKey: KEY, contextKey: "EXEC:1" })).toBe(false)
    expect(se.isSystemEventContextChanged(KEY, "EXEC:2")).toBe(false)
    expect(se.peekSystemEventEntries(KEY).map((entry) => entry.contextKey)).toEqual(["exec:1", "exec:2"])
  })

  it("keeps trust and delivery context; trusted defaults to true", () => {
    const se = fresh()
    se.enqueueSystemEvent("from exec", {
      sessionKey: KEY,
      trusted: false,
      deliveryContext: { channel: "slack" },
    })
    se.enqueueSystemEvent("from cron", { sessionKey: KEY })
    expect(
      se.peekSystemEventEntries(KEY).map((entry) => [entry.trusted, entry.deliveryContext?.channel]),
    ).toEqual([
      [false, "slack"],
      [true, undefined],
    ])
  })
})

describe("peek, drain, has", () => {
  it("peek returns copies: changing them changes nothing queued", () => {
    const se = fresh()
    se.enqueueSystemEvent("hello", { sessionKey: KEY })
    const [entry] = se.peekSystemEventEntries(KEY)
    if (entry === undefined) throw new Error("expected an entry")
    entry.text = "changed"
    expect(se.peekSystemEvents(KEY)).toEqual(["hello"])
    expect(se.peekSystemEventEntries(KEY)[0]).not.toBe(se.peekSystemEventEntries(KEY)[0])
  })

  it("drain returns everything and forgets the queue, so the same text is accepted again", () => {
    const se = fresh()
    se.enqueueSystemEvent("A", { sessionKey: KEY, contextKey: "c" })
    se.enqueueSystemEvent("B", { sessionKey: KEY })
    expect(se.hasSystemEvents(KEY)).toBe(true)
    expect(se.drainSystemEvents(KEY)).toEqual(["A", "B"])
    expect(se.hasSystemEvents(KEY)).toBe(false)
    expect(se.drainSystemEventEntries(KEY)).toEqual([])
    expect(se.isSystemEventContextChanged(KEY, undefined)).toBe(false)
    expect(se.enqueueSystemEvent("B", { sessionKey: KEY })).toBe(true)
  })
})

describe("consumeSystemEventEntries", () => {
  it("removes exactly the inspected prefix; events that arrived meanwhile stay", () => {
    const se = fresh()
    se.enqueueSystemEvent("A", { sessionKey: KEY })
    se.enqueueSystemEvent("B", { sessionKey: KEY })
    const inspected = se.peekSystemEventEntries(KEY)
    se.enqueueSystemEvent("C", { sessionKey: KEY })
    expect(se.consumeSystemEventEntries(KEY, inspected).map((entry) => entry.text)).toEqual(["A", "B"])
    expect(se.peekSystemEvents(KEY)).toEqual(["C"])
  })

  it("matches entries by OpenClaw's equality, so a stale inspection removes only entries equal in every field", () => {
    // OpenClaw compares text, ts, contextKey, trust and route, never an id: events re-enqueued
    // in the same millisecond are equal to the stale inspection, a millisecond later they are not.
    vi.useFakeTimers({ now: 1_000, toFake: ["Date"] })
    try {
      const se = fresh()
      se.enqueueSystemEvent("A", { sessionKey: KEY })
      se.enqueueSystemEvent("B", { sessionKey: KEY })
      const inspected = se.peekSystemEventEntries(KEY)
      se.drainSystemEvents(KEY)
      vi.setSystemTime(1_001)
      se.enqueueSystemEvent("A", { sessionKey: KEY })
      se.enqueueSystemEvent("B", { sessionKey: KEY })
      expect(se.consumeSystemEventEntries(KEY, inspected)).toEqual([])
      expect(se.consumeSystemEventEntries(KEY, inspected.slice(1))).toEqual([])
      expect(se.consumeSystemEventEntries(KEY, [])).toEqual([])
      expect(se.peekSystemEvents(KEY)).toEqual(["A", "B"])
      se.drainSystemEvents(KEY)
      vi.setSystemTime(1_000)
      se.enqueueSystemEvent("A", { sessionKey: KEY })
      expect(se.consumeSystemEventEntries(KEY, inspected.slice(0, 1))).toEqual(inspected.slice(0, 1))
    } finally {
      vi.useRealTimers()
    }
  })

  it("matches entries built by the caller by OpenClaw's field equality", () => {
    const se = fresh()
    se.enqueueSystemEvent("A", { sessionKey: KEY, contextKey: "x" })
    const [queued] = se.peekSystemEventEntries(KEY)
    if (queued === undefined) throw new Error("expected an entry")
    const copy = { ...queued }
    expect(se.consumeSystemEventEntries(KEY, [{ ...copy, ts: queued.ts + 1 }])).toEqual([])
    expect(se.consumeSystemEventEntries(KEY, [copy]).map((entry) => entry.text)).toEqual(["A"])
    expect(se.hasSystemEvents(KEY)).toBe(false)
  })
})

describe("source helpers route with the fixed routing", () => {
  it("remap a cron-run origin to the agent's main queue under the policy passed", () => {
    const se = fresh()
    const result = se.notifyExecExit(
      { sessionKey: `${CRON_RUN}:subagent:w`, processId: "proc-1234abcd", exitCode: 2, output: "disk full" },
      { mainKey: "Work" },
    )
    expect(result).toMatchObject({ queueKey: "agent:ops:work", accepted: true })
    // OpenClaw 2026.5.12: a process that exited by itself with code 2 "completed".
    expect(se.peekSystemEvents("agent:ops:work")).toEqual(["Exec completed (proc-123, code 2) :: disk full"])
    expect(se.peekSystemEventEntries("agent:ops:work")[0]?.trusted).toBe(false)
  })

  it("use the global queue under a global policy, and the instance's default policy when a call names none", () => {
    const se = fresh({ policy: { scope: "global" } })
    se.emitExecSystemEvent("Exec finished: build", { sessionKey: CRON_RUN, contextKey: "exec:b1" })
    expect(se.peekSystemEvents("global")).toEqual(["Exec finished: build"])
    se.emitExecSystemEvent("per-sender override", { sessionKey: CRON_RUN, policy: {} })
    expect(se.peekSystemEvents(KEY)).toEqual(["per-sender override"])
  })

  it("keep the delivery context they are given on the entry, normalized as enqueueSystemEvent does", () => {
    const se = fresh()
    se.notifyExecExit(
      { sessionKey: KEY, processId: "proc-1234abcd", exitCode: 0, output: "ok" },
      { deliveryContext: { channel: " Slack ", to: " C1 ", threadId: 7 } },
    )
    se.emitExecSystemEvent("Exec finished: build", {
      sessionKey: KEY,
      deliveryContext: { channel: "discord", to: "u1", accountId: "Main Acct" },
    })
    expect(se.peekSystemEventEntries(KEY).map((entry) => entry.deliveryContext)).toStrictEqual([
      { channel: "slack", to: "C1", accountId: undefined, threadId: 7 },
      { channel: "discord", to: "u1", accountId: "main-acct" },
    ])
  })

  it("fall back to the origin agent's recorded config", () => {
    const se = fresh()
    se.configureAgent({ agentId: "ops", mainKey: "ops-home" })
    expect(se.snapshotSessionPolicy(CRON_RUN)).toEqual({ mainKey: "ops-home" })
    se.notifyCliWatchdogStall({ sessionKey: CRON_RUN, provider: "claude", seconds: 120 })
    expect(se.peekSystemEvents("agent:ops:ops-home")).toHaveLength(1)
  })

  it("stay silent where the source does: blank key, surface updates off, quiet node exits", () => {
    const se = fresh()
    expect(se.emitExecSystemEvent("x", { sessionKey: "  " })).toBeNull()
    expect(
      se.relayAcpSpawnEvent({
        parentSessionKey: KEY,
        runId: "r1",
        label: "codex",
        phase: "done",
        seconds: 3,
        surfaceUpdates: false,
      }),
    ).toBeNull()
    expect(se.handleNodeExecEvent({ event: "exec.finished", nodeId: "n1", exitCode: 0 })).toBeNull()
    expect(se.hasSystemEvents(KEY)).toBe(false)
  })

  // OpenClaw 2026.5.12 files `node-<id>` under the default agent: `agent:main:node-<id>`.
  it("node events go to agent:main:node-<id> by default and wake only when accepted", () => {
    const se = fresh()
    const first = se.handleNodeExecEvent({ event: "exec.started", nodeId: "n1", runId: "r9", command: "ls" })
    const repeat = se.handleNodeExecEvent({ event: "exec.started", nodeId: "n1", runId: "r9", command: "ls" })
    expect(first).toMatchObject({
      queueKey: "agent:main:node-n1",
      accepted: true,
      wake: { source: "exec-event" },
    })
    expect(repeat).toMatchObject({ queueKey: "agent:main:node-n1", accepted: false })
    expect(repeat?.wake).toBeUndefined()
    expect(
      se.peekSystemEventEntries("agent:main:node-n1").map((entry) => [entry.text, entry.contextKey]),
    ).toEqual([["Exec started (node=n1 id=r9): ls", "exec:r9"]])
  })

  it("relay an ACP child's progress to the parent session with its context key", () => {
    const se = fresh()
    se.relayAcpSpawnEvent({ parentSessionKey: KEY, runId: "r1", label: "codex", phase: "stall", seconds: 60 })
    expect(se.peekSystemEventEntries(KEY).map((entry) => [entry.text, entry.contextKey])).toEqual([
      [
        "codex has produced no output for 60s. It may be waiting for interactive input.",
        "acp-spawn:r1:stall",
      ],
    ])
  })
})

describe("instances", () => {
  it("createSystemEvents makes isolated instances", () => {
    const a = fresh()
    const b = fresh()
    a.enqueueSystemEvent("only in a", { sessionKey: KEY })
    expect(b.hasSystemEvents(KEY)).toBe(false)
    expect(a.hasSystemEvents(KEY)).toBe(true)
  })

  it("module-level functions share one default instance (memory: unless HEARTBEAT_LEDGER_STORE names a store)", async () => {
    await resetDefaultSystemEvents()
    expect(enqueueSystemEvent("from the module", { sessionKey: KEY })).toBe(true)
    expect(peekSystemEvents(KEY)).toEqual(["from the module"])
    expect(getDefaultSystemEvents().storeDescription).toBe(
      process.env.HEARTBEAT_LEDGER_STORE?.trim() || "memory:",
    )
    expect(drainSystemEvents(KEY)).toEqual(["from the module"])
    await resetDefaultSystemEvents()
    expect(hasSystemEvents(KEY)).toBe(false)
    await resetDefaultSystemEvents()
  })

  it("a store URL that cannot be used is refused with the store's own message", () => {
    expect(() => createSystemEvents({ store: "nosuch:thing" })).toThrow(/invalid event store URL/)
  })
})

const collectTypes = async (se: SystemEvents): Promise<string[]> => {
  await se.flush()
  const records = await Effect.runPromise(Stream.runCollect(se.store.readAll()))
  return records.map((record) => record.type)
}
