/**
 * The PostgreSQL store (`pg`). One table per schema; the global position is an identity
 * sequence drawn while a transaction-scoped advisory lock is held, so positions are handed out
 * in commit order and a reader can never see position N+1 committed while N is still pending
 * (the classic sequence-gap trap: docs/stores.md). An append is one call of the schema's
 * `append_units` function (migration 5, postgres-append-units.ts) in autocommit: one round
 * trip, one transaction, for a single-stream append as for a multi-stream one. Appends that
 * arrive while a call is in flight go together in the next call (postgres-group-commit.ts),
 * each still all or nothing on its own. Reads are postgres-reads.ts; subscriptions are the
 * generic catch-up, woken by LISTEN/NOTIFY (postgres-append-listener.ts) with a poll as fallback.
 */

import { Effect, type Scope } from "effect"
import type { EventStoreShape, MultiAppendResult, StreamAppend } from "../../application/event-store.ts"
import type { AppendError, StoreUnavailable } from "../../application/event-store-errors.ts"
import { checkMultiAppend, encodeMultiAppend, singleAppend } from "./append-rules.ts"
import { makeAppendWake } from "./append-wake.ts"
import { catchUpSubscription } from "./catch-up.ts"
import { appendChannelOf, listenForAppends } from "./postgres-append-listener.ts"
import {
  type AppendUnitsCall,
  appendUnitsQuery,
  callInAutocommit,
  type PendingAppend,
} from "./postgres-append-units.ts"
import { makeGroupCommit } from "./postgres-group-commit.ts"
import { acquireMigratedPool } from "./postgres-pool.ts"
import { makePostgresReads } from "./postgres-reads.ts"
import { storeAttempt, storeFailure } from "./store-failure.ts"

export interface PostgresEventStoreOptions {
  /** A `pg` connection string (without our `schema` parameter). */
  readonly connectionString: string
  /** The PostgreSQL schema holding our tables; created when missing. A plain lower-case identifier. */
  readonly schema: string
  /** Names the store in messages: the URL with its password masked. */
  readonly description: string
}

/**
 * How appends reach `append_units`: grouped, each call in autocommit (`GROUPED_IN_AUTOCOMMIT`).
 * The PostgreSQL tests stage other paths: one call per append as the group-commit reference, a
 * slow transaction without the append lock to show the sequence-gap trap.
 */
export interface PostgresAppendPath {
  readonly grouped: boolean
  readonly call: AppendUnitsCall
}

export const GROUPED_IN_AUTOCOMMIT: PostgresAppendPath = { grouped: true, call: callInAutocommit }

const POOL_SIZE = 8
/** The fallback poll of a waiting subscription, for when a notification is lost. */
const POLL_EVERY = "1 second"

export const makePostgresEventStore = (
  options: PostgresEventStoreOptions,
  path: PostgresAppendPath = GROUPED_IN_AUTOCOMMIT,
): Effect.Effect<EventStoreShape, StoreUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const { description, schema } = options
    const table = `"${schema}".events`
    const channel = appendChannelOf(schema)
    const unavailable = storeFailure(
      description,
      "check that PostgreSQL is running and that the URL's host, port, database, user and password are right, " +
        "or choose another store with --store / HEARTBEAT_LEDGER_STORE",
    )
    const attempt = storeAttempt(unavailable)
    const pool = yield* acquireMigratedPool({
      connectionString: options.connectionString,
      schema,
      max: POOL_SIZE,
      applicationName: "heartbeat-ledger",
      attempt,
    })

    const headPosition = attempt("reading the head position", () =>
      pool.query<{ position: string }>(`SELECT coalesce(max(position), 0) AS position FROM ${table}`),
    ).pipe(Effect.map((result) => Number(result.rows[0]?.position ?? 0)))

    const wake = makeAppendWake(headPosition, POLL_EVERY)
    yield* listenForAppends({
      connectionString: options.connectionString,
      channel,
      attempt,
      onAppend: () => wake.notify(),
    })

    const groupCommit = makeGroupCommit({
      call: (group) => path.call(pool, appendUnitsQuery(schema, channel, Date.now(), group), group),
      grouped: path.grouped,
      unavailable,
      onWritten: () => wake.notify(),
    })

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
          const pending: PendingAppend = { appends, encoded, events, bytes, resume }
          return groupCommit.submit(pending)
        })
      })

    const reads = makePostgresReads({ pool, table, attempt, headPosition })

    return {
      description,
      // Positions are handed out in commit order and never reused. A hole (a failed transaction
      // burns its identity values; a crash skips a few) only means a writer cannot tell that
      // nobody wrote in between, so the ledger reads the log instead: slower, never wrong.
      densePositions: true,
      appendMulti,
      append: singleAppend(appendMulti),
      readStream: reads.readStream,
      readAll: reads.readAll,
      subscribeToAll: (subscribeOptions = {}) =>
        catchUpSubscription(
          subscribeOptions.fromPosition ?? 0,
          (position, limit) => reads.readAfter(position, limit, Number.MAX_SAFE_INTEGER),
          wake.waitForAppend,
        ),
      headPosition,
    } satisfies EventStoreShape
  })
