/**
 * The ledger's decider driven directly, without a store: random commands decided one after
 * another against the state their predecessors' events evolved. Each decision must keep the
 * rules a source call has (a wake only with an accepted event when the source says so, always
 * otherwise; nothing to a queue for an unrouted call), its answer must say what it wrote, and
 * deciding must leave the state it read untouched. HBL_DECIDER_RUNS sets the runs (200).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { LedgerEvent } from "../../domain/events.ts"
import type { LedgerCommand } from "../../domain/ledger-command.ts"
import { ledgerDecider } from "../../domain/ledger-decider.ts"
import type { RecordResult } from "../../domain/ledger-decision.ts"
import type { LedgerState } from "../../domain/ledger-state.ts"
import { MAX_QUEUED_EVENTS } from "../../domain/queue.ts"
import { execExitEmission, nodeEventEmission, type SourceEmission } from "../../domain/sources.ts"

const RUNS = Number(process.env.HBL_DECIDER_RUNS ?? 200)
const T0 = 1_700_000_000_000

const ORIGINS = [
  "agent:ops:main",
  "agent:ops:cron:nightly:run:r1",
  "agent:dev:main",
  "agent:dev:cron:j:run:R2",
  "  ",
]

const emissionArb: fc.Arbitrary<SourceEmission> = fc.oneof(
  fc
    .record({ origin: fc.constantFrom(...ORIGINS), output: fc.constantFrom("ok", "done", "") })
    .map(({ origin, output }) => {
      const emission = execExitEmission({
        sessionKey: "agent:ops:main",
        processId: "proc-0001",
        exitCode: 0,
        output: output || "x",
        backgrounded: true,
      })!
      // Any origin, a blank one included: the builder refuses those, the decider must not rely on it.
      return { ...emission, origin }
    }),
  fc
    .record({
      origin: fc.constantFrom(...ORIGINS),
      event: fc.constantFrom("exec.started" as const, "exec.finished" as const),
      runId: fc.constantFrom("r1", "r2"),
    })
    .map(({ origin, event, runId }) => ({
      ...nodeEventEmission({
        event,
        nodeId: "n1",
        sessionKey: "agent:ops:main",
        runId,
        command: "make",
        exitCode: 0,
        output: "ok",
      })!,
      origin,
    })),
)

type Step = (ids: { readonly next: () => string; readonly at: number }) => LedgerCommand

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({ emission: emissionArb, routing: fc.constantFrom("fixed" as const, "legacy" as const) })
      .map(
        ({ emission, routing }): Step =>
          ({ next, at }) => ({
            _tag: "RecordEmission",
            emission,
            routing,
            eventId: next(),
            wakeId: next(),
            at,
          }),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...ORIGINS).map(
      (sessionKey): Step =>
        ({ at }) => ({ _tag: "Drain", sessionKey, at }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("interval", "exec-event").map(
      (reason): Step =>
        ({ next, at }) => ({ _tag: "RunHeartbeat", reason, runIds: [next(), next(), next()], at }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("ops", "dev").map(
      (agentId): Step =>
        ({ at }) => ({ _tag: "ConfigureAgent", agentId, at }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constant<Step>(({ at }) => ({
      _tag: "SweepRetention",
      retention: "0",
      force: true,
      routing: "fixed",
      at,
    })),
  },
)

/** Everything a state holds, as plain data: what deciding must leave as it found it. */
const snapshot = (state: LedgerState) =>
  JSON.stringify([
    state.config.agents.size,
    [...state.config.agents],
    [...state.queues],
    [...state.sessions],
    state.lastSweepAt,
    [...state.nodeExecFinishedRuns],
  ])

/** The rules of one source call's decision, checked against what it wrote and answered. */
function checkRecord(
  command: Extract<LedgerCommand, { _tag: "RecordEmission" }>,
  writes: ReadonlyArray<{ stream: { kind: string }; events: ReadonlyArray<LedgerEvent> }>,
  result: RecordResult,
) {
  const events = writes.flatMap((write) => write.events)
  const mine = events.filter((event) => "eventId" in event && event.eventId === command.eventId)
  const wakes = mine.filter((event) => event._tag === "HeartbeatWakeRequested")
  const enqueued = mine.some((event) => event._tag === "SystemEventEnqueued")
  expect(result.accepted).toBe(enqueued)
  expect(wakes.length).toBe(result.wakeId === undefined ? 0 : 1)
  if (result.rejectedBecause === "repeated-run") expect(events).toEqual([])
  else if (result.queueKey === "") {
    // Unrouted: one rejection on the unrouted stream, no wake.
    expect(writes.map((write) => write.stream.kind)).toEqual(["unrouted"])
    expect(wakes).toEqual([])
  } else if (result.accepted || !command.emission.wakeOnlyIfAccepted) {
    expect(wakes.length).toBe(1)
    expect(writes.length).toBe(1)
  } else {
    expect(wakes).toEqual([])
  }
}

describe("the ledger's decider, driven directly", () => {
  it("keeps a source call's rules, answers what it wrote, and never changes the state it reads", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), (steps) => {
        let n = 0
        const next = () => `id-${++n}`
        const state = ledgerDecider.initialState()
        steps.forEach((step, index) => {
          const command = step({ next, at: T0 + index * 1_000 })
          const before = snapshot(state)
          const decision = ledgerDecider.decide(command, state)
          expect(snapshot(state)).toBe(before)
          if (command._tag === "RecordEmission")
            checkRecord(command, decision.writes, decision.result as RecordResult)
          for (const write of decision.writes)
            for (const event of write.events) ledgerDecider.evolve(state, event)
          for (const queue of state.queues.values())
            expect(queue.events.length).toBeLessThanOrEqual(MAX_QUEUED_EVENTS)
        })
      }),
      { numRuns: RUNS },
    )
  })
})
