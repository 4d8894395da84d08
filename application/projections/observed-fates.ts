/**
 * The fate of every system event a real gateway was observed enqueueing, from the observed
 * facts alone (domain/observed-events.ts): shown to the model by a prompt built for its
 * session; consumed without being shown; evicted at the cap; deleted with its session; still
 * pending; or stranded — pending in a queue no heartbeat drains. Prompt lines that match no
 * observed enqueue (an entry queued and drained between two reads of the queue map) are listed
 * too. docs/audit.md ("The audit of an observed store") says what each fate means.
 */
import type { ObservedEntry, ObservedEvent } from "../../domain/observed-events.ts"
import { MAX_QUEUED_EVENTS } from "../../domain/queue.ts"
import { Violations } from "../invariants/invariant.ts"

/** An observed fact and where it sits in the log. */
export interface ObservedRecord {
  readonly event: ObservedEvent
  readonly position: number
  readonly streamId: string
}

export const OBSERVED_FATES = [
  "shown",
  "consumed-unshown",
  "evicted",
  "deleted-with-session",
  "lost-with-gateway",
  "pending",
  "stranded",
] as const
export type ObservedFateKind = (typeof OBSERVED_FATES)[number]

export interface ShownBy {
  readonly runId: string
  readonly trigger: string | undefined
  readonly sessionKey: string | undefined
  readonly at: number
  /** From an `agent_end` fact of that run; null when none was observed. */
  readonly completed: boolean | null
}

/** One observed enqueue and what the facts after it show. */
export interface ObservedItem {
  readonly observationId: string
  readonly streamId: string
  readonly position: number
  readonly sessionKey: string
  readonly entry: ObservedEntry
  readonly at: number
  removed:
    | { readonly at: number; readonly how: "left-queue" | "queue-deleted"; readonly position: number }
    | undefined
  shownBy: ShownBy | undefined
  /** Left the queue, the oldest of a full one, in the read where a new entry arrived. */
  evicted: boolean
}

/** What the prompts, removals and lifecycle facts of a log say about its observed enqueues. */
export interface ObservedFacts {
  readonly items: ReadonlyArray<ObservedItem>
  /** The session keys heartbeat prompts were built for, per the agent id the prompt names (or ""). */
  readonly heartbeatKeys: ReadonlyArray<string>
  readonly prompts: ReadonlyArray<
    ObservedRecord & { readonly event: { readonly _tag: "ObservedPromptBuilt" } }
  >
  /** `session_end` facts: session key → the times its session ended. */
  readonly sessionEnds: ReadonlyMap<string, ReadonlyArray<number>>
  /** The prompts by the session they were built for (`undefined`: a prompt naming none). */
  readonly promptsBySession: ReadonlyMap<string | undefined, ReadonlyArray<ObservedFacts["prompts"][number]>>
  /** `gateway_stop` facts: observer stream → the position of its gateway's (first) stop. */
  readonly gatewayStops: ReadonlyMap<string, number>
  readonly shownUnobserved: ReadonlyArray<{
    readonly sessionKey: string | undefined
    readonly runId: string
    readonly text: string
  }>
  readonly lost: number
  /** Facts that break "one fate each": a doubled observation id, a removal of nothing queued. */
  readonly oneFate: Violations
}

/** The first line of an entry's text: what a `System: [time] …` line starts with. */
const firstLine = (text: string): string => text.split("\n")[0] ?? ""

/** A removal and a `session_end` of the same key this close together are one deletion. */
export const SESSION_END_WINDOW_MS = 5_000

