import type { LedgerStream } from "../domain/ledger-decision.ts"

/**
 * Stream naming. Every stream starts with STREAM_PREFIX so that a shared store (an
 * EventStoreDB `$all`, a PostgreSQL database) can be filtered to the ledger's own streams.
 */
export const STREAM_PREFIX = "hbl-"

/** One stream per queue: its events decide every enqueue, consumption and drain of it. */
export const queueStreamId = (queueKey: string): string => `${STREAM_PREFIX}queue-${queueKey}`
export const CONFIG_STREAM = `${STREAM_PREFIX}config`
export const WAKES_STREAM = `${STREAM_PREFIX}wakes`
export const REAPER_STREAM = `${STREAM_PREFIX}reaper`
/** Enqueue attempts with a blank session key have no queue; their rejection is recorded here. */
export const UNROUTED_STREAM = `${STREAM_PREFIX}unrouted`

/** The store's name for a stream the domain decided to write to. */
export const streamIdOf = (stream: LedgerStream): string => {
  switch (stream.kind) {
    case "queue":
      return queueStreamId(stream.queueKey)
    case "config":
      return CONFIG_STREAM
    case "wakes":
      return WAKES_STREAM
    case "reaper":
      return REAPER_STREAM
    case "unrouted":
      return UNROUTED_STREAM
  }
}
