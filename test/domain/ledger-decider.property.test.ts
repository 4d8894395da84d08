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
import { MAX_QUEUED_EVENTS } from "../../domain/queue.ts"
import { snapshot, stepArb, T0 } from "./ledger-commands.ts"

const RUNS = Number(process.env.HBL_DECIDER_RUNS ?? 200)
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
          const command = step({ next, at: T0 + index * 1_000, state })
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
