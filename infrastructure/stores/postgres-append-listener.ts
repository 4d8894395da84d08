/**
 * One dedicated connection that LISTENs for the schema's append notifications (sent by
 * `append_units` at commit), closed with its scope. If it drops, subscriptions fall back to
 * their poll.
 */
import { Effect, type Scope } from "effect"
import pg from "pg"
import type { StoreUnavailable } from "../../application/event-store-errors.ts"

/** NOTIFY channels are identifiers: at most 63 bytes. A shared truncated name only costs a spurious wake. */
export const appendChannelOf = (schema: string) => `hbl_append_${schema}`.slice(0, 63)

export const listenForAppends = (options: {
  readonly connectionString: string
  readonly channel: string
  readonly attempt: <A>(doing: string, run: () => Promise<A>) => Effect.Effect<A, StoreUnavailable>
  readonly onAppend: () => void
}): Effect.Effect<void, StoreUnavailable, Scope.Scope> =>
  Effect.asVoid(
    Effect.acquireRelease(
      options.attempt("listening for appends", async () => {
        const listener = new pg.Client({
          connectionString: options.connectionString,
          connectionTimeoutMillis: 10_000,
        })
        listener.on("error", () => undefined)
        listener.on("notification", options.onAppend)
        await listener.connect()
        await listener.query(`LISTEN "${options.channel}"`)
        return listener
      }),
      (listener) => Effect.promise(() => listener.end().catch(() => undefined)),
    ),
  )