export function observedFacts(records: Iterable<ObservedRecord>): ObservedFacts {
  const items = new Map<string, ObservedItem>()
  const queued = new Map<string, ObservedItem[]>()
  const heartbeatKeys = new Set<string>()
  const prompts: Array<ObservedFacts["prompts"][number]> = []
  const sessionEnds = new Map<string, number[]>()
  const completedRuns = new Map<string, boolean>()
  const gatewayStops = new Map<string, number>()
  const promptsBySession = new Map<string | undefined, Array<ObservedFacts["prompts"][number]>>()
  const shownUnobserved: Array<ObservedFacts["shownUnobserved"][number]> = []
  const oneFate = new Violations()
  // Entries not yet shown, by first line, oldest first: what a prompt's line can be matched to.
  const unshownByLine = new Map<string, ObservedItem[]>()
  // A full queue's oldest entry that left in a read: evicted if that read also brought a new one.
  const evictionCandidates = new Map<string, { at: number; items: ObservedItem[] }>()
  let lost = 0
  for (const record of records) {
    const { event, position, streamId } = record
    const where = { position, streamId }
    switch (event._tag) {
      case "ObservedEnqueued": {
        if (items.has(event.observationId)) {
          oneFate.add({ ...where, eventId: event.observationId, reason: "observation id enqueued twice" })
          break
        }
        const item: ObservedItem = {
          observationId: event.observationId,
          streamId,
          position,
          sessionKey: event.sessionKey,
          entry: event.entry,
          at: event.at,
          removed: undefined,
          shownBy: undefined,
          evicted: false,
        }
        items.set(event.observationId, item)
        const line = firstLine(event.entry.text)
        const sameLine = unshownByLine.get(line) ?? []
        sameLine.push(item)
        unshownByLine.set(line, sameLine)
        const queue = queued.get(event.sessionKey) ?? []
        queue.push(item)
        queued.set(event.sessionKey, queue)
        const candidates = evictionCandidates.get(event.sessionKey)
        if (candidates !== undefined && candidates.at === event.at) {
          const evicted = candidates.items.shift()
          if (evicted !== undefined) evicted.evicted = true
        }
        break
      }
      case "ObservedRemoved": {
        const item = items.get(event.observationId)
        const queue = queued.get(event.sessionKey) ?? []
        const index = item === undefined ? -1 : queue.indexOf(item)
        if (item === undefined || index < 0) {
          oneFate.add({
            ...where,
            eventId: event.observationId,
            reason:
              item === undefined
                ? "removal of an observation never enqueued"
                : `removal of an observation not queued under ${event.sessionKey} at that moment`,
          })
          break
        }
        if (event.how === "left-queue" && index === 0 && queue.length >= MAX_QUEUED_EVENTS) {
          const candidates = evictionCandidates.get(event.sessionKey)
          if (candidates !== undefined && candidates.at === event.at) candidates.items.push(item)
          else evictionCandidates.set(event.sessionKey, { at: event.at, items: [item] })
        }
        queue.splice(index, 1)
        item.removed = { at: event.at, how: event.how, position }
        break
      }
      case "ObservedPromptBuilt": {
        prompts.push({ ...record, event })
        const same = promptsBySession.get(event.sessionKey) ?? []
        same.push({ ...record, event })
        promptsBySession.set(event.sessionKey, same)
        if (event.trigger === "heartbeat" && event.sessionKey !== undefined)
          heartbeatKeys.add(event.sessionKey)
        for (const line of event.shown) {
          // The oldest entry of the prompt's session with this text not yet shown: removed
          // first (drained into this prompt), else still queued (peeked, consumed after).
          const candidates = unshownByLine.get(line.text) ?? []
          let match: ObservedItem | undefined
          let queuedMatch: ObservedItem | undefined
          for (const item of candidates) {
            if (item.evicted) continue
            if (event.sessionKey !== undefined && item.sessionKey !== event.sessionKey) continue
            if (item.removed !== undefined) {
              match = item
              break
            }
            queuedMatch ??= item
          }
          match ??= queuedMatch
          if (match === undefined)
            shownUnobserved.push({ sessionKey: event.sessionKey, runId: event.runId, text: line.text })
          else {
            candidates.splice(candidates.indexOf(match), 1)
            if (candidates.length === 0) unshownByLine.delete(line.text)
            match.shownBy = {
              runId: event.runId,
              trigger: event.trigger,
              sessionKey: event.sessionKey,
              at: event.at,
              completed: null,
            }
          }
        }
        break
      }
      case "ObservedLifecycle":
        if (event.hook === "session_end" && event.sessionKey !== undefined) {
          const ends = sessionEnds.get(event.sessionKey) ?? []
          ends.push(event.at)
          sessionEnds.set(event.sessionKey, ends)
        }
        if (event.hook === "gateway_stop" && !gatewayStops.has(streamId)) gatewayStops.set(streamId, position)
        if (event.hook === "agent_end" && event.runId !== undefined)
          completedRuns.set(event.runId, event.detail.success !== "false" && event.detail.failed !== "true")
        break
      case "ObservationsLost":
        lost += event.count
        break
      case "ObserverStarted":
        break
    }
  }
  for (const item of items.values()) {
    const completed = item.shownBy === undefined ? undefined : completedRuns.get(item.shownBy.runId)
    if (item.shownBy !== undefined && completed !== undefined) item.shownBy = { ...item.shownBy, completed }
  }
  return {
    items: [...items.values()],
    heartbeatKeys: [...heartbeatKeys],
    prompts,
    sessionEnds,
    promptsBySession,
    gatewayStops,
    shownUnobserved,
    lost,
    oneFate,
  }
}

/** Whether a session of `sessionKey` ended close to the time its queue went. */
const endedWithSession = (facts: ObservedFacts, item: ObservedItem, removedAt: number): boolean =>
  (facts.sessionEnds.get(item.sessionKey) ?? []).some(
    (at) => at >= item.entry.ts - SESSION_END_WINDOW_MS && Math.abs(at - removedAt) <= SESSION_END_WINDOW_MS,
  )

