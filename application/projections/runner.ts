/**
 * Runs a projection durably: loads its saved state and checkpoint, folds the log in from
 * there in batches, and saves state and checkpoint together after each batch. Killed at any
 * moment, it resumes from the last save and reaches the same state as a fresh replay.
 */
import { Effect, Stream } from "effect"
import type { EventStoreShape } from "../event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "../event-store-errors.ts"
import type { ProjectionCheckpointsShape } from "../projection-checkpoints.ts"
import { applyRecords, type Checkpointed, initial, type Projection } from "./projection.ts"

export interface RunOptions {
  /** Events folded between two saves. */
  readonly batchSize?: number
  /** Keep following live appends (a catch-up subscription) instead of stopping at the head. */
  readonly follow?: boolean
}

export function loadProjection<S>(
  projection: Projection<S>,
  checkpoints: ProjectionCheckpointsShape,
): Effect.Effect<Checkpointed<S>, StoreUnavailable> {
  return Effect.map(checkpoints.load(projection.name), (saved) =>
    saved === undefined
      ? initial(projection)
      : { state: projection.fromJSON(saved.state), checkpoint: saved.checkpoint },
  )
}

export function runProjection<S>(
  projection: Projection<S>,
  store: EventStoreShape,
  checkpoints: ProjectionCheckpointsShape,
  options: RunOptions = {},
): Effect.Effect<Checkpointed<S>, StoreUnavailable | UndecodableEvent> {
  const batchSize = options.batchSize ?? 1000
  return Effect.gen(function* () {
    let current = yield* loadProjection(projection, checkpoints)
    let savedAt: number | undefined = current.checkpoint === 0 ? undefined : current.checkpoint
    const source = options.follow
      ? store.subscribeToAll({ fromPosition: current.checkpoint })
      : store.readAll({ fromPosition: current.checkpoint })
    const save = Effect.gen(function* () {
      if (current.checkpoint === (savedAt ?? 0)) return
      const ok = yield* checkpoints.save(
        projection.name,
        { checkpoint: current.checkpoint, state: projection.toJSON(current.state) },
        savedAt,
      )
      if (!ok) return yield* Effect.die(new Error(`projection ${projection.name} is being run elsewhere`))
      savedAt = current.checkpoint
    })
    yield* source.pipe(
      Stream.rechunk(batchSize),
      Stream.runForEachArray((records) =>
        Effect.gen(function* () {
          const next = applyRecords(projection, current, records)
          if ("_tag" in next) return yield* Effect.fail(next)
          current = next
          yield* save
        }),
      ),
    )
    yield* save
    return current
  })
}
