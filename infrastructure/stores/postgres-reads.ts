/**
 * The PostgreSQL store's reads: a stream by revision, the log by position up to a bound, each a
 * page at a time, rows mapped to RecordedEvents as stored (the `json` column read as text and
 * parsed by us, so what we stored is what we return).
 */
import { Effect } from "effect"
import type pg from "pg"
import type { EventStoreShape } from "../../application/event-store.ts"
import type { StoreUnavailable } from "../../application/event-store-errors.ts"
import { type EventRow, recordedFromRow } from "./event-row.ts"
import { pagedLogRead, pagedStreamRead } from "./paged-read.ts"

const COLUMNS = "position, stream_id, revision, event_id, type, version, data::text AS data, recorded_at"

export function makePostgresReads(options: {
  readonly pool: pg.Pool
  /** The quoted, schema-qualified events table. */
  readonly table: string
  readonly attempt: <A>(doing: string, run: () => Promise<A>) => Effect.Effect<A, StoreUnavailable>
  readonly headPosition: Effect.Effect<number, StoreUnavailable>
}) {
  const { pool, table, attempt, headPosition } = options

  const readStream: EventStoreShape["readStream"] = (streamId, readOptions = {}) =>
    pagedStreamRead(readOptions, (from, limit, isBackwards) =>
      attempt(`reading ${streamId}`, () =>
        pool.query<EventRow>(
          isBackwards
            ? `SELECT ${COLUMNS} FROM ${table} WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`
            : `SELECT ${COLUMNS} FROM ${table} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
          [streamId, from, limit],
        ),
      ).pipe(Effect.map((result) => result.rows.map(recordedFromRow))),
    )

  /** At most `limit` events after `position` and at or before `until`, in position order. */
  const readAfter = (position: number, limit: number, until: number) =>
    attempt("reading the log", () =>
      pool.query<EventRow>(
        `SELECT ${COLUMNS} FROM ${table} WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3`,
        [position, until, limit],
      ),
    ).pipe(Effect.map((result) => result.rows.map(recordedFromRow)))

  return { readStream, readAll: pagedLogRead(headPosition, readAfter), readAfter }
}
