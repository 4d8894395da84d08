/**
 * A projection is a fold over the global log: an initial state and an `evolve` per event.
 * States may be mutable accumulators (replaying millions of events must not copy maps), so a
 * projection also says how to copy its state to and from JSON — for checkpoints and for
 * comparing a rebuilt state with an incrementally maintained one.
 */
import { Effect } from "effect"
import type { LedgerEvent } from "../../domain/events.ts"
import { foldLog, foldPage, type LogFold, type RecordMeta } from "../decoded-log.ts"
import type { EventStoreShape, RecordedEvent } from "../event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "../event-store-errors.ts"

export type { RecordMeta } from "../decoded-log.ts"

export interface Projection<S> {
  readonly name: string
  readonly init: () => S
  readonly evolve: (state: S, event: LedgerEvent, record: RecordMeta) => S
  /** A JSON-safe copy of the state (Maps as entry arrays); `fromJSON(toJSON(s))` equals `s`. */
  readonly toJSON: (state: S) => unknown
  readonly fromJSON: (json: unknown) => S
}

export interface Checkpointed<S> {
  readonly state: S
  /** Global position of the last event folded in (exclusive start of the next read). */
  readonly checkpoint: number
}

export const initial = <S>(projection: Projection<S>): Checkpointed<S> => ({
  state: projection.init(),
  checkpoint: 0,
})

/** A projection as a fold of the decoded log (it reads the ledger's events, not observed facts). */
export const projectionFold = <S>(projection: Projection<S>): LogFold<S> => ({
  init: projection.init,
  ledger: projection.evolve,
})

/**
 * Folds a batch of recorded events in, decoding each; an undecodable one stops the fold. A
 * record at or before the checkpoint is already in the state, and skipped.
 */
export function applyRecords<S>(
  projection: Projection<S>,
  from: Checkpointed<S>,
  records: Iterable<RecordedEvent>,
): Checkpointed<S> | UndecodableEvent {
  const folded = foldPage(
    projectionFold(projection),
    { state: from.state, position: from.checkpoint, records: 0 },
    records,
  )
  return "_tag" in folded ? folded : { state: folded.state, checkpoint: folded.position }
}

/** Catches a projection up with the store's log, from its checkpoint to the current head. */
export const catchUpProjection = <S>(
  projection: Projection<S>,
  store: EventStoreShape,
  from: Checkpointed<S> = initial(projection),
): Effect.Effect<Checkpointed<S>, StoreUnavailable | UndecodableEvent> =>
  Effect.map(
    foldLog(store, projectionFold(projection), { fromPosition: from.checkpoint }, from.state),
    (folded) => ({ state: folded.state, checkpoint: folded.position }),
  )
