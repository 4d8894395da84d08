/**
 * A split sweep means what one SessionsPruned meant: the audit, the legacy what-if and the
 * ledger's view (sessions forgotten, the sweep throttled) are the same as for the sweep
 * recorded as a single event, as before the split.
 */
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { decodedLedgerEvents } from "../../application/decoded-log.ts"
import { EventStore } from "../../application/event-store.ts"
import { auditReport, emptyAudit, evolveAudit } from "../../application/projections/audit.ts"
import { whatIfLegacy } from "../../application/what-if.ts"
import type { LedgerEvent, PrunedSession } from "../../domain/events.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { Ledger, withLedger } from "./ledger-harness.ts"

const SESSIONS = 1500
const T0 = Date.UTC(2025, 5, 2)
const HOUR = 3_600_000

const recordSweep = Effect.gen(function* () {
  const ledger = yield* Ledger
  const store = yield* EventStore
  for (let s = 0; s < SESSIONS; s++)
    for (let k = 0; k < 4; k++)
      yield* ledger.enqueue(
        `step ${k} of run ${s}`,
        { sessionKey: `agent:ops:cron:nightly:run:r${s}` },
        { at: T0 },
      )
  const swept = yield* ledger.prune({ retention: "1h", force: true, at: T0 + 2 * HOUR })
  // The view forgot every pruned session (continuations included) and throttles the next sweep.
  const again = yield* ledger.prune({ retention: "1h", force: true, at: T0 + 2 * HOUR })
  const throttled = yield* ledger.prune({ retention: "1h", at: T0 + 2 * HOUR + 60_000 })
  const log = [...(yield* Stream.runCollect(decodedLedgerEvents(store)))]
  return { swept, again, throttled, log }
})

/** The log with the sweep's parts as the one event it used to be. */
const unsplit = (log: ReadonlyArray<LedgerEvent>): LedgerEvent[] => {
  const sessions: PrunedSession[] = log.flatMap((event) =>
    event._tag === "SessionsPruned" || event._tag === "SessionsPrunedContinued" ? event.sessions : [],
  )
  return log.flatMap((event): LedgerEvent[] =>
    event._tag === "SessionsPruned"
      ? [{ ...event, sessions }]
      : event._tag === "SessionsPrunedContinued"
        ? []
        : [event],
  )
}

const auditOf = (log: ReadonlyArray<LedgerEvent>) => auditReport(log.reduce(evolveAudit, emptyAudit()))
const whatIfOf = (log: ReadonlyArray<LedgerEvent>) =>
  withLedger(whatIfLegacy(Stream.fromIterable(log)), makeMemoryEventStore({ now: () => 0 }))

describe("a split sweep", () => {
  it("audits, replays and throttles exactly as the single event did", async () => {
    const { swept, again, throttled, log } = await withLedger(recordSweep)
    expect(swept.prunedSessions).toHaveLength(SESSIONS)
    expect(swept.lostEventIds).toHaveLength(4 * SESSIONS)
    expect(log.filter((event) => event._tag === "SessionsPrunedContinued").length).toBeGreaterThan(0)
    expect(again.prunedSessions).toEqual([])
    expect(throttled.outcome).toBe("throttled")

    const single = unsplit(log)
    expect(auditOf(log)).toEqual(auditOf(single))
    expect(auditOf(log).totals).toMatchObject({ accepted: 4 * SESSIONS, pruned: 4 * SESSIONS, pending: 0 })
    expect(await whatIfOf(log)).toEqual(await whatIfOf(single))
  }, 120_000)
})
