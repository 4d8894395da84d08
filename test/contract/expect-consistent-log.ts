/**
 * The concurrency verdict shared by the in-process and multi-process tests: every acknowledged
 * event is in the log exactly once, at the position its append reported, batches contiguous, and
 * a subscriber that ran throughout saw exactly the log, in its order.
 */
import { expect } from "vitest"
import type { RecordedEvent } from "../../application/event-store.ts"

export interface Acknowledged {
  readonly streamId: string
  readonly ids: ReadonlyArray<string>
  /** The position the append reported for the batch's last event. */
  readonly position: number
}

export function expectConsistentLog(options: {
  readonly acknowledged: ReadonlyArray<Acknowledged>
  /** The log after the run began, restricted to the run's streams (sentinel included). */
  readonly log: ReadonlyArray<RecordedEvent>
  /** What the subscriber delivered, ending with the sentinel. */
  readonly delivered: ReadonlyArray<RecordedEvent>
  readonly sentinel: string
}): void {
  const { acknowledged, log, delivered, sentinel } = options
  const logIds = log.map((event) => event.id)
  expect(new Set(logIds).size).toBe(logIds.length)
  const written = acknowledged.flatMap((ack) => ack.ids)
  expect([...logIds].sort()).toEqual([...written, sentinel].sort())

  const byId = new Map(log.map((event) => [event.id, event]))
  for (const ack of acknowledged) {
    const events = ack.ids.map((id) => byId.get(id) as RecordedEvent)
    // A batch is one transaction: same stream, consecutive revisions, ending at the reported position.
    events.forEach((event, index) => {
      expect(event.streamId).toBe(ack.streamId)
      if (index > 0) expect(event.revision).toBe((events[index - 1] as RecordedEvent).revision + 1)
    })
    expect(events[events.length - 1]?.position).toBe(ack.position)
  }
  log.forEach((event, index) => {
    if (index > 0) expect(event.position).toBeGreaterThan((log[index - 1] as RecordedEvent).position)
  })
  // The subscriber must have seen the committed order itself: nothing skipped, doubled or early.
  expect(delivered.map((event) => event.id)).toEqual(logIds)
  expect(delivered.map((event) => event.position)).toEqual(log.map((event) => event.position))
}