/** The one fate of an observed enqueue; `drained` says whether a heartbeat drains its queue. */
export function fateOf(
  facts: ObservedFacts,
  item: ObservedItem,
  drained: (sessionKey: string) => boolean,
): ObservedFateKind {
  if (item.shownBy !== undefined) return "shown"
  if (item.removed === undefined) {
    // Where no heartbeat drains, it was stranded, restart or not.
    if (!drained(item.sessionKey)) return "stranded"
    // OpenClaw's queues live in memory: what its process still held when it stopped is gone.
    const stop = facts.gatewayStops.get(item.streamId)
    return stop !== undefined && stop > item.position ? "lost-with-gateway" : "pending"
  }
  if (item.evicted) return "evicted"
  if (item.removed.how === "queue-deleted" && endedWithSession(facts, item, item.removed.at))
    return "deleted-with-session"
  return "consumed-unshown"
}

/** A turn that took an entry from its queue: the prompt built for it. */
export interface TakenBy {
  readonly runId: string
  readonly trigger: string | undefined
  readonly sessionKey: string | undefined
}

/**
 * The turn that took a removed entry: the first prompt built for its session (or naming none)
 * after its enqueue, up to a moment after its removal — a heartbeat (its exec prompt shows no
 * `System:` line) or a reply turn. Undefined when none did.
 */
export function takenByOf(facts: ObservedFacts, item: ObservedItem): TakenBy | undefined {
  const removed = item.removed
  if (removed === undefined) return undefined
  let first: ObservedFacts["prompts"][number] | undefined
  for (const prompts of [facts.promptsBySession.get(item.sessionKey), facts.promptsBySession.get(undefined)])
    for (const prompt of prompts ?? []) {
      if (prompt.position <= item.position || prompt.event.at > removed.at + SESSION_END_WINDOW_MS) continue
      if (first === undefined || prompt.position < first.position) first = prompt
      break
    }
  return first === undefined
    ? undefined
    : { runId: first.event.runId, trigger: first.event.trigger, sessionKey: first.event.sessionKey }
}

/** From OpenClaw's enqueue time to the prompt that showed it. */
export const latencyOf = (item: ObservedItem): number | undefined =>
  item.shownBy === undefined ? undefined : item.shownBy.at - item.entry.ts

// ── the first summary, kept for the end-to-end checks ─────────────────────────────────────

export type ObservedFate =
  | {
      readonly _tag: "Shown"
      readonly runId: string
      readonly trigger: string | undefined
      readonly at: number
    }
  | { readonly _tag: "RemovedUnshown"; readonly at: number; readonly how: "left-queue" | "queue-deleted" }
  | { readonly _tag: "Pending" }
  | { readonly _tag: "Stranded" }

export interface ObservedEventFate {
  readonly observationId: string
  readonly sessionKey: string
  readonly entry: ObservedEntry
  readonly fate: ObservedFate
  readonly latencyMs: number | undefined
}

export interface ObservedAccount {
  readonly fates: ReadonlyArray<ObservedEventFate>
  /** The session keys the heartbeat prompts were built for: the queues a heartbeat drains. */
  readonly heartbeatKeys: ReadonlyArray<string>
  /** Prompt lines no observed enqueue accounts for. */
  readonly shownUnobserved: ReadonlyArray<{ readonly sessionKey: string | undefined; readonly text: string }>
  readonly lost: number
  readonly observers: ReadonlyArray<{ readonly openclawVersion: string; readonly queueMapReadable: boolean }>
}

/** The fates of a list of observed facts, judged against the heartbeats observed only. */
export function accountObserved(events: Iterable<ObservedEvent>): ObservedAccount {
  const list = [...events]
  const facts = observedFacts(list.map((event, index) => ({ event, position: index + 1, streamId: "" })))
  const heartbeatKeys = new Set(facts.heartbeatKeys)
  const fates = facts.items.map((item): ObservedEventFate => {
    const { shownBy, removed } = item
    const fate: ObservedFate =
      shownBy !== undefined
        ? { _tag: "Shown", runId: shownBy.runId, trigger: shownBy.trigger, at: shownBy.at }
        : removed !== undefined
          ? { _tag: "RemovedUnshown", at: removed.at, how: removed.how }
          : heartbeatKeys.has(item.sessionKey)
            ? { _tag: "Pending" }
            : { _tag: "Stranded" }
    return {
      observationId: item.observationId,
      sessionKey: item.sessionKey,
      entry: item.entry,
      fate,
      latencyMs: latencyOf(item),
    }
  })
  return {
    fates,
    heartbeatKeys: facts.heartbeatKeys,
    shownUnobserved: facts.shownUnobserved.map(({ sessionKey, text }) => ({ sessionKey, text })),
    lost: facts.lost,
    observers: list.flatMap((event) =>
      event._tag === "ObserverStarted"
        ? [{ openclawVersion: event.openclawVersion, queueMapReadable: event.queueMapReadable }]
        : [],
    ),
  }
}
