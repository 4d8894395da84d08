/**
 * The append rules every adapter applies inside its own atomic section, so that all stores
 * agree on expected revisions, store-wide idempotent ids, atomic multi-stream appends, the
 * size limit and which names they keep. `decideMultiAppend` is the one authority; a single
 * append is its one-stream case.
 */
import { Effect } from "effect"
import type {
  AppendResult,
  EventData,
  EventStoreShape,
  ExpectedRevision,
  MultiAppendResult,
  StreamAppend,
} from "../../application/event-store.ts"
import { MAX_EVENT_DATA_BYTES } from "../../application/event-store.ts"
import {
  DuplicateEventId,
  EventTooLarge,
  UnstorableName,
  WrongExpectedRevision,
} from "../../application/event-store-errors.ts"

/** -1 for a stream with no events. */
export type StreamRevision = number

export const expectedRevisionHolds = (expected: ExpectedRevision, current: StreamRevision): boolean => {
  switch (expected) {
    case "any":
      return true
    case "no-stream":
      return current === -1
    case "stream-exists":
      return current >= 0
    default:
      return expected === current
  }
}

export type AppendDecision =
  | { readonly _tag: "Write" }
  /** Every event of the batch is already stored, in order, from `firstRevision`: write nothing. */
  | { readonly _tag: "AlreadyWritten"; readonly lastRevision: number }
  | { readonly _tag: "Refuse"; readonly error: WrongExpectedRevision | DuplicateEventId }

/**
 * One stream's part of the rules. `existingRevisions[i]` is the revision of this stream already
 * holding `events[i].id`, if any; `undefined` for the whole list says that none is stored (the
 * usual case, decided without allocating). A retry of a stored batch (same ids, contiguous, at
 * the expected place or with `any`) is a success that writes nothing, as in EventStoreDB. Any
 * other batch reusing a stored id is refused whole (DuplicateEventId).
 */
export function decideAppend(
  append: StreamAppend,
  current: StreamRevision,
  existingRevisions: ReadonlyArray<number | undefined> | undefined,
): AppendDecision {
  const { streamId, expectedRevision: expected, events } = append
  if (existingRevisions === undefined) {
    return expectedRevisionHolds(expected, current) ? WRITE : refuse(streamId, expected, current)
  }
  const first = existingRevisions[0]
  const stored = existingRevisions.filter((revision) => revision !== undefined).length
  if (first !== undefined && stored === existingRevisions.length) {
    const contiguous = existingRevisions.every((revision, index) => revision === first + index)
    const atExpectedPlace =
      expected === "any" ||
      expected === "stream-exists" ||
      expected === first - 1 ||
      (expected === "no-stream" && first === 0)
    if (contiguous && atExpectedPlace)
      return { _tag: "AlreadyWritten", lastRevision: first + existingRevisions.length - 1 }
  }
  if (stored > 0) {
    const index = existingRevisions.findIndex((revision) => revision !== undefined)
    return duplicate((events[index] as EventData).id, streamId, streamId)
  }
  if (!expectedRevisionHolds(expected, current)) return refuse(streamId, expected, current)
  return WRITE
}

/** Where a stored event id lives. */
export interface StoredId {
  readonly streamId: string
  readonly revision: number
  readonly position: number
}

/**
 * Where each id of `rows` ([id, stream, revision, position]) is stored: an id stored twice
 * (files from before store-wide ids) counts at its first position.
 */
export function firstPlaces(
  rows: Iterable<readonly [string, string, number, number]>,
): Map<string, StoredId> {
  const places = new Map<string, StoredId>()
  for (const [id, streamId, revision, position] of rows) {
    const seen = places.get(id)
    if (seen === undefined || position < seen.position) places.set(id, { streamId, revision, position })
  }
  return places
}

export type MultiAppendDecision =
  | { readonly _tag: "Write" }
  /** Every id of every append is stored where this request puts it: write nothing. */
  | {
      readonly _tag: "AlreadyWritten"
      /** Per append: where its last event is stored; undefined for an empty append. */
      readonly last: ReadonlyArray<StoredId | undefined>
    }
  | { readonly _tag: "Refuse"; readonly error: WrongExpectedRevision | DuplicateEventId }

