/**
 * The PostgreSQL store (`pg`). One table per schema; the global position is an identity
 * sequence drawn while a transaction-scoped advisory lock is held, so positions are handed out
 * in commit order and a reader can never see position N+1 committed while N is still pending
 * (the classic sequence-gap trap: docs/stores.md). An append is one call of the schema's
 * `append_events` function (migrations 3, 4) in autocommit: one round trip, one transaction.
 * Appends that arrive while a call is in flight go together in the next call (group commit).
 * Subscriptions are the generic catch-up, woken by LISTEN/NOTIFY with a poll as fallback.
 */

import { type Duration, Effect, Layer, Option, type Scope } from "effect"
import pg from "pg"
import { parseStoredData } from "../../application/event-codec.ts"
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
  /**
   * Internal, for the gap-safety test only: runs inside the append transaction, just before
   * COMMIT. Setting it sends every append alone, in an explicit transaction.
   */
  readonly beforeCommit?: (streamId: string) => Promise<void>
  /** Internal, for tests and measurements: `false` sends every append alone (no group commit). */
  readonly groupCommit?: boolean
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
  data: parseStoredData(row.data),
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

/**
 * PostgreSQL error classes after which a group is not retried append by append: the connection
 * (08) or the server (57P: shutting down) failed, not one of the group's statements.
 */
const isStatementError = (error: unknown) => {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === "string" && code.length === 5 && !code.startsWith("08") && !code.startsWith("57P")
}

/** A group is one statement: at most this many events, or this much JSON, unless one append is larger. */
const GROUP_MAX_EVENTS = 5_000
const GROUP_MAX_BYTES = 8 * 1024 * 1024

type Outcome =
  | { readonly _tag: "Done"; readonly result: AppendResult; readonly wrote: boolean }
  | { readonly _tag: "Refused"; readonly error: AppendError }
  | { readonly _tag: "Retry" }

/** An append on its way: encoded, waiting for (or inside) a call of `append_events`. */
interface Pending {
  readonly streamId: string
  readonly events: ReadonlyArray<EventData>
  readonly expected: ExpectedRevision
  readonly encoded: ReadonlyArray<string>
  /** The encoded data's length, for bounding a group. */
  readonly bytes: number
  readonly resume: (result: Effect.Effect<AppendResult, AppendError>) => void
}

