/**
 * A realistic, fast event log for the benchmark: per queue, cycles of enqueues produced by
 * the domain's decider (`decideEnqueue`), an occasional duplicate rejection, and a heartbeat
 * run that consumes what was queued. Each event's JSON is about 250–350 bytes.
 */
import type { EventData } from "../../application/event-store.ts"
import { CONFIG_STREAM, queueStreamId } from "../../application/stream-names.ts"
import type { LedgerEvent, Provenance, QueueEvent } from "../../domain/events.ts"
import { decideEnqueue, emptyQueue, evolveQueue, type QueueState } from "../../domain/queue.ts"
import { resolveEventSessionKey } from "../../domain/routing.ts"
import { seededUuids } from "../../infrastructure/ids.ts"

export const AGENTS = ["main", "ops", "research", "cron-bot"] as const
const SOURCES = ["exec-exit", "cron", "acp-relay", "node-event", "hook", "task"] as const
const QUEUES = 64
const T0 = Date.UTC(2026, 0, 1)

export const configEvents = (): ReadonlyArray<LedgerEvent> =>
  AGENTS.map((agentId, index) => ({
    _tag: "AgentConfigured" as const,
    agentId,
    mainKey: "main",
    ...(index === 3 ? { scope: "per-sender" as const } : {}),
    enabled: true,
    at: T0,
  }))

const encode = (next: () => string, event: LedgerEvent): EventData => ({
  id: next(),
  type: event._tag,
  version: 1,
  data: event,
})

/** Generates the log in batches of `batchSize` events, each batch on one queue stream. */
export function makeLogGenerator(seed = 7) {
  const next = seededUuids(seed)
  const states: QueueState[] = []
  let at = T0
  let counter = 0
  const queueKeyOf = (q: number) => {
    const agentId = AGENTS[q % AGENTS.length] as string
    return q < AGENTS.length
      ? `agent:${agentId}:main`
      : `agent:${agentId}:chan-${q}:peer-${(q * 7919) % 1000}`
  }
  const originOf = (q: number, n: number) => {
    const agentId = AGENTS[q % AGENTS.length] as string
    return n % 3 === 0 ? `agent:${agentId}:cron:job-${q}:run:${(n % 97).toString(16)}` : queueKeyOf(q)
  }
  const cycle = (q: number, out: QueueEvent[]) => {
    let state = states[q] ?? emptyQueue(queueKeyOf(q))
    const agentId = AGENTS[q % AGENTS.length] as string
    for (let i = 0; i < 4; i++) {
      counter++
      at += 37
      const origin = originOf(q, counter)
      const source = SOURCES[counter % SOURCES.length] as (typeof SOURCES)[number]
      const provenance: Provenance = {
        source,
        origin,
        policy: { mainKey: "main" },
        routing: "fixed",
        wake: { sessionKey: resolveEventSessionKey(origin, "main"), source, reason: "system-event" },
      }
      // Every tenth attempt repeats the previous text: a duplicate rejection.
      const text =
        counter % 10 === 0 && state.lastText !== undefined
          ? state.lastText
          : `Exec finished (exit ${counter % 3}): npm test -- run ${counter} passed ${counter % 200} in ${(counter % 90) / 10}s`
      const events = decideEnqueue(state, {
        eventId: next(),
        text,
        at,
        provenance,
        contextKey: `exec:${q}`,
      })
      for (const event of events) {
        out.push(event)
        state = evolveQueue(state, event)
      }
    }
    at += 53
    const shown = state.events.map((event) => event.eventId)
    const ran: QueueEvent = {
      _tag: "HeartbeatRan",
      queueKey: state.queueKey,
      agentId,
      runId: next(),
      reason: "interval",
      prompt: "exec",
      shown,
      consumed: shown,
      at,
    }
    out.push(ran)
    state = evolveQueue(state, ran)
    states[q] = state
  }
  let batchIndex = 0
  return {
    /** The next batch: `size` events for one queue stream. */
    batch(size: number): { readonly streamId: string; readonly events: EventData[] } {
      const q = batchIndex++ % QUEUES
      const before = states[q] ?? emptyQueue(queueKeyOf(q))
      const out: QueueEvent[] = []
      while (out.length < size) cycle(q, out)
      const events = out.slice(0, size).map((event) => encode(next, event))
      if (out.length > size) {
        // Keep the queue consistent with what was written: replay the kept events only.
        let state = before
        for (const event of out.slice(0, size)) state = evolveQueue(state, event)
        states[q] = state
      }
      return { streamId: queueStreamId(queueKeyOf(q)), events }
    },
    config(): { readonly streamId: string; readonly events: EventData[] } {
      return { streamId: CONFIG_STREAM, events: configEvents().map((event) => encode(next, event)) }
    },
  }
}
