/**
 * The in-place queue table against `evolveQueue`'s copies: any queue events, with reads in
 * between, leave the same queues in the same Map order with the same keys, and a queue state
 * handed out is never changed by what is folded after it.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { LedgerEvent } from "../../domain/events.ts"
import { evolveLedgerState, initialLedgerState, type LedgerState } from "../../domain/ledger-state.ts"
import { QueueTable } from "../../domain/queue-table.ts"

const RUNS = Number(process.env.HEARTBEAT_LEDGER_QUEUE_TABLE_RUNS ?? 300)

const queueKey = fc.constantFrom("agent:a:main", "agent:b:main", "q")
const eventId = fc.constantFrom("e1", "e2", "e3", "e4", "e5")
const ids = fc.array(eventId, { maxLength: 4 })
const provenance = { origin: "agent:a:main", source: "hook" }

const event: fc.Arbitrary<LedgerEvent> = fc.oneof(
  fc
    .record({
      queueKey,
      eventId,
      text: fc.constantFrom("a", "b"),
      contextKey: fc.option(fc.constantFrom("k1", "k2"), { nil: undefined }),
    })
    .map((e) => ({ _tag: "SystemEventEnqueued", ...e, trusted: true, at: 1, provenance })),
  fc
    .record({ queueKey, eventId })
    .map((e) => ({ _tag: "SystemEventRejected", ...e, reason: "duplicate", text: "a", at: 1, provenance })),
  fc.record({ queueKey, eventId }).map((e) => ({ _tag: "SystemEventEvicted", ...e, byEventId: "e9", at: 1 })),
  fc.record({ queueKey, eventIds: ids }).map((e) => ({ _tag: "SystemEventsConsumed", ...e, at: 1 })),
  fc
    .record({ queueKey, consumed: ids })
    .map((e) => ({ _tag: "HeartbeatRan", ...e, agentId: "a", runId: "r", at: 1 })),
  fc.record({ queueKey, eventIds: ids }).map((e) => ({ _tag: "SystemEventsDrained", ...e, at: 1 })),
  fc
    .record({ queueKey, eventIds: ids })
    .map((e) => ({ _tag: "QueuePruned", ...e, sessionKey: e.queueKey, at: 1 })),
) as unknown as fc.Arbitrary<LedgerEvent>

/** Entries with every key of each state, undefined ones included, in Map order. */
const entries = (queues: Map<string, unknown>) =>
  [...queues].map(([key, state]) => [key, Object.entries(state as object)])

describe("the queue table", () => {
  it("folds like evolveQueue's copies, and never changes a state it handed out", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(event, fc.constantFrom("none", "get", "all")), { maxLength: 60 }),
        (steps) => {
          const copied = initialLedgerState()
          const inPlace: LedgerState = { ...initialLedgerState(), queues: new QueueTable() }
          const handedOut: Array<[unknown, string]> = []
          for (const [next, read] of steps) {
            evolveLedgerState(copied, next)
            evolveLedgerState(inPlace, next)
            if (read === "get" && "queueKey" in next) {
              const state = inPlace.queues.get(next.queueKey)
              expect(state).toStrictEqual(copied.queues.get(next.queueKey))
              if (state !== undefined) handedOut.push([state, JSON.stringify(Object.entries(state))])
            }
            if (read === "all") expect(entries(inPlace.queues)).toStrictEqual(entries(copied.queues))
          }
          expect(entries(inPlace.queues)).toStrictEqual(entries(copied.queues))
          expect(inPlace.queues.size).toBe(copied.queues.size)
          for (const [state, then] of handedOut)
            expect(JSON.stringify(Object.entries(state as object))).toBe(then)
        },
      ),
      { numRuns: RUNS },
    )
  })
})
