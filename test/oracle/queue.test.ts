/**
 * Area 2 of issue 11: the per-session queue, differentially against openclaw@2026.5.12's
 * `src/infra/system-events.ts`. Random sequences of enqueue (blank and padded texts, repeats,
 * contextKeys, delivery contexts, trust), peek, drain, consume of a current or stale
 * inspection, has and context-changed run on the release's own module (reset before each
 * sequence) and on our decider (domain/queue.ts, its events folded), under the same fake clock.
 * After every step the call's result (or thrown error) and everything observable of every queue
 * must be equal.
 */
import fc from "fast-check"
import { afterAll, beforeAll, expect, it, vi } from "vitest"
import type { DeliveryContext, Provenance } from "../../domain/events.ts"
import {
  decideConsume,
  decideDrain,
  decideEnqueue,
  emptyQueue,
  foldQueue,
  isContextChanged,
  MAX_QUEUED_EVENTS,
  normalizeQueueKey,
  type QueuedSystemEvent,
  type QueueState,
  sameDeliveryContext,
} from "../../domain/queue.ts"
import { PROBED_CONTEXT_KEYS, QUEUE_KEYS, type QueueOp, queueOp } from "./arbitraries.ts"
import { describeOracle } from "./describe-oracle.ts"
import { loadOracleModule } from "./load.ts"
import { assertDifferential, oracleRuns, outcome } from "./oracle-runs.ts"
import { FIXED_RELEASE } from "./releases.ts"

/** OpenClaw's `SystemEvent` entry. */
interface Entry {
  readonly text: string
  readonly ts: number
  readonly contextKey?: string | null
  readonly deliveryContext?: DeliveryContext
  readonly trusted?: boolean
}

interface EnqueueOptions {
  readonly sessionKey: string
  readonly contextKey?: string | null | undefined
  readonly deliveryContext?: DeliveryContext | undefined
  readonly trusted?: boolean | undefined
}

/** The queue API both sides answer: OpenClaw's names and signatures. */
interface QueueApi {
  readonly enqueueSystemEvent: (text: string, options: EnqueueOptions) => boolean
  readonly peekSystemEventEntries: (sessionKey: string) => Entry[]
  readonly drainSystemEventEntries: (sessionKey: string) => Entry[]
  readonly consumeSystemEventEntries: (sessionKey: string, inspected: ReadonlyArray<Entry>) => Entry[]
  readonly hasSystemEvents: (sessionKey: string) => boolean
  readonly isSystemEventContextChanged: (sessionKey: string, contextKey?: string | null) => boolean
}

interface ReleaseQueue extends QueueApi {
  readonly resetSystemEventsForTest: () => void
}

const PROVENANCE: Provenance = { source: "api", origin: "oracle", policy: {}, routing: "raw" }

const toEntry = (event: QueuedSystemEvent): Entry => ({
  text: event.text,
  ts: event.at,
  contextKey: event.contextKey ?? null,
  ...(event.deliveryContext === undefined ? {} : { deliveryContext: { ...event.deliveryContext } }),
  trusted: event.trusted,
})

/** OpenClaw's `areSystemEventsEqual`, by which a caller's inspected entries are matched. */
const sameEntry = (a: Entry, b: Entry) =>
  a.text === b.text &&
  a.ts === b.ts &&
  (a.contextKey ?? null) === (b.contextKey ?? null) &&
  (a.trusted ?? true) === (b.trusted ?? true) &&
  // Routes compare by OpenClaw's channelRouteDedupeKey: a thread id "7" is the thread 7.
  sameDeliveryContext(a.deliveryContext ?? undefined, b.deliveryContext ?? undefined)

/** Our side: the domain deciders, their events folded into one state per queue key. */
function domainQueues(now: () => number): QueueApi {
  const queues = new Map<string, QueueState>()
  let nextId = 0
  const requireKey = (sessionKey: string) => {
    const key = normalizeQueueKey(sessionKey)
    if (key === undefined) throw new Error("system events require a sessionKey")
    return key
  }
  const stateOf = (key: string) => queues.get(key) ?? emptyQueue(key)
  const apply = (key: string, events: Parameters<typeof foldQueue>[1]) => {
    queues.set(key, foldQueue(stateOf(key), events))
  }
  return {
    enqueueSystemEvent: (text, options) => {
      const key = requireKey(options.sessionKey)
      const events = decideEnqueue(stateOf(key), {
        eventId: `e${nextId++}`,
        text,
        contextKey: options.contextKey ?? undefined,
        trusted: options.trusted,
        deliveryContext: options.deliveryContext,
        at: now(),
        provenance: PROVENANCE,
      })
      apply(key, events)
      return events[0]?._tag === "SystemEventEnqueued"
    },
    peekSystemEventEntries: (sessionKey) => stateOf(requireKey(sessionKey)).events.map(toEntry),
    drainSystemEventEntries: (sessionKey) => {
      const key = requireKey(sessionKey)
      const drained = stateOf(key).events.map(toEntry)
      apply(key, decideDrain(stateOf(key), { at: now() }))
      return drained
    },
    consumeSystemEventEntries: (sessionKey, inspected) => {
      const key = requireKey(sessionKey)
      const state = stateOf(key)
      // A caller hands back entries, not ids: the inspected prefix, matched by value as OpenClaw does.
      const ids = inspected.map((entry, index) => {
        const queued = state.events[index]
        return queued !== undefined && sameEntry(toEntry(queued), entry) ? queued.eventId : `stale-${index}`
      })
      const events = decideConsume(state, { inspected: ids, at: now() })
      const removed = events.length === 0 ? [] : state.events.slice(0, ids.length).map(toEntry)
      apply(key, events)
      return removed
    },
    hasSystemEvents: (sessionKey) => stateOf(requireKey(sessionKey)).events.length > 0,
    isSystemEventContextChanged: (sessionKey, contextKey) =>
      isContextChanged(stateOf(requireKey(sessionKey)), contextKey),
  }
}

