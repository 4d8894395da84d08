/**
 * How the port's values map onto EventStoreDB/KurrentDB's: expected revisions one to one, and the
 * global position = the event's commit position in the transaction log as a JS number.
 *
 * Appends through gRPC are implicit transactions, whose events each have commit = prepare
 * position, so one number identifies an event and `{ commit: n, prepare: n }` rebuilds the
 * server position. Positions are byte offsets: increasing but sparse, and far below 2^53 (8 PiB
 * of log) in practice; a larger one is refused rather than rounded.
 */
import type { ExpectedRevision } from "../../application/event-store.ts"

export interface EsdbPosition {
  readonly commit: bigint
  readonly prepare: bigint
}

export type EsdbExpectedRevision = "any" | "no_stream" | "stream_exists" | bigint

export const toEsdbExpectedRevision = (expected: ExpectedRevision): EsdbExpectedRevision => {
  switch (expected) {
    case "any":
      return "any"
    case "no-stream":
      return "no_stream"
    case "stream-exists":
      return "stream_exists"
    default:
      return BigInt(expected)
  }
}

/** The server's "current revision" of a stream: `no_stream` is our -1. */
export const fromEsdbCurrentRevision = (current: unknown): number =>
  typeof current === "bigint" ? Number(current) : typeof current === "number" ? current : -1

/** Undefined when the commit position cannot be a JS number without rounding. */
export const toGlobalPosition = (position: EsdbPosition): number | undefined =>
  position.commit <= BigInt(Number.MAX_SAFE_INTEGER) && position.commit >= 0n
    ? Number(position.commit)
    : undefined

/** The server position of our global position `n`; 0 means the start of the log. */
export const toEsdbPosition = (position: number): EsdbPosition => ({
  commit: BigInt(position),
  prepare: BigInt(position),
})

/** EventStoreDB/KurrentDB only accept UUIDs as event ids. */
export const isUuid = (id: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
