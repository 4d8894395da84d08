/**
 * The PostgreSQL store (`pg`). One table per schema; the global position is an identity
 * sequence drawn while a transaction-scoped advisory lock is held, so positions are handed out
 * in commit order and a reader can never see position N+1 committed while N is still pending
 * (the classic sequence-gap trap: docs/stores.md). Subscriptions are the generic catch-up,
 * woken by LISTEN/NOTIFY with a poll as fallback.
 */

import { type Duration, Effect, Layer, Option, type Scope } from "effect"
import pg from "pg"
import type {
  AppendResult,
  EventData,
  EventStoreShape,
  ExpectedRevision,
  RecordedEvent,
} from "../../application/event-store.ts"
import { EventStore } from "../../application/event-store.ts"
import type { AppendError, StoreUnavailable } from "../../application/event-store-errors.ts"
import { decideAppend, encodeEventData } from "./append-rules.ts"
import { makeAppendWake } from "./append-wake.ts"
import { catchUpSubscription } from "./catch-up.ts"
import { pagedRead, pagedReadToHead, pagedStreamRead } from "./paged-read.ts"
import { acquireMigratedPool } from "./postgres-pool.ts"
import { storeAttempt, storeFailure } from "./store-failure.ts"

export interface PostgresEventStoreOptions {
  /** A `pg` connection string (without our `schema` parameter). */
  readonly connectionString: string
  /** The PostgreSQL schema holding our tables; created when missing. A plain lower-case identifier. */
  readonly schema: string
  /** Names the store in messages: the URL with its password masked. */
  readonly description: string
  readonly poolSize?: number
  /** The fallback poll of a waiting subscription, for when a notification is lost. */
  readonly pollEvery?: Duration.Input
  readonly now?: () => number
  /**
   * Internal, for the gap-safety test only: `false` drops the append lock, which re-creates the
   * sequence-gap trap. Never set it anywhere else.
   */
  readonly serialisePositions?: boolean
  /** Internal, for the gap-safety test only: runs inside the append transaction, just before COMMIT. */
  readonly beforeCommit?: (streamId: string) => Promise<void>
}

interface EventRow {
  readonly position: string
  readonly stream_id: string
  readonly revision: string
  readonly event_id: string
  readonly type: string
  readonly version: number
  /** The `json` column is read as text and parsed by us, so what we stored is what we return. */
  readonly data: string
  readonly recorded_at: string
}

const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  type: row.type,
  version: row.version,
  data: JSON.parse(row.data),
  streamId: row.stream_id,
  revision: Number(row.revision),
  position: Number(row.position),
  recordedAt: Number(row.recorded_at),
})

/** Unique violation: a concurrent writer took the same stream revision first. */
const UNIQUE_VIOLATION = "23505"
const MAX_APPEND_ATTEMPTS = 5

const isUniqueViolation = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION

/** NOTIFY channels are identifiers: at most 63 bytes. A shared truncated name only costs a spurious wake. */
const channelFor = (schema: string) => `hbl_append_${schema}`.slice(0, 63)

type Outcome =
  | { readonly _tag: "Done"; readonly result: AppendResult; readonly wrote: boolean }
  | { readonly _tag: "Refused"; readonly error: AppendError }
  | { readonly _tag: "Retry" }

