/**
 * Encoding and decoding the observed facts (domain/observed-events.ts), the way event-codec.ts
 * does the ledger's own events: by type and version, an unknown type or newer version, or
 * data that does not decode, reported as UndecodableEvent — never dropped.
 */
import { Exit, Schema } from "effect"
import {
  OBSERVED_EVENT_VERSIONS,
  type ObservedEvent,
  ObservedEventSchema,
  type ObservedEventType,
} from "../domain/observed-events.ts"
import { undecodable } from "./event-codec.ts"
import type { EventData, RecordedEvent } from "./event-store.ts"
import type { UndecodableEvent } from "./event-store-errors.ts"

/** The streams observed facts live in: one per observer (gateway process). */
export const OBSERVED_STREAM_PREFIX = "hbl-observed-"
export const observedStreamId = (observerId: string): string => `${OBSERVED_STREAM_PREFIX}${observerId}`

export const isObservedType = (type: string): type is ObservedEventType =>
  Object.hasOwn(OBSERVED_EVENT_VERSIONS, type)

export const encodeObservedEvent = (id: string, event: ObservedEvent): EventData => ({
  id,
  type: event._tag,
  version: OBSERVED_EVENT_VERSIONS[event._tag],
  data: event,
})

const decodeByType: Readonly<Record<string, (data: unknown) => Exit.Exit<ObservedEvent, unknown>>> =
  Object.fromEntries(
    ObservedEventSchema.members.map((member) => [
      member.fields._tag.schema.literal,
      Schema.decodeUnknownExit(member as Schema.Codec<ObservedEvent, unknown>),
    ]),
  )

export function decodeObservedEvent(record: RecordedEvent): ObservedEvent | UndecodableEvent {
  if (!isObservedType(record.type)) return undecodable(record, "not an observed event type")
  const current = OBSERVED_EVENT_VERSIONS[record.type]
  if (record.version !== current)
    return undecodable(record, `version ${record.version}; this build knows observed version ${current}`)
  const exit = decodeByType[record.type]?.(record.data)
  if (exit === undefined || Exit.isFailure(exit))
    return undecodable(record, exit === undefined ? "no decoder" : String(exit.cause))
  return exit.value
}