/**
 * Checks what needs no store: a stream named twice is a caller's bug (thrown: a defect); an id
 * named twice would be stored twice, so it is refused. Runs before any lock is taken.
 */
export function checkMultiAppend(appends: ReadonlyArray<StreamAppend>): DuplicateEventId | undefined {
  if (appends.length === 1) {
    const only = appends[0] as StreamAppend
    if (only.events.length < 2) return undefined
  }
  const streams = new Set<string>()
  const ids = new Set<string>()
  for (const { streamId, events } of appends) {
    if (streams.has(streamId)) throw new Error(`a multi-stream append names stream ${streamId} twice`)
    streams.add(streamId)
    for (const event of events) {
      if (ids.has(event.id)) return new DuplicateEventId({ eventId: event.id, storedIn: streamId, streamId })
      ids.add(event.id)
    }
  }
  return undefined
}

/**
 * The rules of a (multi-stream) append, decided inside the store's atomic section.
 * `heads[i]` is the current revision of `appends[i].streamId` (-1: no events); `stored` maps
 * each of the request's ids that the store holds, in any stream, to where it lives — undefined
 * or empty when none is (the usual case). All or nothing: every expected revision must hold
 * and no id be stored to write; a request whose every id is stored where it puts them (per
 * stream, decideAppend's retry) writes nothing and succeeds; anything else is refused whole.
 */
export function decideMultiAppend(
  appends: ReadonlyArray<StreamAppend>,
  heads: ReadonlyArray<StreamRevision>,
  stored: ReadonlyMap<string, StoredId> | undefined,
): MultiAppendDecision {
  if (stored === undefined || stored.size === 0) {
    for (let index = 0; index < appends.length; index++) {
      const { streamId, expectedRevision } = appends[index] as StreamAppend
      const head = heads[index] as number
      if (!expectedRevisionHolds(expectedRevision, head))
        return { _tag: "Refuse", error: wrongRevision(streamId, expectedRevision, head) }
    }
    return WRITE
  }
  const last: Array<StoredId | undefined> = []
  let firstFresh: StreamAppend | undefined
  let firstStored: { readonly id: string; readonly streamId: string } | undefined
  for (let index = 0; index < appends.length; index++) {
    const { streamId, events } = appends[index] as StreamAppend
    const revisions: Array<number | undefined> = []
    for (const event of events) {
      const at = stored.get(event.id)
      if (at !== undefined && at.streamId !== streamId) return duplicate(event.id, at.streamId, streamId)
      if (at !== undefined) firstStored ??= { id: event.id, streamId }
      revisions.push(at?.revision)
    }
    const anyStored = revisions.some((revision) => revision !== undefined)
    const decision = decideAppend(
      appends[index] as StreamAppend,
      heads[index] as number,
      anyStored ? revisions : undefined,
    )
    if (decision._tag === "Refuse") return { _tag: "Refuse", error: decision.error }
    if (decision._tag === "Write" && events.length > 0) firstFresh ??= appends[index]
    const lastEvent = events[events.length - 1]
    last.push(lastEvent === undefined ? undefined : stored.get(lastEvent.id))
  }
  // Some streams' parts stored, others not: a partial overlap, refused whole.
  if (firstFresh !== undefined && firstStored !== undefined)
    return duplicate(firstStored.id, firstStored.streamId, firstFresh.streamId)
  return { _tag: "AlreadyWritten", last }
}

const duplicate = (
  eventId: string,
  storedIn: string,
  streamId: string,
): { readonly _tag: "Refuse"; readonly error: DuplicateEventId } => ({
  _tag: "Refuse",
  error: new DuplicateEventId({ eventId, storedIn, streamId }),
})

const WRITE = { _tag: "Write" } as const

const wrongRevision = (streamId: string, expected: ExpectedRevision, current: StreamRevision) =>
  new WrongExpectedRevision({ streamId, expected, actual: current })