export const makePostgresEventStore = (
  options: PostgresEventStoreOptions,
): Effect.Effect<EventStoreShape, StoreUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const { description, schema } = options
    const table = `"${schema}".events`
    const channel = channelFor(schema)
    const now = options.now ?? Date.now
    const serialisePositions = options.serialisePositions ?? true
    const unavailable = storeFailure(
      description,
      "check that PostgreSQL is running and that the URL's host, port, database, user and password are right, " +
        "or choose another store with --store / HEARTBEAT_LEDGER_STORE",
    )
    const attempt = storeAttempt(unavailable)
    const pool = yield* acquireMigratedPool({
      connectionString: options.connectionString,
      schema,
      max: options.poolSize ?? 8,
      applicationName: "heartbeat-ledger",
      attempt,
    })

    const headPosition = attempt("reading the head position", () =>
      pool.query<{ position: string }>(`SELECT coalesce(max(position), 0) AS position FROM ${table}`),
    ).pipe(Effect.map((result) => Number(result.rows[0]?.position ?? 0)))

    const wake = makeAppendWake(headPosition, options.pollEvery ?? "1 second")

    // One dedicated connection LISTENs; if it drops, subscriptions fall back to the poll.
    yield* Effect.acquireRelease(
      attempt("listening for appends", async () => {
        const listener = new pg.Client({
          connectionString: options.connectionString,
          connectionTimeoutMillis: 10_000,
        })
        listener.on("error", () => undefined)
        listener.on("notification", () => wake.notify())
        await listener.connect()
        await listener.query(`LISTEN "${channel}"`)
        return listener
      }),
      (listener) => Effect.promise(() => listener.end().catch(() => undefined)),
    )

    const columns = "position, stream_id, revision, event_id, type, version, data::text AS data, recorded_at"

    const tryAppendOnce = async (
      client: pg.PoolClient,
      streamId: string,
      events: ReadonlyArray<EventData>,
      expected: ExpectedRevision,
      encoded: ReadonlyArray<string>,
    ): Promise<Outcome> => {
      // Round trips: BEGIN with the append lock, the stream's head with the batch's ids, the
      // insert with its notification, COMMIT — four, where each step was once its own.
      // All appends of this schema queue on the lock, so the identity values below are drawn,
      // and committed, one transaction after the other. Taken before the stream is read, it also
      // makes the expected-revision check and the insert one atomic step. (A simple query, so
      // BEGIN and the lock travel together; the schema is a plain identifier, quoted anyway.)
      try {
        await client.query(
          serialisePositions
            ? `BEGIN; SELECT pg_advisory_xact_lock(hashtext('heartbeat-ledger/append'), hashtext('${schema.replaceAll("'", "''")}'))`
            : "BEGIN",
        )
        const found = await client.query<{
          revision: string | null
          existing: Array<[string, string]> | null
        }>(
          `SELECT (SELECT max(revision) FROM ${table} WHERE stream_id = $1) AS revision,
                  (SELECT json_agg(json_build_array(event_id, revision::text)) FROM (
                     SELECT event_id, min(revision) AS revision FROM ${table}
                     WHERE stream_id = $1 AND event_id = ANY($2::text[]) GROUP BY event_id) AS ids) AS existing`,
          [streamId, events.map((event) => event.id)],
        )
        const current = Number(found.rows[0]?.revision ?? -1)
        const revisionById = new Map(
          (found.rows[0]?.existing ?? []).map(([eventId, revision]) => [eventId, Number(revision)]),
        )
        const decision = decideAppend(
          streamId,
          expected,
          current,
          events.map((event) => revisionById.get(event.id)),
        )
        if (decision._tag === "Refuse") {
          await client.query("ROLLBACK")
          return { _tag: "Refused", error: decision.error }
        }
        if (decision._tag === "AlreadyWritten") {
          const found = await client.query<{ position: string }>(
            `SELECT position FROM ${table} WHERE stream_id = $1 AND revision = $2`,
            [streamId, decision.lastRevision],
          )
          await client.query("ROLLBACK")
          const position = Number(found.rows[0]?.position ?? 0)
          return { _tag: "Done", wrote: false, result: { nextExpectedRevision: current, position } }
        }
        if (events.length === 0) {
          await client.query("ROLLBACK")
          const last = await client.query<{ position: string }>(
            `SELECT coalesce(max(position), 0) AS position FROM ${table}`,
          )
          const position = Number(last.rows[0]?.position ?? 0)
          return { _tag: "Done", wrote: false, result: { nextExpectedRevision: current, position } }
        }
        const recordedAt = now()
        // ORDER BY ordinality: identity values are drawn row by row in the batch's order.
        // The notification rides on the insert: delivered at COMMIT, like a separate pg_notify.
        const inserted = await client.query<{ position: string }>(
          `WITH inserted AS (
             INSERT INTO ${table} (stream_id, revision, event_id, type, version, data, recorded_at)
             SELECT $1, $2::bigint + e.ordinality, e.id, e.type, e.version, e.data, $7
             FROM unnest($3::text[], $4::text[], $5::integer[], $6::json[]) WITH ORDINALITY
               AS e(id, type, version, data, ordinality)
             ORDER BY e.ordinality
             RETURNING position)
           SELECT max(position)::text AS position, (SELECT pg_notify($8, '')) AS notified FROM inserted`,
          [
            streamId,
            current,
            events.map((event) => event.id),
            events.map((event) => event.type),
            events.map((event) => event.version),
            encoded,
            recordedAt,
            channel,
          ],
        )
        if (options.beforeCommit !== undefined) await options.beforeCommit(streamId)
        await client.query("COMMIT")
        const position = Number(inserted.rows[0]?.position ?? 0)
        return {
          _tag: "Done",
          wrote: true,
          result: { nextExpectedRevision: current + events.length, position },
        }
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined)
        // Only reachable without the append lock, or if another program writes our table.
        if (isUniqueViolation(error)) return { _tag: "Retry" }
        throw error
      }
    }

    const append = (
      streamId: string,
      events: ReadonlyArray<EventData>,
      expected: ExpectedRevision,
    ): Effect.Effect<AppendResult, AppendError> =>
      Effect.gen(function* () {
        // Encoded before any lock is taken: a large batch must not hold other writers up.
        const encoded = encodeEventData(streamId, events)
        if (!Array.isArray(encoded)) return yield* encoded
        const outcome = yield* Effect.acquireUseRelease(
          attempt("connecting", () => pool.connect()),
          (client) =>
            attempt(`appending to ${streamId}`, async () => {
              for (let tries = 1; ; tries++) {
                const result = await tryAppendOnce(client, streamId, events, expected, encoded)
                if (result._tag !== "Retry" || tries >= MAX_APPEND_ATTEMPTS) return result
              }
            }),
          // A connection left mid-transaction (interrupted, failed) is destroyed, which rolls it back.
          (client, exit) => Effect.sync(() => client.release(exit._tag === "Failure")),
        )
        if (outcome._tag === "Refused") return yield* outcome.error
        if (outcome._tag === "Retry") {
          return yield* unavailable("the stream kept changing under the append", `appending to ${streamId}`)
        }
        if (outcome.wrote) wake.notify()
        return outcome.result
      })

    const readStream: EventStoreShape["readStream"] = (streamId, readOptions = {}) =>
      pagedStreamRead(readOptions, (from, limit, isBackwards) =>
        attempt(`reading ${streamId}`, () =>
          pool.query<EventRow>(
            isBackwards
              ? `SELECT ${columns} FROM ${table} WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`
              : `SELECT ${columns} FROM ${table} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
            [streamId, from, limit],
          ),
        ).pipe(Effect.map((result) => result.rows.map(toRecorded))),
      )

    const readAfter = (position: number, limit: number, until: number) =>
      attempt("reading the log", () =>
        pool.query<EventRow>(
          `SELECT ${columns} FROM ${table} WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3`,
          [position, until, limit],
        ),
      ).pipe(Effect.map((result) => result.rows.map(toRecorded)))

    return {
      description,
      append,
      readStream,
      readAll: (readOptions = {}) =>
        pagedReadToHead(headPosition, (until) =>
          pagedRead({
            start: readOptions.fromPosition ?? 0,
            maxCount: readOptions.maxCount,
            readPage: (from, limit) => readAfter(from, limit, until),
            next: (last) => Option.some(last.position),
          }),
        ),
      subscribeToAll: (subscribeOptions = {}) =>
        catchUpSubscription(
          subscribeOptions.fromPosition ?? 0,
          (position, limit) => readAfter(position, limit, Number.MAX_SAFE_INTEGER),
          wake.waitForAppend,
        ),
      headPosition,
    } satisfies EventStoreShape
  })

export const layerPostgresEventStore = (options: PostgresEventStoreOptions) =>
  Layer.effect(EventStore, makePostgresEventStore(options))
