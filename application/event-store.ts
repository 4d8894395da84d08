/**
 * The event-store port. Semantics follow EventStoreDB/KurrentDB: appends to a stream with an
 * expected revision, idempotent event ids, one global order over all streams, and catch-up
 * subscriptions from a checkpoint the client owns. Every adapter (memory, SQLite, PostgreSQL,
 * EventStoreDB/KurrentDB) passes the same contract suite (test/contract/).
 */
import { Context, type Effect, type Stream } from "effect"
import type { AppendError, StoreUnavailable } from "./event-store-errors.ts"

/**
 * `no-stream`: the stream must not exist; `stream-exists`: it must; `any`: no check; a number:
 * the revision (0-based) of the stream's last event.
 */
export type ExpectedRevision = "no-stream" | "any" | "stream-exists" | number

/** The largest encoded `data` an event may carry (UTF-8 bytes of its JSON). */
export const MAX_EVENT_DATA_BYTES = 256 * 1024

/**
 * An event to append. `id` is its idempotency key, store-wide: an id stored in any stream is
 * never stored again (a retry of a stored append writes nothing; any other reuse is refused
 * with DuplicateEventId). EventStoreDB/KurrentDB only checks it per stream: docs/stores.md.
 */
export interface EventData {
  readonly id: string
  readonly type: string
  readonly version: number
  /** JSON-serialisable; the store keeps it as JSON. */
  readonly data: unknown
}

export interface RecordedEvent extends EventData {
  readonly streamId: string
  /** 0-based position of the event within its stream. */
  readonly revision: number
  /** 1-based position in the one global order of the store; 0 means "before everything". */
  readonly position: number
  /** Epoch milliseconds at which the store committed the event. */
  readonly recordedAt: number
}

export interface AppendResult {
  /** The stream's revision after the append (its last event). */
  readonly nextExpectedRevision: number
  /** The global position of the last event appended (or found, for an idempotent retry). */
  readonly position: number
}

/** One stream's part of a multi-stream append. */
export interface StreamAppend {
  readonly streamId: string
  readonly events: ReadonlyArray<EventData>
  readonly expectedRevision: ExpectedRevision
}

export interface MultiAppendResult {
  /** One per stream append, in the request's order. */
  readonly streams: ReadonlyArray<AppendResult>
  /**
   * The global position of the last event written (or found, for an idempotent retry); when
   * nothing is written or found (only empty appends), the log's head.
   */
  readonly position: number
  /** False when the store wrote nothing: empty appends, or an idempotent retry. */
  readonly written: boolean
}

export interface ReadStreamOptions {
  readonly direction?: "forwards" | "backwards"
  /** Inclusive start revision; defaults to the first (forwards) or last (backwards) event. */
  readonly fromRevision?: number
  readonly maxCount?: number
}

export interface ReadAllOptions {
  /** Exclusive checkpoint: events with a position greater than this. Defaults to 0. */
  readonly fromPosition?: number
  readonly maxCount?: number
}

export interface EventStoreShape {
  /** Names the store in messages (a URL with any password masked). */
  readonly description: string
  readonly append: (
    streamId: string,
    events: ReadonlyArray<EventData>,
    expectedRevision: ExpectedRevision,
  ) => Effect.Effect<AppendResult, AppendError>
  /**
   * Appends to several streams as one commit: every stream's expected revision holds and none
   * of the ids is stored, and then all are written, contiguously in the request's order (the
   * events of appends[0], then of appends[1], …); or none is. A retry of a stored multi-append
   * (every id stored, in its stream, at the expected place) succeeds and writes nothing. A
   * stream may appear once; an id once. `append` is the one-stream case of the same rules.
   */
  readonly appendMulti: (
    appends: ReadonlyArray<StreamAppend>,
  ) => Effect.Effect<MultiAppendResult, AppendError>
  /** One stream's events; an unknown stream is empty. */
  readonly readStream: (
    streamId: string,
    options?: ReadStreamOptions,
  ) => Stream.Stream<RecordedEvent, StoreUnavailable>
  /** Every event, in global order, from an exclusive checkpoint. Ends at the current head. */
  readonly readAll: (options?: ReadAllOptions) => Stream.Stream<RecordedEvent, StoreUnavailable>
  /**
   * A catch-up subscription: history after the checkpoint, then live events, in global order,
   * none skipped or repeated. Never ends by itself; interrupt it to stop.
   */
  readonly subscribeToAll: (options?: {
    readonly fromPosition?: number
  }) => Stream.Stream<RecordedEvent, StoreUnavailable>
  /**
   * True when global positions are 1, 2, 3… with no holes (memory, SQLite, PostgreSQL). A
   * writer then knows from an append's position whether anyone wrote since its last read;
   * otherwise (EventStoreDB commit positions) it must read to find out.
   */
  readonly densePositions?: boolean
  /**
   * True when positions are 1, 2, 3… and never have a hole, even after a failed append (memory,
   * SQLite): a missing position is then a lost event, which the audit reports. PostgreSQL's
   * identity column burns values on a failed transaction and EventStoreDB's commit positions are
   * sparse, so they leave this unset (docs/stores.md).
   */
  readonly holeFreePositions?: boolean
  /** The global position of the last committed event (0 when empty). */
  readonly headPosition: Effect.Effect<number, StoreUnavailable>
}

export class EventStore extends Context.Service<EventStore, EventStoreShape>()(
  "heartbeat-ledger/application/EventStore",
) {}
