/**
 * The write-behind store the embedded API decides against. Reads see the durable log as it was
 * when the instance opened, followed by what was appended since; appends land in memory at
 * once (so the Ledger's decisions stay synchronous) and are copied to the durable store in the
 * background, in order, one append per run of events to the same stream, with the expected
 * revision the decision was made against. A copied event leaves memory (reads find it in the
 * durable store). A failed copy stops
 * the copying (order matters more than progress) and is reported by the next `flush()`.
 *
 * Single writer: appends must name an exact expected revision (the Ledger always does), and
 * whether it still holds in the durable store is only known when the copy is made.
 */
import { Effect, Stream } from "effect"
import type {
  AppendResult,
  EventData,
  EventStoreShape,
  ExpectedRevision,
  RecordedEvent,
} from "../../application/event-store.ts"
import { type AppendError, WrongExpectedRevision } from "../../application/event-store-errors.ts"
import { encodeEventData, expectedRevisionHolds } from "../stores/append-rules.ts"

export interface WriteBehindStore {
  /** What the Ledger and the wake scheduler use. */
  readonly store: EventStoreShape
  /** Starts copying what memory holds to the durable store. */
  readonly notify: () => void
  /** Resolves once everything appended so far is durable; rejects with the copy that failed. */
  readonly flush: () => Promise<void>
  /** Events appended and not yet durable. */
  readonly backlog: () => number
}

const toEventData = (record: RecordedEvent): EventData => ({
  id: record.id,
  type: record.type,
  version: record.version,
  data: record.data,
})

/** The first run of consecutive events of one stream. */
const leadingRun = (records: ReadonlyArray<RecordedEvent>): RecordedEvent[] => {
  const streamId = records[0]?.streamId
  const run: RecordedEvent[] = []
  for (const record of records) {
    if (record.streamId !== streamId) break
    run.push(record)
  }
  return run
}

export const makeWriteBehindStore = (durable: EventStoreShape) =>
  Effect.map(durable.headPosition, (baseHead): WriteBehindStore => {
    /** Appended and not yet durable, in order; positions continue the durable head densely. */
    const tail: RecordedEvent[] = []
    let head = baseHead
    /** The durable position of the last event copied (the durable head when opened, before any). */
    let frontier = baseHead
    /** The last revision appended to each stream here (kept after the copy). */
    const revisions = new Map<string, number>()
    let copying: Promise<void> | undefined
    let failure: unknown

    const append = (
      streamId: string,
      events: ReadonlyArray<EventData>,
      expected: ExpectedRevision,
    ): Effect.Effect<AppendResult, AppendError> =>
      Effect.suspend((): Effect.Effect<AppendResult, AppendError> => {
        const known = revisions.get(streamId)
        const current =
          known ?? (typeof expected === "number" ? expected : expected === "no-stream" ? -1 : undefined)
        if (current === undefined || !expectedRevisionHolds(expected, current))
          return Effect.fail(new WrongExpectedRevision({ streamId, expected, actual: current ?? -1 }))
        const encoded = encodeEventData(streamId, events)
        if (!Array.isArray(encoded)) return Effect.fail(encoded)
        const recordedAt = Date.now()
        events.forEach((event, index) => {
          tail.push({
            ...event,
            // Kept as JSON, as a durable store would: callers never share our objects.
            data: JSON.parse(encoded[index] as string),
            streamId,
            revision: current + 1 + index,
            position: head + 1 + index,
            recordedAt,
          })
        })
        head += events.length
        revisions.set(streamId, current + events.length)
        return Effect.succeed({ nextExpectedRevision: current + events.length, position: head })
      })

    const store: EventStoreShape = {
      description: durable.description,
      append,
      readStream: (streamId, options = {}) =>
        Stream.suspend(() => {
          const mine = tail.filter((record) => record.streamId === streamId)
          // Appends made here are only read back through the Ledger's view; a stream read is
          // answered from the durable store plus what has not reached it yet.
          return options.direction === "backwards"
            ? Stream.concat(Stream.fromIterable([...mine].reverse()), durable.readStream(streamId, options))
            : Stream.concat(durable.readStream(streamId, options), Stream.fromIterable(mine))
        }),
      readAll: (options = {}) =>
        Stream.suspend(() => {
          const from = options.fromPosition ?? 0
          // One consistent cut: the durable log up to the last copied event, then what is not
          // copied yet. A single writer's events keep their positions in a dense store.
          const upTo = frontier
          const pending = tail.filter((record) => record.position > from)
          const history =
            from < upTo
              ? durable
                  .readAll({ fromPosition: from })
                  .pipe(Stream.takeWhile((record) => record.position <= upTo))
              : Stream.empty
          const all = Stream.concat(history, Stream.fromIterable(pending))
          return options.maxCount === undefined ? all : Stream.take(all, options.maxCount)
        }),
      subscribeToAll: (options) => durable.subscribeToAll(options),
      headPosition: Effect.sync(() => head),
      densePositions: true,
    }

    const copy = async () => {
      for (;;) {
        const run = leadingRun(tail)
        const first = run[0]
        if (first === undefined) return
        const appended = await Effect.runPromise(
          durable.append(
            first.streamId,
            run.map(toEventData),
            first.revision === 0 ? "no-stream" : first.revision - 1,
          ),
        )
        frontier = appended.position
        tail.splice(0, run.length)
      }
    }

    const notify = () => {
      if (copying !== undefined || failure !== undefined || tail.length === 0) return
      copying = copy()
        .catch((error: unknown) => {
          failure = error
        })
        .finally(() => {
          copying = undefined
          // Appended after the copier's last look but before it settled: start it again.
          notify()
        })
    }

    const flush = async () => {
      for (;;) {
        if (failure !== undefined) throw failure
        if (copying !== undefined) await copying
        else if (tail.length > 0) notify()
        else return
      }
    }

    return { store, notify, flush, backlog: () => tail.length }
  })
