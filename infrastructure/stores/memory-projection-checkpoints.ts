/** Projection checkpoints kept in memory, beside the in-memory event store. */
import { Effect } from "effect"
import type { ProjectionCheckpointsShape, SavedProjection } from "../../application/projection-checkpoints.ts"

export function makeMemoryProjectionCheckpoints(): ProjectionCheckpointsShape {
  const saved = new Map<string, string>()
  return {
    load: (name) =>
      Effect.sync(() => {
        const json = saved.get(name)
        return json === undefined ? undefined : (JSON.parse(json) as SavedProjection)
      }),
    save: (name, projection, expectedCheckpoint) =>
      Effect.sync(() => {
        const current = saved.get(name)
        const currentCheckpoint =
          current === undefined ? undefined : (JSON.parse(current) as SavedProjection).checkpoint
        if (currentCheckpoint !== expectedCheckpoint) return false
        saved.set(name, JSON.stringify(projection))
        return true
      }),
  }
}
