/** The in-memory event store: the reference adapter, for tests and `memory:` URLs. */
import { Effect, Layer, Stream } from "effect"
import type {
  AppendResult,
  EventData,
  EventStoreShape,
  ExpectedRevision,
  RecordedEvent,
} from "../../application/event-store.ts"
import { EventStore } from "../../application/event-store.ts"
import type { AppendError } from "../../application/event-store-errors.ts"
import { decideAppend, encodeEventData } from "./append-rules.ts"
import { catchUpSubscription } from "./catch-up.ts"

export interface MemoryEventStoreOptions {
  /** Supplies `recordedAt`; tests pass a fixed clock. */
  readonly now?: () => number
}

export function makeMemoryEventStore(options: MemoryEventStoreOptions = {}): EventStoreShape {
  const now = options.now ?? Date.now
  const all: RecordedEvent[] = []
  const streams = new Map<string, RecordedEvent[]>()
  const idsByStream = new Map<string, Map<string, number>>()
  let waiters: Array<() => void> = []

  const append = (
    streamId: string,
    events: ReadonlyArray<EventData>,
    expected: ExpectedRevision,
  ): Effect.Effect<AppendResult, AppendError> =>
    Effect.suspend((): Effect.Effect<AppendResult, AppendError> => {
      const stream = streams.get(streamId) ?? []
      const ids = idsByStream.get(streamId) ?? new Map<string, number>()
      const current = stream.length - 1
      const decision = decideAppend(
        streamId,
        expected,
        current,
        events.map((event) => ids.get(event.id)),
      )
      if (decision._tag === "Refuse") return Effect.fail(decision.error)
      if (decision._tag === "AlreadyWritten") {
        const last = stream[decision.lastRevision] as RecordedEvent
        return Effect.succeed({ nextExpectedRevision: current, position: last.position })
      }
      const encoded = encodeEventData(streamId, events)
      if (!Array.isArray(encoded)) return Effect.fail(encoded)
      if (events.length === 0) return Effect.succeed({ nextExpectedRevision: current, position: all.length })
      const recordedAt = now()
      events.forEach((event, index) => {
        const recorded: RecordedEvent = {
          id: event.id,
          type: event.type,
          version: event.version,
          // Stored as JSON, as a durable store would: callers never share our objects.
          data: JSON.parse(encoded[index] as string),
          streamId,
          revision: stream.length,
          position: all.length + 1,
          recordedAt,
        }
        stream.push(recorded)
        ids.set(event.id, recorded.revision)
        all.push(recorded)
      })
      streams.set(streamId, stream)
      idsByStream.set(streamId, ids)
      const woken = waiters
      waiters = []
      for (const wake of woken) wake()
      return Effect.succeed({ nextExpectedRevision: stream.length - 1, position: all.length })
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
    append,
    readStream,
    readAll,
    subscribeToAll: (options = {}) =>
      catchUpSubscription(options.fromPosition ?? 0, readAfter, waitForAppend),
    headPosition: Effect.sync(() => all.length),
  }
}

export const layerMemoryEventStore = (options?: MemoryEventStoreOptions) =>
  Layer.sync(EventStore, () => makeMemoryEventStore(options))
