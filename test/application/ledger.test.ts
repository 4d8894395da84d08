import { Effect, Exit, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { EventStore } from "../../application/event-store.ts"
import { auditProjection, auditReport } from "../../application/projections/audit.ts"
import { catchUpProjection } from "../../application/projections/projection.ts"
import { queueStreamId, UNROUTED_STREAM } from "../../application/stream-names.ts"
import { cronEmission, execExitEmission, hookEmission, nodeEventEmission } from "../../domain/sources.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { Ledger, withLedger } from "./ledger-harness.ts"

const CRON_RUN = "agent:ops:cron:nightly:run:r1"
const exec = (output: string, exitCode = 0) =>
  execExitEmission({ sessionKey: CRON_RUN, processId: "proc-1234abcd", exitCode, output })!

describe("Ledger.enqueue (the low-level queue call)", () => {
  it("refuses a blank session key with OpenClaw's message and still records the attempt", async () => {
    const store = makeMemoryEventStore()
    const { exit, unrouted } = await withLedger(
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const exit = yield* Effect.exit(ledger.enqueue("hello", { sessionKey: "   " }))
        const unrouted = yield* Stream.runCollect((yield* EventStore).readStream(UNROUTED_STREAM))
        return { exit, unrouted }
      }),
      store,
    )
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("system events require a sessionKey")
    expect(unrouted.map((record) => record.type)).toEqual(["SystemEventRejected"])
    expect(unrouted[0]?.data).toMatchObject({ reason: "missing-session-key", text: "hello" })
  })

  it("does not remap a cron-run key: the event lands in the raw queue", async () => {
    const result = await withLedger(
      Effect.flatMap(Ledger, (ledger) =>
        ledger.enqueue("Exec completed (abc, code 0)", { sessionKey: CRON_RUN }),
      ),
    )
    expect(result).toMatchObject({ queueKey: CRON_RUN, accepted: true })
    expect(result.wake).toBeUndefined()
  })
})

describe("Ledger.record (sources, routed)", () => {
  it("routes a cron-run exec completion to the agent's main queue with the start-time policy", async () => {
    const result = await withLedger(
      Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* ledger.configureAgent({ agentId: "ops", mainKey: "Work" })
        const snapshot = yield* ledger.snapshotPolicy(CRON_RUN)
        // Config changes while the work runs: the event still uses the start-time snapshot.
        yield* ledger.configureAgent({ agentId: "ops", mainKey: "other", scope: "global" })
        return yield* ledger.record(exec("backup ok"), { policy: snapshot })
      }),
    )
    expect(result.queueKey).toBe("agent:ops:work")
    expect(result.wake).toMatchObject({ sessionKey: "agent:ops:work", source: "exec-event", coalesceMs: 0 })
  })

  it("sends a node event's wake only when the event was accepted", async () => {
    const [first, duplicate] = await withLedger(
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const event = nodeEventEmission({
          event: "exec.started",
          nodeId: "n1",
          sessionKey: "agent:main:main",
          runId: "r",
        })!
        return [yield* ledger.record(event), yield* ledger.record(event)] as const
      }),
    )
    expect(first.wake).toBeDefined()
    expect(duplicate).toMatchObject({ accepted: false, rejectedBecause: "duplicate" })
    expect(duplicate.wake).toBeUndefined()
  })
})

describe("Ledger.runHeartbeat", () => {
  it("a cron:-tagged event makes an interval run inspect: exec completions shown, its turn drains the rest", async () => {
    const runs = await withLedger(
      Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* ledger.configureAgent({ agentId: "ops" })
        yield* ledger.record(
          cronEmission({ sessionKey: "agent:ops:main", jobId: "j", text: "Nightly report ready" }),
        )
        yield* ledger.record(exec("all good"))
        const first = yield* ledger.runHeartbeat({ source: "interval", reason: "interval" })
        const second = yield* ledger.runHeartbeat({ source: "interval", reason: "interval" })
        return [first, second].map((run) =>
          run.map((r) => [r.prompt, r.shown.map((e) => e.text), r.consumed.map((e) => e.text)]),
        )
      }),
    )
    expect(runs).toEqual([
      [
        [
          "exec",
          ["Exec completed (proc-123, code 0) :: all good"],
          ["Nightly report ready", "Exec completed (proc-123, code 0) :: all good"],
        ],
      ],
      [["empty", [], []]],
    ])
  })

  it("an interval run over untagged events selects none: its turn drains all but exec completions", async () => {
    const runs = await withLedger(
      Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* ledger.configureAgent({ agentId: "ops" })
        yield* ledger.record(hookEmission({ sessionKey: "agent:ops:main", name: "gh", text: "PR merged" }))
        yield* ledger.record(exec("all good"))
        const interval = yield* ledger.runHeartbeat({ source: "interval", reason: "interval" })
        const left = yield* ledger.peek("agent:ops:main")
        const execWake = yield* ledger.runHeartbeat({ source: "exec-event", reason: "exec-event" })
        return {
          interval: interval.map((r) => [
            r.prompt,
            r.shown.map((e) => e.text),
            r.consumed.map((e) => e.text),
          ]),
          left: left.map((e) => e.text),
          execWake: execWake.map((r) => [r.prompt, r.shown.map((e) => e.text)]),
        }
      }),
    )
    expect(runs).toEqual({
      interval: [["empty", [], ["PR merged"]]],
      left: ["Exec completed (proc-123, code 0) :: all good"],
      execWake: [["exec", ["Exec completed (proc-123, code 0) :: all good"]]],
    })
  })

  it("runs a targeted wake on the forced session of the agent", async () => {
    const run = await withLedger(
      Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* ledger.configureAgent({ agentId: "main" })
        const hooked = yield* ledger.record(
          hookEmission({ sessionKey: "agent:main:hook:gh", name: "gh", text: "PR merged" }),
        )
        return yield* ledger.runHeartbeat({ ...hooked.wake, reason: "hook" })
      }),
    )
    expect(run.map((r) => [r.agentId, r.queueKey, r.shown.map((e) => e.text)])).toEqual([
      ["main", "agent:main:hook:gh", ["PR merged"]],
    ])
  })
})

