/**
 * One call of the schema's `append_units` function (migration 5) for a group of appends: the
 * query, how it is run in autocommit, and what its rows mean for each append of the group. One
 * statement, so in autocommit one round trip and one transaction for the whole group.
 */
import { Effect } from "effect"
import type pg from "pg"
import type { MultiAppendResult, StreamAppend } from "../../application/event-store.ts"
import type { AppendError, StoreUnavailable } from "../../application/event-store-errors.ts"
import { alreadyWritten, decideMultiAppend, firstPlaces } from "./append-rules.ts"

/** A (multi-stream) append on its way: encoded, waiting for (or inside) a call of `append_units`. */
export interface PendingAppend {
  readonly appends: ReadonlyArray<StreamAppend>
  readonly encoded: ReadonlyArray<ReadonlyArray<string>>
  /** Its events and their encoded length, for bounding a group. */
  readonly events: number
  readonly bytes: number
  readonly resume: (result: Effect.Effect<MultiAppendResult, AppendError>) => void
}

/** One row of `append_units` per stream append, in the call's order. */
export interface AppendRow {
  /** The unit's checks held and its events were written. Otherwise decideMultiAppend decides. */
  readonly accepted: boolean
  /** The stream's last revision before this append (-1: no stream). */
  readonly head: string
  /** Accepted: the last event's position; an accepted empty append: the log's head. */
  readonly last_position: string | null
  /** The batch's ids stored anywhere: [event_id, stream_id, revision, position], every row holding one. */
  readonly existing: ReadonlyArray<readonly [string, string, number, number]> | null
}

/**
 * Runs one `append_units` query, the call for `group`, and returns its rows (one per stream
 * append, in order). The store runs it in autocommit (`callInAutocommit`); the gap-safety test
 * stages a slow transaction with a call of its own.
 */
export type AppendUnitsCall = (
  pool: pg.Pool,
  query: pg.QueryConfig,
  group: ReadonlyArray<PendingAppend>,
) => Promise<ReadonlyArray<AppendRow>>

/**
 * PostgreSQL error classes after which a group is not retried append by append: the connection
 * (08) or the server (57P: shutting down) failed, not one of the group's statements.
 */
export const isStatementError = (error: unknown) => {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === "string" && code.length === 5 && !code.startsWith("08") && !code.startsWith("57P")
}

/** Unique violation: a concurrent writer took the same stream revision first. */
const UNIQUE_VIOLATION = "23505"

export const isUniqueViolation = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION

/** The call for `group`, prepared once per connection (`name`). `$1` turns the append lock on. */
export const appendUnitsQuery = (
  schema: string,
  channel: string,
  recordedAt: number,
  group: ReadonlyArray<PendingAppend>,
): pg.QueryConfig => {
  const sizes: number[] = []
  const streams: string[] = []
  const expected: string[] = []
  const counts: number[] = []
  const ids: string[] = []
  const types: string[] = []
  const versions: number[] = []
  const data: string[] = []
  for (const pending of group) {
    sizes.push(pending.appends.length)
    pending.appends.forEach((append, index) => {
      streams.push(append.streamId)
      expected.push(String(append.expectedRevision))
      counts.push(append.events.length)
      const encoded = pending.encoded[index] as ReadonlyArray<string>
      append.events.forEach((event, k) => {
        ids.push(event.id)
        types.push(event.type)
        versions.push(event.version)
        data.push(encoded[k] as string)
      })
    })
  }
  return {
    name: "hbl-append-units",
    text: `SELECT accepted, head::text AS head, last_position::text AS last_position, existing
           FROM "${schema}".append_units($1, $2, $3, $4::integer[], $5::text[], $6::text[], $7::integer[],
                                         $8::text[], $9::text[], $10::integer[], $11::json[])`,
    values: [true, channel, recordedAt, sizes, streams, expected, counts, ids, types, versions, data],
  }
}

/** The function in autocommit: the reply arrives after its COMMIT (pg resolves at ReadyForQuery). */
export const callInAutocommit: AppendUnitsCall = async (pool, query) => {
  const client = await pool.connect()
  try {
    const { rows } = await client.query<AppendRow>(query)
    client.release()
    return rows
  } catch (error) {
    // A statement PostgreSQL refused leaves the connection as good as before.
    client.release(!isStatementError(error))
    throw error
  }
}

export const describeAppends = (appends: ReadonlyArray<StreamAppend>) =>
  appends.map((a) => a.streamId).join(", ")

/** What the function's rows (one per stream append of `pending`) mean for it. */
export const outcomeOf = (
  pending: PendingAppend,
  rows: ReadonlyArray<AppendRow>,
  unavailable: (cause: unknown, doing: string) => StoreUnavailable,
): Effect.Effect<MultiAppendResult, AppendError> => {
  const { appends } = pending
  const heads = rows.map((row) => Number(row.head))
  if (rows[0]?.accepted === true) {
    const streams = appends.map((append, index) => ({
      nextExpectedRevision: (heads[index] as number) + append.events.length,
      position: Number(rows[index]?.last_position ?? 0),
    }))
    return Effect.succeed({
      streams,
      position: Math.max(...streams.map((result) => result.position)),
      written: appends.some((append) => append.events.length > 0),
    })
  }
  const stored = firstPlaces(rows.flatMap((row) => row.existing ?? []))
  const decision = decideMultiAppend(appends, heads, stored)
  switch (decision._tag) {
    case "Refuse":
      return Effect.fail(decision.error)
    case "AlreadyWritten":
      return Effect.succeed(alreadyWritten(heads, decision.last))
    case "Write":
      // The function declines exactly what the rules refuse or find written (migration 5).
      return Effect.fail(
        unavailable(
          "append_units declined an append the rules would write",
          `appending to ${describeAppends(appends)}`,
        ),
      )
  }
}
