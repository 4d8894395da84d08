/**
 * One pass over the log for an audit: every record is decoded once and folded into the audit
 * projection, the queues projection (the ledger view, to check that replay reproduces the
 * queues) and the invariants' facts (application/invariants.ts). Reports progress as it goes.
 */
import { Effect, Stream } from "effect"
import { decodeEvent } from "../../../application/event-codec.ts"
import type { EventStoreShape } from "../../../application/event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "../../../application/event-store-errors.ts"
import { type AuditedLog, foldAuditLog, type LogFacts } from "../../../application/invariants.ts"
import type { LedgerView } from "../../../application/ledger-view.ts"
import { isObservedType } from "../../../application/observed-event-codec.ts"
import type { AuditState } from "../../../application/projections/audit.ts"
import type { LedgerEvent } from "../../../domain/events.ts"

export interface ReplayedLog {
  readonly state: AuditState
  readonly view: LedgerView
  readonly facts: LogFacts
  readonly events: number
  readonly span: AuditedLog["span"]
  readonly observed: AuditedLog["observed"]
}

/** The audit's one pass (application/invariants.ts `foldAuditLog`), named as the audit reads it. */
export const replayForAudit = (
  store: EventStoreShape,
  onProgress?: (done: number) => void,
  head?: number,
): Effect.Effect<ReplayedLog, StoreUnavailable | UndecodableEvent> =>
  Effect.map(foldAuditLog(store, { head, onProgress }), (log) => ({
    state: log.audit,
    view: log.view,
    facts: log.facts,
    events: log.events,
    span: log.span,
    observed: log.observed,
  }))

/** The log's own events, decoded, in order (for the what-if replay; observed facts are not work to re-route). */
export const decodedEvents = (
  store: EventStoreShape,
): Stream.Stream<LedgerEvent, StoreUnavailable | UndecodableEvent> =>
  store.readAll().pipe(
    Stream.filter((record) => !isObservedType(record.type)),
    Stream.mapEffect((record) => {
      const event = decodeEvent(record)
      return event._tag === "UndecodableEvent" ? Effect.fail(event) : Effect.succeed(event)
    }),
  )