/** One row of `append_events` per append, in the call's order. */
interface AppendRow {
  /** Written by the function. Otherwise nothing was written and decideAppend decides. */
  readonly wrote: boolean
  /** The stream's last revision before this append (-1: no stream). */
  readonly head: string
  /** Written: the last event's position; an empty append that may proceed: the log's head. */
  readonly last_position: string | null
  /** The batch's ids already in the stream: [event_id, revision, position], every row holding one. */
  readonly existing: ReadonlyArray<readonly [string, number, number]> | null
}

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

    const appendLockSql = `SELECT pg_advisory_xact_lock(hashtext('heartbeat-ledger/append'), hashtext('${schema.replaceAll("'", "''")}'))`

    /**
     * One call of `append_events` (migration 3) for a group of appends: one statement, so in
     * autocommit one round trip and one transaction. Prepared once per connection.
     */
    const appendEventsQuery = (group: ReadonlyArray<Pending>): pg.QueryConfig => {
      const ids: string[] = []
      const types: string[] = []
      const versions: number[] = []
      const data: string[] = []
      for (const pending of group) {
        pending.events.forEach((event, index) => {
          ids.push(event.id)
          types.push(event.type)
          versions.push(event.version)
          data.push(pending.encoded[index] as string)
        })
      }
      return {
        name: "hbl-append-events",
        text: `SELECT wrote, head::text AS head, last_position::text AS last_position, existing
               FROM "${schema}".append_events($1, $2, $3, $4::text[], $5::text[], $6::integer[],
                                              $7::text[], $8::text[], $9::integer[], $10::json[])`,
        values: [
          serialisePositions,
          channel,
          now(),
          group.map((pending) => pending.streamId),
          group.map((pending) => String(pending.expected)),
          group.map((pending) => pending.events.length),
          ids,
          types,
          versions,
          data,
        ],
      }
    }

    /** The function in autocommit: the reply arrives after its COMMIT (pg resolves at ReadyForQuery). */
    const callAutocommit = async (group: ReadonlyArray<Pending>) => {
      const client = await pool.connect()
      try {
        const { rows } = await client.query<AppendRow>(appendEventsQuery(group))
        client.release()
        return rows
      } catch (error) {
        // A statement PostgreSQL refused leaves the connection as good as before.
        client.release(!isStatementError(error))
        throw error
      }
    }

    /**
     * The test hooks' path: the same function inside an explicit transaction, so that
     * `beforeCommit` can stall while the append lock is held, as the gap-safety test needs.
     */
    const callInTransaction = async (group: ReadonlyArray<Pending>) => {
      const client = await pool.connect()
      try {
        await client.query("BEGIN")
        const { rows } = await client.query<AppendRow>(appendEventsQuery(group))
        for (const [index, row] of rows.entries()) {
          const pending = group[index]
          if (row.wrote && pending !== undefined) await options.beforeCommit?.(pending.streamId)
        }
        await client.query("COMMIT")
        client.release()
        return rows
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined)
        client.release(true)
        throw error
      }
    }

    const callAppendEvents = options.beforeCommit === undefined ? callAutocommit : callInTransaction

    /**
     * The explicit transaction, deciding in TypeScript between round trips: only for a case the
     * function declined but `decideAppend` would write, which the function's rule should make
     * impossible. Four round trips: BEGIN with the append lock, the stream's head with the
     * batch's ids, the insert with its notification, COMMIT.
     */
    const explicitAppendOnce = async (client: pg.PoolClient, pending: Pending): Promise<Outcome> => {
      const { streamId, events, expected, encoded } = pending
      try {
        await client.query(serialisePositions ? `BEGIN; ${appendLockSql}` : "BEGIN")
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
        if (decision._tag === "AlreadyWritten" || events.length === 0) {
          const found = await client.query<{ position: string }>(
            decision._tag === "AlreadyWritten"
              ? `SELECT position FROM ${table} WHERE stream_id = $1 AND revision = $2`
              : `SELECT coalesce(max(position), 0) AS position FROM ${table}`,
            decision._tag === "AlreadyWritten" ? [streamId, decision.lastRevision] : [],
          )
          await client.query("ROLLBACK")
          const position = Number(found.rows[0]?.position ?? 0)
          return { _tag: "Done", wrote: false, result: { nextExpectedRevision: current, position } }
        }
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
            now(),
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
        if (isUniqueViolation(error)) return { _tag: "Retry" }
        throw error
      }
    }

    const explicitAppend = async (pending: Pending): Promise<Outcome> => {
      const client = await pool.connect()
      try {
        for (let tries = 1; ; tries++) {
          const outcome = await explicitAppendOnce(client, pending)
          if (outcome._tag !== "Retry" || tries >= MAX_APPEND_ATTEMPTS) {
            client.release()
            return outcome
          }
        }
      } catch (error) {
        client.release(true)
        throw error
      }
    }

    /** What the function's row means for one append; `undefined`: take the explicit path. */
    const outcomeOf = (pending: Pending, row: AppendRow): Outcome | undefined => {
      const { streamId, events, expected } = pending
      const head = Number(row.head)
      if (row.wrote) {
        return {
          _tag: "Done",
          wrote: true,
          result: { nextExpectedRevision: head + events.length, position: Number(row.last_position) },
        }
      }
      // An id stored twice (a batch may repeat one) counts at its first revision.
      const stored = new Map<string, { readonly revision: number; readonly position: number }>()
      for (const [eventId, revision, position] of row.existing ?? []) {
        const seen = stored.get(eventId)
        if (seen === undefined || revision < seen.revision) stored.set(eventId, { revision, position })
      }
      const decision = decideAppend(
        streamId,
        expected,
        head,
        events.map((event) => stored.get(event.id)?.revision),
      )
      switch (decision._tag) {
        case "Refuse":
          return { _tag: "Refused", error: decision.error }
        case "AlreadyWritten": {
          // The batch's last event sits at lastRevision (decideAppend checked they are contiguous).
          const last = events[events.length - 1]
          const position = last === undefined ? 0 : (stored.get(last.id)?.position ?? 0)
          return { _tag: "Done", wrote: false, result: { nextExpectedRevision: head, position } }
        }
        case "Write":
          // An empty batch whose expected revision holds: the function returned the log's head.
          if (events.length === 0 && row.last_position !== null) {
            return {
              _tag: "Done",
              wrote: false,
              result: { nextExpectedRevision: head, position: Number(row.last_position) },
            }
          }
          return undefined
      }
    }

    /**
     * Sends one group and settles each of its appends; never rejects. A failed statement wrote
     * nothing: a unique violation (reachable only without the append lock, or if another program
     * writes our table) is retried; after any other error PostgreSQL reports for a group of
     * several, each half is sent again, in order, so that a bad append ends up failing alone
     * while the others still go in a few groups.
     */
    /** Settles an append with a store failure (`cause`: the error, or what went wrong). */
    const failAppend = (pending: Pending, cause: unknown) =>
      pending.resume(Effect.fail(unavailable(cause, `appending to ${pending.streamId}`)))
    const KEPT_CHANGING = "the stream kept changing under the append"

    const sendGroup = async (group: ReadonlyArray<Pending>): Promise<void> => {
      let rows: ReadonlyArray<AppendRow>
      for (let tries = 1; ; tries++) {
        try {
          rows = await callAppendEvents(group)
          break
        } catch (error) {
          if (isUniqueViolation(error) && tries < MAX_APPEND_ATTEMPTS) continue
          if (group.length > 1 && isStatementError(error)) {
            const half = Math.ceil(group.length / 2)
            await sendGroup(group.slice(0, half))
            await sendGroup(group.slice(half))
            return
          }
          for (const pending of group) failAppend(pending, isUniqueViolation(error) ? KEPT_CHANGING : error)
          return
        }
      }
      if (rows.some((row) => row.wrote)) wake.notify()
      for (const [index, pending] of group.entries()) {
        const row = rows[index]
        let outcome = row === undefined ? undefined : outcomeOf(pending, row)
        if (outcome === undefined) {
          try {
            outcome = await explicitAppend(pending)
            if (outcome._tag === "Done" && outcome.wrote) wake.notify()
          } catch (error) {
            failAppend(pending, error)
            continue
          }
        }
        if (outcome._tag === "Done") pending.resume(Effect.succeed(outcome.result))
        else if (outcome._tag === "Refused") pending.resume(Effect.fail(outcome.error))
        else failAppend(pending, KEPT_CHANGING)
      }
    }

    // Group commit. With nothing in flight an append is sent at once, alone; appends arriving
    // while a call is in flight wait for it and then go together, as one call and so one
    // transaction and one commit (fsync) for all of them. Each is acknowledged after that COMMIT.
    const waiting: Pending[] = []
    let sending = false

    /** The next group: the oldest waiting appends, bounded so that one statement stays modest. */
    const nextGroup = (): Pending[] => {
      let events = 0
      let bytes = 0
      let count = 0
      for (const pending of waiting) {
        if (
          count > 0 &&
          (events + pending.events.length > GROUP_MAX_EVENTS || bytes + pending.bytes > GROUP_MAX_BYTES)
        )
          break
        events += pending.events.length
        bytes += pending.bytes
        count++
      }
      return waiting.splice(0, count)
    }

    /** sendGroup settles every append itself; should it throw anyway, nobody is left waiting. */
    const send = (group: ReadonlyArray<Pending>) =>
      sendGroup(group).catch((error: unknown) => {
        // A second resume of an append already settled is ignored.
        for (const pending of group) failAppend(pending, error)
      })

    const drain = async () => {
      sending = true
      try {
        while (waiting.length > 0) await send(nextGroup())
      } finally {
        sending = false
      }
    }

    const groupCommit =
      (options.groupCommit ?? true) && options.beforeCommit === undefined && serialisePositions

    const append = (
      streamId: string,
      events: ReadonlyArray<EventData>,
      expected: ExpectedRevision,
    ): Effect.Effect<AppendResult, AppendError> =>
      Effect.suspend(() => {
        // Encoded before any lock is taken: a large batch must not hold other writers up.
        const encoded = encodeEventData(streamId, events)
        if (!Array.isArray(encoded)) return Effect.fail(encoded)
        return Effect.callback<AppendResult, AppendError>((resume) => {
          const pending: Pending = {
            streamId,
            events,
            expected,
            encoded,
            bytes: encoded.reduce((sum, json) => sum + json.length, 0),
            resume,
          }
          if (!groupCommit) {
            void send([pending])
            return
          }
          waiting.push(pending)
          if (!sending) void drain()
          // Interrupted before it was sent: it never will be. Once sent, it may still commit.
          return Effect.sync(() => {
            const index = waiting.indexOf(pending)
            if (index >= 0) waiting.splice(index, 1)
          })
        })
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
      // Positions are handed out in commit order and never reused. A hole (a failed transaction
      // burns its identity values; a crash skips a few) only means a writer cannot tell that
      // nobody wrote in between, so the ledger reads the log instead: slower, never wrong.
      densePositions: true,
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
