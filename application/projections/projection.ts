/**
 * A projection is a fold over the global log: an initial state and an `evolve` per event.
 * States may be mutable accumulators (replaying millions of events must not copy maps), so a
 * projection also says how to copy its state to and from JSON — for checkpoints and for
 * comparing a rebuilt state with an incrementally maintained one.
 */
import { Effect, Stream } from "effect"
import type { LedgerEvent } from "../../domain/events.ts"
import { decodeEvent } from "../event-codec.ts"
import type { EventStoreShape, RecordedEvent } from "../event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "../event-store-errors.ts"

export type RecordMeta = Pick<RecordedEvent, "id" | "streamId" | "revision" | "position" | "recordedAt">

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

/** Folds a batch of recorded events in, decoding each; an undecodable one stops the fold. */
export function applyRecords<S>(
  projection: Projection<S>,
  from: Checkpointed<S>,
  records: Iterable<RecordedEvent>,
): Checkpointed<S> | UndecodableEvent {
  let { state, checkpoint } = from
  for (const record of records) {
    if (record.position <= checkpoint) continue
    const event = decodeEvent(record)
    if (event._tag === "UndecodableEvent") return event
    state = projection.evolve(state, event, record)
    checkpoint = record.position
  }
  return { state, checkpoint }
}

/** Catches a projection up with the store's log, from its checkpoint to the current head. */
export function catchUpProjection<S>(
  projection: Projection<S>,
  store: EventStoreShape,
  from: Checkpointed<S> = initial(projection),
): Effect.Effect<Checkpointed<S>, StoreUnavailable | UndecodableEvent> {
  return Effect.suspend(() => {
    let current = from
    return store.readAll({ fromPosition: from.checkpoint }).pipe(
      // Whole chunks at a time: one Effect step per chunk, not per event, keeps replay fast.
      Stream.runForEachArray((records) =>
        Effect.suspend(() => {
          const next = applyRecords(projection, current, records)
          if ("_tag" in next) return Effect.fail(next)
          current = next
          return Effect.void
        }),
      ),
      Effect.map(() => current),
    )
  })
}
