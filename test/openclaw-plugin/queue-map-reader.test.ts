/**
 * The poll-after-poll reader re-reads only the queues that changed: every way OpenClaw's
 * releases change a queue (push, shift, a splice in the middle, length truncation, a filtered
 * copy, a deleted queue) must still be seen, and a poll where nothing changed hands back the
 * last snapshot itself. Checked against a fresh read of the same map at every step.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { diffQueues } from "../../domain/observed-queue-diff.ts"
import {
  QUEUE_MAP_SYMBOL,
  QueueMapReader,
  readQueueMap,
} from "../../infrastructure/openclaw-plugin/queue-map-reader.ts"

type Queues = Map<string, { queue: Array<{ text: string; ts: number }> }>

const RUNS = Number(process.env.HBL_READER_RUNS ?? 200)

describe("QueueMapReader", () => {
  it("hands back the last snapshot when nothing changed, and sees a splice in the middle plus a push", () => {
    const queues: Queues = new Map([["k", { queue: [1, 2, 3].map((n) => ({ text: `e${n}`, ts: n })) }]])
    const global = { [QUEUE_MAP_SYMBOL]: queues }
    const reader = new QueueMapReader()
    const first = reader.snapshot(global)
    expect(reader.snapshot(global)).toBe(first)
    const state = queues.get("k") as { queue: Array<{ text: string; ts: number }> }
    // Same length, same first and last: one removed from the middle, one appended after it.
    state.queue.splice(1, 1)
    state.queue.push({ text: "e4", ts: 4 })
    const next = reader.snapshot(global)
    expect(next).not.toBe(first)
    expect(next).toEqual(readQueueMap(global))
  })

  it("equals a fresh read after any sequence of the changes OpenClaw makes", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("push" as const), key: fc.nat(2) }),
      fc.record({ kind: fc.constant("shift" as const), key: fc.nat(2) }),
      fc.record({ kind: fc.constant("splice" as const), key: fc.nat(2), at: fc.nat(5) }),
      fc.record({ kind: fc.constant("truncate" as const), key: fc.nat(2), to: fc.nat(3) }),
      fc.record({ kind: fc.constant("filter" as const), key: fc.nat(2), at: fc.nat(5) }),
      fc.record({ kind: fc.constant("delete" as const), key: fc.nat(2) }),
      fc.record({ kind: fc.constant("poll" as const) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const queues: Queues = new Map()
        const global = { [QUEUE_MAP_SYMBOL]: queues }
        const reader = new QueueMapReader()
        let ts = 0
        let last = reader.snapshot(global) ?? new Map()
        for (const step of ops) {
          if (step.kind === "poll") {
            const next = reader.snapshot(global) ?? new Map()
            const fresh = readQueueMap(global) ?? new Map()
            expect(next).toEqual(fresh)
            // The diff from the last poll is what a fresh read would give.
            expect(diffQueues(last, next)).toEqual(diffQueues(last, fresh))
            last = next
            continue
          }
          const key = `k${step.key}`
          if (step.kind === "delete") {
            queues.delete(key)
            continue
          }
          const state = queues.get(key) ?? { queue: [] }
          queues.set(key, state)
          if (step.kind === "push") state.queue.push({ text: `t${ts}`, ts: ts++ })
          if (step.kind === "shift") state.queue.shift()
          if (step.kind === "splice") state.queue.splice(step.at % (state.queue.length + 1), 1)
          if (step.kind === "truncate") state.queue.length = Math.min(state.queue.length, step.to)
          if (step.kind === "filter") state.queue = state.queue.filter((_, i) => i !== step.at)
        }
        expect(reader.snapshot(global)).toEqual(readQueueMap(global))
      }),
      { numRuns: RUNS },
    )
  })
})
