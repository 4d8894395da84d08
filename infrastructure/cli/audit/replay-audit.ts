/**
 * One pass over the log for an audit: every record is decoded once and folded into the audit
 * projection, the queues projection (the ledger view, to check that replay reproduces the
 * queues) and the invariants' facts (application/invariants.ts). Reports progress as it goes.
 */
import { Effect, Stream } from "effect"
import { decodeEvent } from "../../../application/event-codec.ts"
import type { EventStoreShape } from "../../../application/event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "../../../application/event-store-errors.ts"
import { auditFolds, type LogFacts, logFactsOptionsOf } from "../../../application/invariants.ts"
import type { LedgerView } from "../../../application/ledger-view.ts"
import type { AuditState } from "../../../application/projections/audit.ts"
import type { LedgerEvent } from "../../../domain/events.ts"

export interface ReplayedLog {
  readonly state: AuditState
  readonly view: LedgerView
  readonly facts: LogFacts
  readonly events: number
  /** Earliest and latest event time: an import may append older events after newer ones. */
  readonly span: { readonly from: number; readonly to: number } | undefined
}

export function replayForAudit(
  store: EventStoreShape,
  onProgress?: (done: number) => void,
  head?: number,
): Effect.Effect<ReplayedLog, StoreUnavailable | UndecodableEvent> {
  return Effect.suspend(() => {
    const folds = auditFolds(logFactsOptionsOf(store, head))
    const state = folds.init()
    let events = 0
    // [from, to] packed: a `let` holding a new double per event boxed a number per event.
    const span = new Float64Array([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
    return store.readAll().pipe(
      Stream.runForEachArray((records) =>
        Effect.suspend(() => {
          for (const record of records) {
            const event = decodeEvent(record)
            if (event._tag === "UndecodableEvent") return Effect.fail(event)
            folds.evolve(state, event, record)
            events++
            if ("at" in event) {
              if (event.at < (span[0] as number)) span[0] = event.at
              if (event.at > (span[1] as number)) span[1] = event.at
            }
          }
          onProgress?.(events)
          return Effect.void
        }),
      ),
      Effect.map(() => ({
        state: state.audit,
        view: state.view,
        facts: state.facts,
        events,
        span:
          events > 0 && (span[0] as number) <= (span[1] as number)
            ? { from: span[0] as number, to: span[1] as number }
            : undefined,
      })),
    )
  })
}

/** The log as decoded events, in order (for the what-if replay). */
export const decodedEvents = (
  store: EventStoreShape,
): Stream.Stream<LedgerEvent, StoreUnavailable | UndecodableEvent> =>
  store.readAll().pipe(
    Stream.mapEffect((record) => {
      const event = decodeEvent(record)
      return event._tag === "UndecodableEvent" ? Effect.fail(event) : Effect.succeed(event)
    }),
  )
