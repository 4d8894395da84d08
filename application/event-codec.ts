/**
 * Encoding domain events for the store and decoding stored records back, through the Schemas
 * of domain/events.ts. An older version is upcast to the current one; an unknown type or
 * version, or data that does not decode, is reported as UndecodableEvent — never dropped.
 */
import { Cause, Exit, Schema } from "effect"
import { EVENT_VERSIONS, type LedgerEvent, LedgerEventSchema } from "../domain/events.ts"
import type { EventData, RecordedEvent } from "./event-store.ts"
import { UndecodableEvent } from "./event-store-errors.ts"
import { compileFastDecoder, type FastDecoder, INVALID } from "./schema-fast-decoder.ts"

/**
 * Stored data that is not JSON at all (a damaged row): what the adapters' read gives instead of
 * throwing, so that the one row is reported as undecodable and the rest of the log stays readable.
 */
export class UnparsableData {
  readonly problem: string
  constructor(problem: string) {
    this.problem = problem
  }
}

/** A stored row's data text → its value, or UnparsableData. */
export const parseStoredData = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch (error) {
    return new UnparsableData(error instanceof Error ? error.message : String(error))
  }
}

/** How long a reason may be: a damaged row can hold megabytes, and the report is one line. */
const MAX_REASON_CHARS = 300

const bounded = (text: string): string =>
  text.length <= MAX_REASON_CHARS ? text : `${text.slice(0, MAX_REASON_CHARS - 1)}…`

/** A Schema failure in plain words, on one bounded line (not the Cause's internal dump). */
export const describeSchemaFailure = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  return bounded((error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " "))
}

/** Turns the data of `type` at `fromVersion` into the data of `fromVersion + 1`. */
export type Upcaster = (data: unknown) => unknown

export type Upcasters = Readonly<Record<string, Upcaster>>

/** Key of the upcaster that lifts `type` from `version` to `version + 1`. */
export const upcasterKey = (type: string, version: number): string => `${type}@${version}`

/** No event has changed shape yet; the first change adds its upcaster here. */
export const UPCASTERS: Upcasters = {}

const decodeLedgerEvent = Schema.decodeUnknownExit(LedgerEventSchema)

/**
 * Each type's own decoder: a record names its type, so the replay need not try the union's
 * members. Only a failure goes through the union, for the same messages as before.
 */
const decodeByType: Readonly<Record<string, (data: unknown) => Exit.Exit<LedgerEvent, unknown>>> =
  Object.fromEntries(
    LedgerEventSchema.members.map((member) => [
      member.fields._tag.schema.literal,
      Schema.decodeUnknownExit(member as Schema.Codec<LedgerEvent, unknown>),
    ]),
  )

/**
 * Each type's Schema compiled to plain JavaScript (schema-fast-decoder.ts), tried first: it
 * returns what the Effect decoder above would, or INVALID, on which the Effect decoders run as
 * before and give the same value or the same error. A type it cannot compile has no entry.
 */
const fastDecodeByType: Readonly<Record<string, FastDecoder<LedgerEvent>>> = Object.fromEntries(
  LedgerEventSchema.members.flatMap((member) => {
    const fast = compileFastDecoder<LedgerEvent>(member)
    return fast === undefined ? [] : [[member.fields._tag.schema.literal, fast]]
  }),
)

export const encodeEvent = (id: string, event: LedgerEvent): EventData => ({
  id,
  type: event._tag,
  version: EVENT_VERSIONS[event._tag],
  data: event,
})

/** The error for a record that cannot be decoded, naming where it is in the log. */
export const undecodable = (record: RecordedEvent, reason: string): UndecodableEvent =>
  new UndecodableEvent({
    streamId: record.streamId,
    revision: record.revision,
    position: record.position,
    eventId: record.id,
    type: record.type,
    version: record.version,
    reason: bounded(reason),
  })

/** type → its current version and compiled decoder: one lookup per record on the replay's path. */
const currentByType: ReadonlyMap<
  string,
  { readonly version: number; readonly fast: FastDecoder<LedgerEvent> | undefined }
> = new Map(
  Object.entries(EVENT_VERSIONS).map(([type, version]) => [type, { version, fast: fastDecodeByType[type] }]),
)

export function makeEventDecoder(upcasters: Upcasters = UPCASTERS) {
  return (record: RecordedEvent): LedgerEvent | UndecodableEvent => {
    if (record.data instanceof UnparsableData)
      return undecodable(record, `its data is not valid JSON (${record.data.problem})`)
    const known = currentByType.get(record.type)
    if (known === undefined) return undecodable(record, "unknown event type")
    const current = known.version
    if (record.version > current)
      return undecodable(record, `version is newer than this build knows (${current})`)
    let data = record.data
    for (let version = record.version; version < current; version++) {
      const upcast = upcasters[upcasterKey(record.type, version)]
      if (upcast === undefined) return undecodable(record, `no upcaster from version ${version}`)
      data = upcast(data)
    }
    const fast = known.fast?.(data)
    if (fast !== undefined && fast !== INVALID) return fast
    const own = decodeByType[record.type]?.(data)
    if (own !== undefined && Exit.isSuccess(own)) return own.value
    const exit = decodeLedgerEvent(data)
    if (Exit.isFailure(exit)) return undecodable(record, describeSchemaFailure(exit.cause))
    if (exit.value._tag !== record.type)
      return undecodable(record, `data is a ${exit.value._tag}, not a ${record.type}`)
    return exit.value
  }
}

export const decodeEvent = makeEventDecoder()
