/**
 * The append rules every adapter applies inside its own atomic section, so that all stores
 * agree on expected revisions, idempotent retries, the size limit and which names they keep.
 */
import type { EventData, ExpectedRevision } from "../../application/event-store.ts"
import { MAX_EVENT_DATA_BYTES } from "../../application/event-store.ts"
import { EventTooLarge, UnstorableName, WrongExpectedRevision } from "../../application/event-store-errors.ts"

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
  | { readonly _tag: "Refuse"; readonly error: WrongExpectedRevision }

/**
 * `existingRevisions[i]` is the stream revision already holding `events[i].id`, if any;
 * `undefined` for the whole list says that none is stored (the usual case, decided without
 * allocating). A retry of a stored batch (same ids, contiguous, at the expected place or with
 * `any`) is a success that writes nothing, as in EventStoreDB. A batch that only partly
 * overlaps what is stored is refused whole.
 */
export function decideAppend(
  streamId: string,
  expected: ExpectedRevision,
  current: StreamRevision,
  existingRevisions: ReadonlyArray<number | undefined> | undefined,
): AppendDecision {
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
  if (stored > 0 || !expectedRevisionHolds(expected, current)) return refuse(streamId, expected, current)
  return WRITE
}

const WRITE: AppendDecision = { _tag: "Write" }

const refuse = (streamId: string, expected: ExpectedRevision, current: StreamRevision): AppendDecision => ({
  _tag: "Refuse",
  error: new WrongExpectedRevision({ streamId, expected, actual: current }),
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
