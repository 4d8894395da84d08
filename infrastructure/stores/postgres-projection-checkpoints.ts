/**
 * Projection state and checkpoint in PostgreSQL, beside the events (same schema): one row per
 * projection, written by a single statement, so state and checkpoint always move together.
 */
import { Effect, type Scope } from "effect"
import type { StoreUnavailable } from "../../application/event-store-errors.ts"
import type { ProjectionCheckpointsShape } from "../../application/projection-checkpoints.ts"
import { acquireMigratedPool } from "./postgres-pool.ts"
import { storeAttempt, storeFailure } from "./store-failure.ts"

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
    const attempt = storeAttempt(
      storeFailure(
        options.description,
        "check that PostgreSQL is running and that the URL's host, port, database, user and password are right",
      ),
    )
    const pool = yield* acquireMigratedPool({
      connectionString: options.connectionString,
      schema: options.schema,
      max: 2,
      applicationName: "heartbeat-ledger projections",
      attempt,
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
