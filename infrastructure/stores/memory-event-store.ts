/** The in-memory event store: the reference adapter, for tests and `memory:` URLs. */
import { Effect, Layer, Stream } from "effect"
import type {
  EventStoreShape,
  MultiAppendResult,
  RecordedEvent,
  StreamAppend,
} from "../../application/event-store.ts"
import { EventStore } from "../../application/event-store.ts"
import type { AppendError } from "../../application/event-store-errors.ts"
import {
  alreadyWritten,
  checkMultiAppend,
  decideMultiAppend,
  encodeMultiAppend,
  type StoredId,
  singleAppend,
} from "./append-rules.ts"
import { catchUpSubscription } from "./catch-up.ts"

export interface MemoryEventStoreOptions {
  /** Supplies `recordedAt`; tests pass a fixed clock. */
  readonly now?: () => number
}

export function makeMemoryEventStore(options: MemoryEventStoreOptions = {}): EventStoreShape {
  const now = options.now ?? Date.now
  const all: RecordedEvent[] = []
  const streams = new Map<string, RecordedEvent[]>()
  // Every stored id, store-wide, to where it lives (a RecordedEvent is a StoredId).
  const storedIds = new Map<string, StoredId>()
  let waiters: Array<() => void> = []

  const appendMulti = (appends: ReadonlyArray<StreamAppend>): Effect.Effect<MultiAppendResult, AppendError> =>
    Effect.suspend((): Effect.Effect<MultiAppendResult, AppendError> => {
      const invalid = checkMultiAppend(appends)
      if (invalid !== undefined) return Effect.fail(invalid)
      const heads = appends.map(({ streamId }) => (streams.get(streamId)?.length ?? 0) - 1)
      let stored: Map<string, StoredId> | undefined
      for (const { events } of appends) {
        for (const event of events) {
          const at = storedIds.get(event.id)
          if (at === undefined) continue
          stored ??= new Map()
          stored.set(event.id, at)
        }
      }
      const decision = decideMultiAppend(appends, heads, stored)
      if (decision._tag === "Refuse") return Effect.fail(decision.error)
      if (decision._tag === "AlreadyWritten") return Effect.succeed(alreadyWritten(heads, decision.last))
      const encoded = encodeMultiAppend(appends)
      if (!Array.isArray(encoded)) return Effect.fail(encoded)
      const recordedAt = now()
      const results = appends.map(({ streamId, events }, index) => {
        const stream = streams.get(streamId) ?? []
        const data = encoded[index] as string[]
        events.forEach((event, k) => {
          const recorded: RecordedEvent = {
            id: event.id,
            type: event.type,
            version: event.version,
            // Stored as JSON, as a durable store would: callers never share our objects.
            data: JSON.parse(data[k] as string),
            streamId,
            revision: stream.length,
            position: all.length + 1,
            recordedAt,
          }
          stream.push(recorded)
          storedIds.set(event.id, recorded)
          all.push(recorded)
        })
        if (stream.length > 0) streams.set(streamId, stream)
        return { nextExpectedRevision: stream.length - 1, position: all.length }
      })
      const written = appends.some(({ events }) => events.length > 0)
      if (written) {
        const woken = waiters
        waiters = []
        for (const wake of woken) wake()
      }
      return Effect.succeed({ streams: results, position: all.length, written })
    })

  const readStream: EventStoreShape["readStream"] = (streamId, options = {}) =>
    Stream.suspend(() => {
      const stream = streams.get(streamId) ?? []
      const max = options.maxCount ?? Number.POSITIVE_INFINITY
      if (options.direction === "backwards") {
        const from = Math.min(options.fromRevision ?? stream.length - 1, stream.length - 1)
        const start = Math.max(0, from - max + 1)
        return Stream.fromIterable(stream.slice(start, from + 1).reverse())
      }
      const from = options.fromRevision ?? 0
      return Stream.fromIterable(stream.slice(from, from + max))
    })

  const readAfter = (position: number, maxCount: number) =>
    Effect.sync(() => all.slice(Math.max(0, position), Math.max(0, position) + maxCount))

  const readAll: EventStoreShape["readAll"] = (options = {}) =>
    Stream.suspend(() => {
      const from = Math.max(0, options.fromPosition ?? 0)
      const end = options.maxCount === undefined ? all.length : Math.min(all.length, from + options.maxCount)
      return Stream.fromIterable(all.slice(from, end))
    })

  const waitForAppend = (position: number) =>
    Effect.callback<void>((resume) => {
      if (all.length > position) return resume(Effect.void)
      const wake = () => resume(Effect.void)
      waiters.push(wake)
      return Effect.sync(() => {
        waiters = waiters.filter((waiter) => waiter !== wake)
      })
    })

  return {
    description: "memory:",
    densePositions: true,
    holeFreePositions: true,
    appendMulti,
    append: singleAppend(appendMulti),
    readStream,
    readAll,
    subscribeToAll: (options = {}) =>
      catchUpSubscription(options.fromPosition ?? 0, readAfter, waitForAppend),
    headPosition: Effect.sync(() => all.length),
  }
}

export const layerMemoryEventStore = (options?: MemoryEventStoreOptions) =>
  Layer.sync(EventStore, () => makeMemoryEventStore(options))
