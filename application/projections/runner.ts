/**
 * Runs a projection durably: loads its saved state and checkpoint, folds the log in from
 * there in batches, and saves state and checkpoint together after each batch. Killed at any
 * moment, it resumes from the last save and reaches the same state as a fresh replay.
 */
import { Effect } from "effect"
import { foldLog } from "../decoded-log.ts"
import type { EventStoreShape } from "../event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "../event-store-errors.ts"
import type { ProjectionCheckpointsShape } from "../projection-checkpoints.ts"
import { type Checkpointed, initial, type Projection, projectionFold } from "./projection.ts"

export interface RunOptions {
  /** The most events folded between two saves (a live subscription saves what it has, never waits to fill a batch). */
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
  return Effect.gen(function* () {
    let current = yield* loadProjection(projection, checkpoints)
    let savedAt: number | undefined = current.checkpoint === 0 ? undefined : current.checkpoint
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
    yield* foldLog(
      store,
      projectionFold(projection),
      {
        fromPosition: current.checkpoint,
        follow: options.follow,
        pageSize: options.batchSize ?? 1000,
        // State and checkpoint saved together after each batch.
        onPage: (folded) =>
          Effect.suspend(() => {
            current = { state: folded.state, checkpoint: folded.position }
            return save
          }),
      },
      current.state,
    )
    yield* save
    return current
  })
}
