/**
 * The PostgreSQL store (`pg`). One table per schema; the global position is an identity
 * sequence drawn while a transaction-scoped advisory lock is held, so positions are handed out
 * in commit order and a reader can never see position N+1 committed while N is still pending
 * (the classic sequence-gap trap: docs/stores.md). An append is one call of the schema's
 * `append_units` function (migration 5) in autocommit: one round trip, one transaction, for a
 * single-stream append as for a multi-stream one. Appends that arrive while a call is in
 * flight go together in the next call (group commit), each still all or nothing on its own.
 * Subscriptions are the generic catch-up, woken by LISTEN/NOTIFY with a poll as fallback.
 */

import { type Duration, Effect, Option, type Scope } from "effect"
import pg from "pg"
import { parseStoredData } from "../../application/event-codec.ts"
import type {
  EventStoreShape,
  MultiAppendResult,
  RecordedEvent,
  StreamAppend,
} from "../../application/event-store.ts"
import type { AppendError, StoreUnavailable } from "../../application/event-store-errors.ts"
import {
  alreadyWritten,
  checkMultiAppend,
  decideMultiAppend,
  encodeMultiAppend,
  firstPlaces,
  singleAppend,
} from "./append-rules.ts"
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

/** A (multi-stream) append on its way: encoded, waiting for (or inside) a call of `append_units`. */
interface Pending {
  readonly appends: ReadonlyArray<StreamAppend>
  readonly encoded: ReadonlyArray<ReadonlyArray<string>>
  /** Its events and their encoded length, for bounding a group. */
  readonly events: number
  readonly bytes: number
  readonly resume: (result: Effect.Effect<MultiAppendResult, AppendError>) => void
}

/** One row of `append_units` per stream append, in the call's order. */
interface AppendRow {
  /** The unit's checks held and its events were written. Otherwise decideMultiAppend decides. */
  readonly accepted: boolean
  /** The stream's last revision before this append (-1: no stream). */
  readonly head: string
  /** Accepted: the last event's position; an accepted empty append: the log's head. */
  readonly last_position: string | null
  /** The batch's ids stored anywhere: [event_id, stream_id, revision, position], every row holding one. */
  readonly existing: ReadonlyArray<readonly [string, string, number, number]> | null
}

const describeAppends = (appends: ReadonlyArray<StreamAppend>) => appends.map((a) => a.streamId).join(", ")

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

    /**
     * One call of `append_units` (migration 5) for a group of appends: one statement, so in
     * autocommit one round trip and one transaction. Prepared once per connection.
     */
    const appendUnitsQuery = (group: ReadonlyArray<Pending>): pg.QueryConfig => {
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
        values: [
          serialisePositions,
          channel,
          now(),
          sizes,
          streams,
          expected,
          counts,
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
        const { rows } = await client.query<AppendRow>(appendUnitsQuery(group))
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
        const { rows } = await client.query<AppendRow>(appendUnitsQuery(group))
        const streams = group.flatMap((pending) => pending.appends.map((append) => append.streamId))
        for (const [index, row] of rows.entries()) {
          const streamId = streams[index]
          if (row.accepted && streamId !== undefined) await options.beforeCommit?.(streamId)
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

    const callAppendUnits = options.beforeCommit === undefined ? callAutocommit : callInTransaction

    /** What the function's rows (one per stream append of `pending`) mean for it. */
    const outcomeOf = (
      pending: Pending,
      rows: ReadonlyArray<AppendRow>,
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

    /**
     * Sends one group and settles each of its appends; never rejects. A failed statement wrote
     * nothing: a unique violation (reachable only without the append lock, or if another program
     * writes our table) is retried; after any other error PostgreSQL reports for a group of
     * several, each half is sent again, in order, so that a bad append ends up failing alone
     * while the others still go in a few groups.
     */
    /** Settles an append with a store failure (`cause`: the error, or what went wrong). */
    const failAppend = (pending: Pending, cause: unknown) =>
      pending.resume(Effect.fail(unavailable(cause, `appending to ${describeAppends(pending.appends)}`)))
    const KEPT_CHANGING = "the stream kept changing under the append"

    const sendGroup = async (group: ReadonlyArray<Pending>): Promise<void> => {
      let rows: ReadonlyArray<AppendRow>
      for (let tries = 1; ; tries++) {
        try {
          rows = await callAppendUnits(group)
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
      if (rows.some((row) => row.accepted && row.last_position !== null)) wake.notify()
      let offset = 0
      for (const pending of group) {
        const own = rows.slice(offset, offset + pending.appends.length)
        offset += pending.appends.length
        if (own.length !== pending.appends.length) failAppend(pending, "append_units returned too few rows")
        else pending.resume(outcomeOf(pending, own))
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
          (events + pending.events > GROUP_MAX_EVENTS || bytes + pending.bytes > GROUP_MAX_BYTES)
        )
          break
        events += pending.events
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

    const appendMulti = (
      appends: ReadonlyArray<StreamAppend>,
    ): Effect.Effect<MultiAppendResult, AppendError> =>
      Effect.suspend(() => {
        const invalid = checkMultiAppend(appends)
        if (invalid !== undefined) return Effect.fail(invalid)
        // Encoded before any lock is taken: a large batch must not hold other writers up.
        const encoded = encodeMultiAppend(appends)
        if (!Array.isArray(encoded)) return Effect.fail(encoded)
        return Effect.callback<MultiAppendResult, AppendError>((resume) => {
          let events = 0
          let bytes = 0
          for (const jsons of encoded) {
            events += jsons.length
            for (const json of jsons) bytes += json.length
          }
          const pending: Pending = { appends, encoded, events, bytes, resume }
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
      appendMulti,
      append: singleAppend(appendMulti),
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
