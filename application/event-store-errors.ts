/** The typed failures of the event-store port. */
import { Schema } from "effect"
import { truncateText } from "../domain/sources.ts"

export const ExpectedRevisionSchema = Schema.Union([
  Schema.Literals(["no-stream", "any", "stream-exists"]),
  Schema.Number,
])

/** An append whose expected revision did not hold; nothing was written. */
export class WrongExpectedRevision extends Schema.TaggedError<WrongExpectedRevision>()(
  "WrongExpectedRevision",
  {
    streamId: Schema.String,
    expected: ExpectedRevisionSchema,
    /** The stream's revision when the append was refused; -1 when it has no events. */
    actual: Schema.Number,
  },
) {
  override get message() {
    return `stream ${this.streamId}: expected revision ${String(this.expected)}, actual ${this.actual}`
  }
}

/**
 * An append reusing an event id the store already holds (or one that appears twice in the
 * append), other than as an idempotent retry of the whole stored append; nothing was written.
 */
export class DuplicateEventId extends Schema.TaggedError<DuplicateEventId>()("DuplicateEventId", {
  eventId: Schema.String,
  /** The stream that holds the id; the appended stream when the id repeats within the append. */
  storedIn: Schema.String,
  /** The stream the refused append put it in. */
  streamId: Schema.String,
}) {
  override get message() {
    return this.storedIn === this.streamId
      ? `event id ${this.eventId} is already stored in stream ${this.storedIn} (or appears twice in the append); the append was refused whole`
      : `event id ${this.eventId} is already stored in stream ${this.storedIn}; the append to ${this.streamId} was refused whole`
  }
}

/** The store could not be reached or failed; `store` names it with any password masked. */
export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>()("StoreUnavailable", {
  store: Schema.String,
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown),
}) {
  override get message() {
    return `event store ${this.store} is unavailable: ${this.reason}`
  }
}

/** An event whose encoded data exceeds the store-wide limit (MAX_EVENT_DATA_BYTES). */
export class EventTooLarge extends Schema.TaggedError<EventTooLarge>()("EventTooLarge", {
  streamId: Schema.String,
  eventId: Schema.String,
  bytes: Schema.Number,
  limit: Schema.Number,
}) {
  override get message() {
    // The stream name may hold a key of any length: a short prefix names it well enough.
    const stream =
      this.streamId.length > 80
        ? `${this.streamId.slice(0, 80)}… (${this.streamId.length} characters)`
        : this.streamId
    return `event ${this.eventId} for stream ${stream} is ${this.bytes} bytes; the limit is ${this.limit}`
  }
}

/**
 * A stream name, event id or type no store can keep as it is: NUL (PostgreSQL text refuses it)
 * or a lone surrogate (turned into U+FFFD on the way to UTF-8). Data keeps both: it is JSON.
 */
export class UnstorableName extends Schema.TaggedError<UnstorableName>()("UnstorableName", {
  /** `stream`, `event id` or `type`. */
  what: Schema.String,
  /** The name, cut to a short prefix: a message must not carry a megabyte of it. */
  prefix: Schema.String,
  reason: Schema.String,
}) {
  override get message() {
    return `the ${this.what} ${this.prefix} cannot be stored: ${this.reason}`
  }
}

/** Names from a damaged row may be any length: a message shows their start. */
const clipped = (name: string) => truncateText(name, 120)

/** A stored record that no known schema (or upcaster) decodes. Never dropped silently. */
export class UndecodableEvent extends Schema.TaggedError<UndecodableEvent>()("UndecodableEvent", {
  streamId: Schema.String,
  revision: Schema.Number,
  position: Schema.Number,
  /** The stored event's id; absent only where an older caller built the error without it. */
  eventId: Schema.optionalKey(Schema.String),
  type: Schema.String,
  version: Schema.Number,
  reason: Schema.String,
}) {
  override get message() {
    const id = this.eventId === undefined ? "" : `, event id ${clipped(this.eventId)}`
    return (
      `the stored event at position ${this.position} cannot be read (stream ${clipped(this.streamId)}, ` +
      `revision ${this.revision}${id}, type ${this.type} v${this.version}): ${this.reason}`
    )
  }
}

export type AppendError =
  | WrongExpectedRevision
  | DuplicateEventId
  | StoreUnavailable
  | EventTooLarge
  | UnstorableName
