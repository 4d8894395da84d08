/**
 * A catch-up subscription built from a store's gap-free ordered read: history after the
 * checkpoint, then live events as they commit. Used by every adapter that has no native
 * subscription; correctness rests on `readAfter` never skipping a committed position.
 */
import { Effect, Option, Stream } from "effect"
import type { RecordedEvent } from "../../application/event-store.ts"
import type { StoreUnavailable } from "../../application/event-store-errors.ts"

export const CATCH_UP_BATCH = 1000

export function catchUpSubscription(
  fromPosition: number,
  readAfter: (
    position: number,
    maxCount: number,
  ) => Effect.Effect<ReadonlyArray<RecordedEvent>, StoreUnavailable>,
  /** Completes when something may have been appended after `position` (a signal or a poll). */
  waitForAppend: (position: number) => Effect.Effect<void, StoreUnavailable>,
): Stream.Stream<RecordedEvent, StoreUnavailable> {
  return Stream.paginate(fromPosition, (checkpoint: number) =>
    Effect.gen(function* () {
      let batch = yield* readAfter(checkpoint, CATCH_UP_BATCH)
      while (batch.length === 0) {
        yield* waitForAppend(checkpoint)
        batch = yield* readAfter(checkpoint, CATCH_UP_BATCH)
      }
      const last = batch[batch.length - 1] as RecordedEvent
      return [batch, Option.some(last.position)] as const
    }),
  )
}
