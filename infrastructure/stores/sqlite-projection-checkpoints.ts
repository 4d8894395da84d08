/**
 * Projection state and checkpoint in the ledger's SQLite file: one row per projection, written
 * by a single statement, so a crash leaves either the previous save or the new one, never a
 * state from one and a checkpoint from the other.
 */
import { resolve } from "node:path"
import { Effect, type Scope } from "effect"
import type { StoreUnavailable } from "../../application/event-store-errors.ts"
import type { ProjectionCheckpointsShape } from "../../application/projection-checkpoints.ts"
import { LedgerFileRefused } from "./ledger-file-refused.ts"
import { openLedgerDatabase } from "./sqlite-database.ts"
import { storeFailure } from "./store-failure.ts"

export interface SqliteProjectionCheckpointsOptions {
  readonly path: string
  readonly description?: string
}

export const makeSqliteProjectionCheckpoints = (
  options: SqliteProjectionCheckpointsOptions,
): Effect.Effect<ProjectionCheckpointsShape, StoreUnavailable | LedgerFileRefused, Scope.Scope> =>
  Effect.gen(function* () {
    const path = resolve(options.path)
    const description = options.description ?? `sqlite:${options.path}`
    const unavailable = storeFailure(
      description,
      `check that ${path} is a writable SQLite file on a local disk`,
    )
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => openLedgerDatabase(path, "FULL"),
        catch: (cause) =>
          cause instanceof LedgerFileRefused ? cause : unavailable(cause, "opening the database"),
      }),
      (db) => Effect.sync(() => db.close()),
    )
    const select = db.prepare<[string], { checkpoint: number; state: string }>(
      "SELECT checkpoint, state FROM projections WHERE name = ?",
    )
    const insert = db.prepare<[string, number, string, number]>(
      "INSERT INTO projections (name, checkpoint, state, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
    )
    // The WHERE on the old checkpoint is the guard against a second runner of the projection.
    const update = db.prepare<[number, string, number, string, number]>(
      "UPDATE projections SET checkpoint = ?, state = ?, saved_at = ? WHERE name = ? AND checkpoint = ?",
    )
    return {
      load: (name) =>
        Effect.try({
          try: () => {
            const row = select.get(name)
            return row === undefined
              ? undefined
              : { checkpoint: row.checkpoint, state: JSON.parse(row.state) }
          },
          catch: (cause) => unavailable(cause, `loading projection ${name}`),
        }),
      save: (name, saved, expectedCheckpoint) =>
        Effect.try({
          try: () => {
            const state = JSON.stringify(saved.state)
            const result =
              expectedCheckpoint === undefined
                ? insert.run(name, saved.checkpoint, state, Date.now())
                : update.run(saved.checkpoint, state, Date.now(), name, expectedCheckpoint)
            return result.changes === 1
          },
          catch: (cause) => unavailable(cause, `saving projection ${name}`),
        }),
    } satisfies ProjectionCheckpointsShape
  })
