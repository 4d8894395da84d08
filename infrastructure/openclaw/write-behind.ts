/**
 * Write-behind: the embedded API decides against an in-memory copy of the log and answers at
 * once; this copies what it appended to the durable store in the background, in the order it
 * was appended, one append per run of events to the same stream, with the expected revision
 * the decision was made against. A failed append stops the copy (order matters more than
 * progress) and is reported by the next `flush()`.
 */
import { Effect, Stream } from "effect"
import type { EventData, EventStoreShape, RecordedEvent } from "../../application/event-store.ts"

export interface WriteBehind {
  /** Starts copying whatever the in-memory log holds beyond the durable store. */
  readonly notify: () => void
  /** Resolves once everything appended so far is durable; rejects with the append that failed. */
  readonly flush: () => Promise<void>
  /** Events appended in memory and not yet durable. */
  readonly backlog: () => number
}

export const toEventData = (record: RecordedEvent): EventData => ({
  id: record.id,
  type: record.type,
  version: record.version,
  data: record.data,
})

/** Consecutive events of one stream: one append each. */
function runsByStream(records: ReadonlyArray<RecordedEvent>): RecordedEvent[][] {
  const runs: RecordedEvent[][] = []
  for (const record of records) {
    const last = runs[runs.length - 1]
    if (last !== undefined && last[0]?.streamId === record.streamId) last.push(record)
    else runs.push([record])
  }
  return runs
}

export function makeWriteBehind(options: {
  /** The in-memory log the decisions are made against; its reads must be synchronous. */
  readonly memory: EventStoreShape
  readonly durable: EventStoreShape
  /** The in-memory position up to which the durable store already holds everything. */
  readonly from: number
}): WriteBehind {
  const { memory, durable } = options
  let copied = options.from
  let running: Promise<void> | undefined
  let failure: unknown
  const head = () => Effect.runSync(memory.headPosition)

  const copy = async () => {
    for (;;) {
      const records = Effect.runSync(Stream.runCollect(memory.readAll({ fromPosition: copied })))
      if (records.length === 0) return
      for (const run of runsByStream(records)) {
        const first = run[0] as RecordedEvent
        const last = run[run.length - 1] as RecordedEvent
        await Effect.runPromise(
          durable.append(
            first.streamId,
            run.map(toEventData),
            first.revision === 0 ? "no-stream" : first.revision - 1,
          ),
        )
        copied = last.position
      }
    }
  }

  const notify = () => {
    if (running !== undefined || failure !== undefined) return
    running = copy()
      .catch((error: unknown) => {
        failure = error
      })
      .finally(() => {
        running = undefined
        // Appends made after the last read but before this settled still need a copier.
        if (failure === undefined && head() > copied) notify()
      })
  }

  const flush = async () => {
    for (;;) {
      if (failure !== undefined) throw failure
      if (running !== undefined) await running
      else if (head() > copied) notify()
      else return
    }
  }

  return { notify, flush, backlog: () => head() - copied }
}