const refuse = (streamId: string, expected: ExpectedRevision, current: StreamRevision): AppendDecision => ({
  _tag: "Refuse",
  error: wrongRevision(streamId, expected, current),
})

// Code units, not code points (no `u` flag): a high surrogate not followed by a low one, or a low one alone.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Why no store can keep `name` as a stream name, id or type (PostgreSQL keeps them as text, which
 * refuses NUL and would turn a lone surrogate into U+FFFD), or undefined. Every adapter refuses
 * such a name through `encodeEventData`; the import refuses it before anything is written.
 */
export function unstorableNameProblem(name: string): string | undefined {
  if (name.includes("\u0000")) return "it contains NUL (U+0000), which stores cannot keep in a name"
  if (LONE_SURROGATE.test(name)) return "it contains a lone UTF-16 surrogate, which is not a character"
  return undefined
}

const unstorable = (what: string, name: string): UnstorableName | undefined => {
  const reason = unstorableNameProblem(name)
  if (reason === undefined) return undefined
  return new UnstorableName({ what, prefix: JSON.stringify(name.slice(0, 40)), reason })
}

/** The longest JSON (in UTF-16 code units) certain to be within MAX_EVENT_DATA_BYTES. */
const MAX_EVENT_DATA_CHARS_UNCOUNTED = Math.floor(MAX_EVENT_DATA_BYTES / 3)

/**
 * Serialises each event's data once, checking the size limit. A UTF-16 code unit is at most
 * three UTF-8 bytes (a surrogate pair, two units, is four), so JSON no longer than a third of
 * the limit is within it without counting its bytes: the usual event skips the count (about a
 * tenth of its `JSON.stringify`).
 */
export function encodeEventData(
  streamId: string,
  events: ReadonlyArray<EventData>,
): string[] | EventTooLarge | UnstorableName {
  const badStream = unstorable("stream", streamId)
  if (badStream !== undefined) return badStream
  const encoded: string[] = []
  for (const event of events) {
    const badName = unstorable("event id", event.id) ?? unstorable("type", event.type)
    if (badName !== undefined) return badName
    const json = JSON.stringify(event.data ?? null)
    if (json.length > MAX_EVENT_DATA_CHARS_UNCOUNTED) {
      const bytes = Buffer.byteLength(json, "utf8")
      if (bytes > MAX_EVENT_DATA_BYTES) {
        return new EventTooLarge({ streamId, eventId: event.id, bytes, limit: MAX_EVENT_DATA_BYTES })
      }
    }
    encoded.push(json)
  }
  return encoded
}

/** encodeEventData for every stream of a multi-stream append. */
export function encodeMultiAppend(
  appends: ReadonlyArray<StreamAppend>,
): string[][] | EventTooLarge | UnstorableName {
  const out: string[][] = []
  for (const { streamId, events } of appends) {
    const encoded = encodeEventData(streamId, events)
    if (!Array.isArray(encoded)) return encoded
    out.push(encoded)
  }
  return out
}

/** A store's single append: the one-stream case of its multi-stream append, same rules, same path. */
export const singleAppend =
  (appendMulti: EventStoreShape["appendMulti"]): EventStoreShape["append"] =>
  (streamId, events, expectedRevision) =>
    Effect.map(
      appendMulti([{ streamId, events, expectedRevision }]),
      (result) => result.streams[0] as AppendResult,
    )

/**
 * The result of an idempotent retry: each stream stays at its head; each part's position is
 * where its last event is stored (an empty part, the retry's last event).
 */
export function alreadyWritten(
  heads: ReadonlyArray<StreamRevision>,
  last: ReadonlyArray<StoredId | undefined>,
): MultiAppendResult {
  const position = Math.max(0, ...last.map((stored) => stored?.position ?? 0))
  return {
    streams: heads.map((head, index) => ({
      nextExpectedRevision: head,
      position: last[index]?.position ?? position,
    })),
    position,
    written: false,
  }
}