describe("optimistic concurrency between two ledgers on one store", () => {
  it("catches up on conflict, so the second writer sees the first's text as a duplicate", async () => {
    const store = makeMemoryEventStore()
    const a = await withLedger(
      Effect.flatMap(Ledger, (ledger) => Effect.succeed(ledger)),
      store,
      1,
    )
    const b = await withLedger(
      Effect.flatMap(Ledger, (ledger) => Effect.succeed(ledger)),
      store,
      2,
    )
    const first = await Effect.runPromise(a.enqueue("same", { sessionKey: "agent:x:main" }))
    // b's view is stale: its append at revision "no-stream" conflicts, it catches up and decides again.
    const second = await Effect.runPromise(b.enqueue("same", { sessionKey: "agent:x:main" }))
    expect(first.accepted).toBe(true)
    expect(second).toMatchObject({ accepted: false, rejectedBecause: "duplicate" })
    const records = await Effect.runPromise(
      Stream.runCollect(store.readStream(queueStreamId("agent:x:main"))),
    )
    expect(records.map((record) => record.type)).toEqual(["SystemEventEnqueued", "SystemEventRejected"])
  })
})

describe("Ledger.prune", () => {
  it("records the events a pruned cron-run session loses, then throttles, unless forced", async () => {
    const hour = 3_600_000
    const { swept, throttled, forced, report } = await withLedger(
      Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* ledger.configureAgent({ agentId: "ops", at: 0 })
        yield* ledger.record(exec("stranded output", 1), { routing: "legacy", at: 0 })
        yield* ledger.record(
          cronEmission({ sessionKey: "agent:ops:cron:nightly", jobId: "nightly", text: "durable" }),
          {
            at: 0,
          },
        )
        const swept = yield* ledger.prune({ retention: "1h", at: 2 * hour })
        const throttled = yield* ledger.prune({ retention: "1h", at: 2 * hour + 1000 })
        const forced = yield* ledger.prune({ retention: "1h", at: 2 * hour + 2000, force: true })
        const { state } = yield* catchUpProjection(auditProjection, yield* EventStore)
        return { swept, throttled, forced, report: auditReport(state) }
      }),
    )
    expect(swept.prunedSessions).toEqual([CRON_RUN])
    expect(swept.lostEventIds).toHaveLength(1)
    expect(throttled.outcome).toBe("throttled")
    expect(forced).toMatchObject({ outcome: "swept", prunedSessions: [] })
    // The durable job's event is in its own (undrained) queue: stranded, not pruned.
    expect(report.totals).toMatchObject({ attempts: 2, accepted: 2, pruned: 1, stranded: 1 })
  })
})

describe("the ledger view after interleaved writers", () => {
  it("never skips another writer's event that landed just before its own append", async () => {
    const store = makeMemoryEventStore()
    const a = await withLedger(
      Effect.flatMap(Ledger, (ledger) => Effect.succeed(ledger)),
      store,
      1,
    )
    const b = await withLedger(
      Effect.flatMap(Ledger, (ledger) => Effect.succeed(ledger)),
      store,
      2,
    )
    await Effect.runPromise(b.enqueue("from b", { sessionKey: "agent:b:main" }))
    // a appends to another stream: no conflict, but its view must still pick up b's event.
    await Effect.runPromise(a.enqueue("from a", { sessionKey: "agent:a:main" }))
    const second = await Effect.runPromise(a.enqueue("from b", { sessionKey: "agent:b:main" }))
    expect(second).toMatchObject({ accepted: false, rejectedBecause: "duplicate" })
    const view = await Effect.runPromise(a.view)
    expect(view.position).toBe(3)
    expect(view.queue("agent:b:main").events.map((event) => event.text)).toEqual(["from b"])
  })
})
