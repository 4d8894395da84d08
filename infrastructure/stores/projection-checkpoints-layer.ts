/**
 * The store URL → where projections keep state and checkpoint: in the same SQLite file or
 * PostgreSQL schema as the events. `memory:` keeps them in memory; so does EventStoreDB/KurrentDB
 * for now (projections then rebuild from the log at every start: slower, never wrong).
 * The PostgreSQL adapter is imported only when its URL scheme is used (see store-layer.ts).
 */
import { Effect, Layer } from "effect"
import type { StoreUnavailable } from "../../application/event-store-errors.ts"
import { ProjectionCheckpoints } from "../../application/projection-checkpoints.ts"
import { type InvalidStoreUrl, parseStoreUrl } from "../store-url.ts"
import type { LedgerFileRefused } from "./ledger-file-refused.ts"
import { makeMemoryProjectionCheckpoints } from "./memory-projection-checkpoints.ts"
import { makeSqliteProjectionCheckpoints } from "./sqlite-projection-checkpoints.ts"

export const layerProjectionCheckpointsFromUrl = (
  url: string,
): Layer.Layer<ProjectionCheckpoints, StoreUnavailable | InvalidStoreUrl | LedgerFileRefused> =>
  Layer.effect(
    ProjectionCheckpoints,
    Effect.gen(function* () {
      const store = yield* parseStoreUrl(url)
      switch (store._tag) {
        case "Sqlite":
          return yield* makeSqliteProjectionCheckpoints({ path: store.path, description: store.masked })
        case "Postgres": {
          const { makePostgresProjectionCheckpoints } = yield* Effect.promise(
            () => import("./postgres-projection-checkpoints.ts"),
          )
          return yield* makePostgresProjectionCheckpoints({
            connectionString: store.connectionString,
            schema: store.schema,
            description: store.masked,
          })
        }
        case "Memory":
        case "Esdb":
          return makeMemoryProjectionCheckpoints()
      }
    }),
  )