/** What one step shows: the call's outcome, then every queue's entries and context answers. */
function step(api: QueueApi, op: QueueOp, inspections: Entry[][]): string {
  const result = outcome(() => {
    switch (op.kind) {
      case "enqueue":
        return api.enqueueSystemEvent(op.text, op.options)
      case "peek": {
        const entries = api.peekSystemEventEntries(op.sessionKey)
        inspections.push(entries)
        return entries
      }
      case "drain":
        return api.drainSystemEventEntries(op.sessionKey)
      case "consume": {
        const inspection =
          inspections.length === 0 ? [] : (inspections[op.inspection % inspections.length] ?? [])
        const current = op.current ? api.peekSystemEventEntries(op.sessionKey) : inspection
        return api.consumeSystemEventEntries(op.sessionKey, current.slice(0, op.take ?? current.length))
      }
      case "has":
        return api.hasSystemEvents(op.sessionKey)
      case "context":
        return api.isSystemEventContextChanged(op.sessionKey, op.contextKey)
      case "fill":
        return Array.from({ length: op.count }, (_, index) =>
          api.enqueueSystemEvent(`fill ${index}`, { sessionKey: op.sessionKey, trusted: op.trusted }),
        )
    }
  })
  const queues = QUEUE_KEYS.map((key) => ({
    key,
    entries: outcome(() => api.peekSystemEventEntries(key)),
    has: outcome(() => api.hasSystemEvents(key)),
    changed: PROBED_CONTEXT_KEYS.map((contextKey) =>
      outcome(() => api.isSystemEventContextChanged(key, contextKey)),
    ),
  }))
  // Entries compared as data: an absent optional and an `undefined` one are the same to a caller.
  return JSON.stringify({ result, queues })
}

const RUNS = oracleRuns(200)

describeOracle("the queue against openclaw@2026.5.12", () => {
  let release: ReleaseQueue
  let clock = 0
  beforeAll(async () => {
    release = await loadOracleModule<ReleaseQueue>(FIXED_RELEASE, "src/infra/system-events.ts")
    vi.useFakeTimers({ toFake: ["Date"] })
  })
  afterAll(() => {
    vi.useRealTimers()
  })

  const runSequence = (ops: ReadonlyArray<QueueOp>) => {
    release.resetSystemEventsForTest()
    clock = 1_000
    vi.setSystemTime(clock)
    const ours = domainQueues(() => clock)
    const theirInspections: Entry[][] = []
    const ourInspections: Entry[][] = []
    ops.forEach((op, index) => {
      clock += op.advanceMs
      vi.setSystemTime(clock)
      const theirs = step(release, op, theirInspections)
      const mine = step(ours, op, ourInspections)
      // Compared as JSON text (fast); parsed back on a mismatch so the report shows the difference.
      if (mine !== theirs)
        expect(JSON.parse(mine), `step ${index}: ${JSON.stringify(op)}`).toEqual(JSON.parse(theirs))
    })
    release.resetSystemEventsForTest()
  }

  it("answers every call as the release does, after every step of random sequences", async () => {
    let steps = 0
    await assertDifferential(
      "queue @2026.5.12",
      fc.property(fc.array(queueOp, { minLength: 1, maxLength: 80, size: "large" }), (ops) => {
        steps += ops.length
        runSequence(ops)
      }),
      RUNS,
    )
    console.log(`oracle queue @2026.5.12: ${steps} steps compared`)
  })

  it("fills a queue past its cap as the release does (22 in → events 3..22)", () => {
    const ops: QueueOp[] = Array.from({ length: MAX_QUEUED_EVENTS + 2 }, (_, i) => ({
      kind: "enqueue",
      text: `event ${i + 1}`,
      options: { sessionKey: "agent:ops:main" },
      advanceMs: 1,
    }))
    runSequence([...ops, { kind: "peek", sessionKey: "agent:ops:main", advanceMs: 0 }])
  })
})
