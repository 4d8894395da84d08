/**
 * Projection state and checkpoint in PostgreSQL, beside the events (same schema): one row per
 * projection, written by a single statement, so state and checkpoint always move together.
 */
import { Effect, Layer, type Scope } from "effect"
import pg from "pg"
import { StoreUnavailable } from "../../application/event-store-errors.ts"
import {
  ProjectionCheckpoints,
  type ProjectionCheckpointsShape,
} from "../../application/projection-checkpoints.ts"
import { migrate } from "./postgres-migrations.ts"

export interface PostgresProjectionCheckpointsOptions {
  readonly connectionString: string
  readonly schema: string
  readonly description: string
}

export const makePostgresProjectionCheckpoints = (
  options: PostgresProjectionCheckpointsOptions,
): Effect.Effect<ProjectionCheckpointsShape, StoreUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const table = `"${options.schema}".projections`
    const attempt = <A>(doing: string, run: () => Promise<A>) =>
      Effect.tryPromise({
        try: run,
        catch: (cause) =>
          new StoreUnavailable({
            store: options.description,
            reason:
              `${doing} failed (${cause instanceof Error ? cause.message : String(cause)}); ` +
              "check that PostgreSQL is running and that the URL's host, port, database, user and password are right",
            cause,
          }),
      })
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const created = new pg.Pool({
          connectionString: options.connectionString,
          max: 2,
          connectionTimeoutMillis: 10_000,
          application_name: "heartbeat-ledger projections",
        })
        created.on("error", () => undefined)
        return created
      }),
      (pool) => Effect.promise(() => pool.end().catch(() => undefined)),
    )
    yield* attempt("connecting and migrating the schema", async () => {
      const client = await pool.connect()
      try {
        await migrate(client, options.schema)
        client.release()
      } catch (error) {
        client.release(true)
        throw error
      }
    })
    return {
      load: (name) =>
        attempt(`loading projection ${name}`, () =>
          pool.query<{ checkpoint: string; state: string }>(
            `SELECT checkpoint, state::text AS state FROM ${table} WHERE name = $1`,
            [name],
          ),
        ).pipe(
          Effect.map(({ rows: [row] }) =>
            row === undefined
              ? undefined
              : { checkpoint: Number(row.checkpoint), state: JSON.parse(row.state) },
          ),
        ),
      save: (name, saved, expectedCheckpoint) =>
        attempt(`saving projection ${name}`, () =>
          expectedCheckpoint === undefined
            ? pool.query(
                `INSERT INTO ${table} (name, checkpoint, state) VALUES ($1, $2, $3::json) ON CONFLICT (name) DO NOTHING`,
                [name, saved.checkpoint, JSON.stringify(saved.state)],
              )
            : // The WHERE on the old checkpoint is the guard against a second runner of the projection.
              pool.query(
                `UPDATE ${table} SET checkpoint = $2, state = $3::json, saved_at = now()
               WHERE name = $1 AND checkpoint = $4`,
                [name, saved.checkpoint, JSON.stringify(saved.state), expectedCheckpoint],
              ),
        ).pipe(Effect.map((result) => result.rowCount === 1)),
    } satisfies ProjectionCheckpointsShape
  })

export const layerPostgresProjectionCheckpoints = (options: PostgresProjectionCheckpointsOptions) =>
  Layer.effect(ProjectionCheckpoints, makePostgresProjectionCheckpoints(options))
