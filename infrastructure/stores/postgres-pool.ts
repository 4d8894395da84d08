/**
 * A PostgreSQL connection pool whose schema is migrated before first use, closed with its
 * scope. Shared by the event store and the projection checkpoints, which live in one schema.
 */
import { Effect, type Scope } from "effect"
import pg from "pg"
import type { StoreUnavailable } from "../../application/event-store-errors.ts"
import { migrate } from "./postgres-migrations.ts"

export const acquireMigratedPool = (options: {
  readonly connectionString: string
  readonly schema: string
  readonly max: number
  readonly applicationName: string
  readonly attempt: <A>(doing: string, run: () => Promise<A>) => Effect.Effect<A, StoreUnavailable>
}): Effect.Effect<pg.Pool, StoreUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const created = new pg.Pool({
          connectionString: options.connectionString,
          max: options.max,
          connectionTimeoutMillis: 10_000,
          application_name: options.applicationName,
        })
        // An idle connection dropped by the server must not crash the process; the next query reports it.
        created.on("error", () => undefined)
        return created
      }),
      (pool) => Effect.promise(() => pool.end().catch(() => undefined)),
    )
    yield* options.attempt("connecting and migrating the schema", async () => {
      const client = await pool.connect()
      try {
        await migrate(client, options.schema)
        client.release()
      } catch (error) {
        client.release(true)
        throw error
      }
    })
    return pool
  })
