/**
 * Where projections keep their state and checkpoint. Both are saved together, atomically,
 * so a restart resumes exactly where the last save stopped: never a state that has seen
 * events its checkpoint has not, or the reverse.
 */
import { Context, type Effect } from "effect"
import type { StoreUnavailable } from "./event-store-errors.ts"

export interface SavedProjection {
  /** Global position of the last event folded into `state`. */
  readonly checkpoint: number
  /** The projection's `toJSON` form. */
  readonly state: unknown
}

export interface ProjectionCheckpointsShape {
  readonly load: (name: string) => Effect.Effect<SavedProjection | undefined, StoreUnavailable>
  /**
   * Saves state and checkpoint in one atomic write. `expectedCheckpoint` guards against two
   * runners of one projection: the save fails (returns false) if the stored checkpoint moved.
   */
  readonly save: (
    name: string,
    saved: SavedProjection,
    expectedCheckpoint: number | undefined,
  ) => Effect.Effect<boolean, StoreUnavailable>
}

export class ProjectionCheckpoints extends Context.Service<
  ProjectionCheckpoints,
  ProjectionCheckpointsShape
>()("heartbeat-ledger/application/ProjectionCheckpoints") {}
