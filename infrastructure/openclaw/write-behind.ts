/**
 * The write-behind store the embedded API decides against. Reads see the durable log as it was
 * when the instance opened, followed by what was appended since; appends land in memory at
 * once (so the Ledger's decisions stay synchronous) and are copied to the durable store in the
 * background, in order, one durable append per append made here (a multi-stream one stays one
 * atomic multi-stream append; consecutive single-stream appends to one stream go together),
 * with the expected revisions the decision was made against. A copied event leaves memory (reads find it in the
 * durable store). A failed copy stops
 * the copying (order matters more than progress) and is reported by the next `flush()`.
 *
 * Single writer: appends must name an exact expected revision (the Ledger always does), and
 * whether it still holds in the durable store is only known when the copy is made.
 */
import { Effect, Stream } from "effect"
import type {
  EventData,
  EventStoreShape,
  MultiAppendResult,
  RecordedEvent,
  StreamAppend,
} from "../../application/event-store.ts"
import { type AppendError, WrongExpectedRevision } from "../../application/event-store-errors.ts"
import {
  checkMultiAppend,
  encodeMultiAppend,
  expectedRevisionHolds,
  singleAppend,
} from "../stores/append-rules.ts"

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

/**
 * The next durable append: the first commit made here, as one append per stream (its records
 * are contiguous per stream), joined by the single-stream commits to the same stream after it.
 */
const nextCopy = (
  records: ReadonlyArray<RecordedEvent>,
  commits: ReadonlyArray<number>,
): { readonly appends: StreamAppend[]; readonly records: number; readonly commits: number } => {
  const first = commits[0] ?? 0
  const appends: StreamAppend[] = []
  for (const record of records.slice(0, first)) {
    const last = appends[appends.length - 1]
    if (last !== undefined && last.streamId === record.streamId)
      (last.events as EventData[]).push(toEventData(record))
    else
      appends.push({
        streamId: record.streamId,
        events: [toEventData(record)],
        expectedRevision: record.revision === 0 ? "no-stream" : record.revision - 1,
      })
  }
  let taken = first
  let joined = 1
  const only = appends.length === 1 ? appends[0] : undefined
  while (only !== undefined && joined < commits.length) {
    const size = commits[joined] as number
    const next = records.slice(taken, taken + size)
    if (next.length === 0 || next.some((record) => record.streamId !== only.streamId)) break
    ;(only.events as EventData[]).push(...next.map(toEventData))
    taken += size
    joined++
  }
  return { appends, records: taken, commits: joined }
}

export const makeWriteBehindStore = (durable: EventStoreShape) =>
  Effect.map(durable.headPosition, (baseHead): WriteBehindStore => {
    /** Appended and not yet durable, in order; positions continue the durable head densely. */
    const tail: RecordedEvent[] = []
    /** How many of the tail's records each append made here wrote, in order (empty ones omitted). */
    const commits: number[] = []
    let head = baseHead
    /** The durable position of the last event copied (the durable head when opened, before any). */
    let frontier = baseHead
    /** The last revision appended to each stream here (kept after the copy). */
    const revisions = new Map<string, number>()
    let copying: Promise<void> | undefined
    let failure: unknown

    const appendMulti = (
      appends: ReadonlyArray<StreamAppend>,
    ): Effect.Effect<MultiAppendResult, AppendError> =>
      Effect.suspend((): Effect.Effect<MultiAppendResult, AppendError> => {
        const currents: number[] = []
        for (const { streamId, expectedRevision: expected } of appends) {
          const known = revisions.get(streamId)
          const current =
            known ?? (typeof expected === "number" ? expected : expected === "no-stream" ? -1 : undefined)
          if (current === undefined || !expectedRevisionHolds(expected, current))
            return Effect.fail(new WrongExpectedRevision({ streamId, expected, actual: current ?? -1 }))
          currents.push(current)
        }
        const invalid = checkMultiAppend(appends)
        if (invalid !== undefined) return Effect.fail(invalid)
        const encoded = encodeMultiAppend(appends)
        if (!Array.isArray(encoded)) return Effect.fail(encoded)
        const recordedAt = Date.now()
        let count = 0
        const streams = appends.map(({ streamId, events }, index) => {
          const current = currents[index] as number
          const data = encoded[index] as string[]
          events.forEach((event, k) => {
            tail.push({
              ...event,
              // Kept as JSON, as a durable store would: callers never share our objects.
              data: JSON.parse(data[k] as string),
              streamId,
              revision: current + 1 + k,
              position: head + 1 + k,
              recordedAt,
            })
          })
          head += events.length
          count += events.length
          revisions.set(streamId, current + events.length)
          return { nextExpectedRevision: current + events.length, position: head }
        })
        if (count > 0) commits.push(count)
        return Effect.succeed({ streams, position: head, written: count > 0 })
      })

    const store: EventStoreShape = {
      description: durable.description,
      appendMulti,
      append: singleAppend(appendMulti),
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
        const next = nextCopy(tail, commits)
        if (next.appends.length === 0) return
        const appended = await Effect.runPromise(durable.appendMulti(next.appends))
        frontier = appended.position
        tail.splice(0, next.records)
        commits.splice(0, next.commits)
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
