/**
 * Group commit for the PostgreSQL store. With nothing in flight an append is sent at once,
 * alone; appends arriving while a call is in flight wait for it and then go together, as one
 * call of `append_units` and so one transaction and one commit (fsync) for all of them. Each is
 * acknowledged after that COMMIT, and each keeps the outcome it has alone: a group whose
 * statement PostgreSQL refuses is split and sent again, so a bad append ends up failing alone.
 */
import { Effect } from "effect"
import type { StoreUnavailable } from "../../application/event-store-errors.ts"
import {
  type AppendRow,
  describeAppends,
  isStatementError,
  isUniqueViolation,
  outcomeOf,
  type PendingAppend,
} from "./postgres-append-units.ts"

const MAX_APPEND_ATTEMPTS = 5

/** A group is one statement: at most this many events, or this much JSON, unless one append is larger. */
const GROUP_MAX_EVENTS = 5_000
const GROUP_MAX_BYTES = 8 * 1024 * 1024

const KEPT_CHANGING = "the stream kept changing under the append"

export interface GroupCommit {
  /**
   * Sends `pending` (settling it through its `resume`) and returns what undoes it if the
   * caller is interrupted first: an append not yet sent never will be; once sent, it may commit.
   */
  readonly submit: (pending: PendingAppend) => Effect.Effect<void> | undefined
}

export function makeGroupCommit(options: {
  /** One call of `append_units` for the group: its rows, one per stream append, in order. */
  readonly call: (group: ReadonlyArray<PendingAppend>) => Promise<ReadonlyArray<AppendRow>>
  /** `false`: every append is sent alone, in a call of its own. */
  readonly grouped: boolean
  readonly unavailable: (cause: unknown, doing: string) => StoreUnavailable
  /** A call wrote events (subscribers in this process need not wait for the notification). */
  readonly onWritten: () => void
}): GroupCommit {
  const { call, unavailable } = options

  /** Settles an append with a store failure (`cause`: the error, or what went wrong). */
  const failAppend = (pending: PendingAppend, cause: unknown) =>
    pending.resume(Effect.fail(unavailable(cause, `appending to ${describeAppends(pending.appends)}`)))

  /**
   * Sends one group and settles each of its appends; never rejects. A failed statement wrote
   * nothing: a unique violation (reachable only without the append lock, or if another program
   * writes our table) is retried; after any other error PostgreSQL reports for a group of
   * several, each half is sent again, in order, so that a bad append ends up failing alone
   * while the others still go in a few groups.
   */
  const sendGroup = async (group: ReadonlyArray<PendingAppend>): Promise<void> => {
    let rows: ReadonlyArray<AppendRow>
    for (let tries = 1; ; tries++) {
      try {
        rows = await call(group)
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
    if (rows.some((row) => row.accepted && row.last_position !== null)) options.onWritten()
    let offset = 0
    for (const pending of group) {
      const own = rows.slice(offset, offset + pending.appends.length)
      offset += pending.appends.length
      if (own.length !== pending.appends.length) failAppend(pending, "append_units returned too few rows")
      else pending.resume(outcomeOf(pending, own, unavailable))
    }
  }

  const waiting: PendingAppend[] = []
  let sending = false

  /** The next group: the oldest waiting appends, bounded so that one statement stays modest. */
  const nextGroup = (): PendingAppend[] => {
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
  const send = (group: ReadonlyArray<PendingAppend>) =>
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

  return {
    submit: (pending) => {
      if (!options.grouped) {
        void send([pending])
        return undefined
      }
      waiting.push(pending)
      if (!sending) void drain()
      return Effect.sync(() => {
        const index = waiting.indexOf(pending)
        if (index >= 0) waiting.splice(index, 1)
      })
    },
  }
}
