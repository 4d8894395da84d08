/**
 * The per-session system-event queue (domain.md §4) as a decider. Deciding never mutates:
 * it returns the events that record each outcome; `evolveQueue` folds them into state.
 */
import type { DeliveryContext, Provenance, QueueEvent } from "./events.ts"

export const MAX_QUEUED_EVENTS = 20

export interface QueuedSystemEvent {
  readonly eventId: string
  readonly text: string
  readonly contextKey?: string | undefined
  readonly trusted: boolean
  readonly deliveryContext?: DeliveryContext | undefined
  readonly at: number
  readonly provenance: Provenance
}

export interface QueueState {
  readonly queueKey: string
  readonly events: ReadonlyArray<QueuedSystemEvent>
  /** The previous accepted text, for inspection (duplicates are judged on the queued events). */
  readonly lastText?: string | undefined
  /** The newest contextKey an accepted event brought; an event without one leaves it. */
  readonly lastContextKey?: string | undefined
}

export const emptyQueue = (queueKey: string): QueueState => ({ queueKey, events: [] })

/** OpenClaw's `requireSessionKey`: queues are keyed by the trimmed key, case preserved. */
export const normalizeQueueKey = (sessionKey: string | undefined | null): string | undefined => {
  const trimmed = typeof sessionKey === "string" ? sessionKey.trim() : ""
  return trimmed || undefined
}

export const normalizeContextKey = (contextKey: string | undefined | null): string | undefined => {
  const trimmed = (contextKey ?? "").trim()
  return trimmed ? trimmed.toLowerCase() : undefined
}

export interface EnqueueCommand {
  readonly eventId: string
  readonly text: string
  readonly contextKey?: string | undefined
  readonly trusted?: boolean | undefined
  readonly deliveryContext?: DeliveryContext | undefined
  readonly at: number
  readonly provenance: Provenance
}

const withContextKey = <T extends object>(base: T, contextKey: string | undefined) =>
  contextKey === undefined ? base : { ...base, contextKey }

/** OpenClaw's `channelRouteDedupeKey` equality over normalized contexts: absent parts compare as "". */
export const sameDeliveryContext = (
  a: DeliveryContext | undefined,
  b: DeliveryContext | undefined,
): boolean => {
  if (a === undefined || b === undefined) return a === b
  const part = (value: string | number | undefined) => (value === undefined ? "" : String(value))
  return (
    part(a.channel) === part(b.channel) &&
    part(a.to) === part(b.to) &&
    part(a.accountId) === part(b.accountId) &&
    part(a.threadId) === part(b.threadId)
  )
}

type DuplicateProbe = Pick<QueuedSystemEvent, "text" | "contextKey" | "trusted" | "deliveryContext">

const isDuplicateOf = (queued: QueuedSystemEvent, incoming: DuplicateProbe): boolean =>
  queued.text === incoming.text &&
  queued.contextKey === incoming.contextKey &&
  queued.trusted === incoming.trusted &&
  sameDeliveryContext(queued.deliveryContext, incoming.deliveryContext)

/**
 * OpenClaw 2026.5.12's duplicate rule: an event without a contextKey repeats only the newest
 * queued one; one with a contextKey repeats any queued event. Text, contextKey, trust and
 * delivery context must all be equal.
 */
const isDuplicate = (state: QueueState, incoming: DuplicateProbe): boolean => {
  if (incoming.contextKey !== undefined) return state.events.some((queued) => isDuplicateOf(queued, incoming))
  const newest = state.events[state.events.length - 1]
  return newest !== undefined && isDuplicateOf(newest, incoming)
}

/** `deliveryContext` is expected normalized (OpenClaw's `normalizeDeliveryContext`); it is kept as given. */
export function decideEnqueue(state: QueueState, command: EnqueueCommand): ReadonlyArray<QueueEvent> {
  const { queueKey } = state
  const text = command.text.trim()
  const common = { queueKey, eventId: command.eventId, at: command.at, provenance: command.provenance }
  if (!text) return [{ _tag: "SystemEventRejected", ...common, reason: "blank-text", text: command.text }]
  const contextKey = normalizeContextKey(command.contextKey)
  const trusted = command.trusted ?? true
  if (isDuplicate(state, { text, contextKey, trusted, deliveryContext: command.deliveryContext })) {
    return [
      withContextKey(
        { _tag: "SystemEventRejected" as const, ...common, reason: "duplicate" as const, text },
        contextKey,
      ),
    ]
  }
  const accepted: QueueEvent = {
    ...withContextKey({ _tag: "SystemEventEnqueued" as const, ...common, text }, contextKey),
    trusted,
    ...(command.deliveryContext === undefined ? {} : { deliveryContext: command.deliveryContext }),
  }
  const oldest = state.events[0]
  if (state.events.length < MAX_QUEUED_EVENTS || oldest === undefined) return [accepted]
  return [
    accepted,
    {
      _tag: "SystemEventEvicted",
      queueKey,
      eventId: oldest.eventId,
      byEventId: command.eventId,
      at: command.at,
    },
  ]
}

/**
 * Removes the inspected events if they still head the queue, in order; otherwise nothing
 * (a stale inspection must not remove events that arrived or changed meanwhile).
 */
export function decideConsume(
  state: QueueState,
  command: { readonly inspected: ReadonlyArray<string>; readonly at: number },
): ReadonlyArray<QueueEvent> {
  const { inspected } = command
  if (inspected.length === 0 || inspected.length > state.events.length) return []
  const headsQueue = inspected.every((eventId, index) => state.events[index]?.eventId === eventId)
  if (!headsQueue) return []
  return [
    { _tag: "SystemEventsConsumed", queueKey: state.queueKey, eventIds: [...inspected], at: command.at },
  ]
}

/**
 * Removes the inspected events wherever they are in the queue (OpenClaw's
 * `consumeSelectedSystemEventEntries`); ids no longer queued are ignored. As in OpenClaw, a
 * selection on a non-empty queue settles the last contextKey even when it removes nothing
 * (recorded as a consumption of no events): the caller asks only for a non-empty selection.
 */
export function decideConsumeSelected(
  state: QueueState,
  command: { readonly inspected: ReadonlyArray<string>; readonly at: number },
): ReadonlyArray<QueueEvent> {
  if (state.events.length === 0) return []
  const queued = new Set(state.events.map((event) => event.eventId))
  const eventIds = command.inspected.filter((eventId) => queued.has(eventId))
  return [{ _tag: "SystemEventsConsumed", queueKey: state.queueKey, eventIds, at: command.at }]
}

export function decideDrain(state: QueueState, command: { readonly at: number }): ReadonlyArray<QueueEvent> {
  if (state.events.length === 0) return []
  const eventIds = state.events.map((event) => event.eventId)
  return [{ _tag: "SystemEventsDrained", queueKey: state.queueKey, eventIds, at: command.at }]
}

export function decidePrune(
  state: QueueState,
  command: { readonly sessionKey: string; readonly at: number },
): ReadonlyArray<QueueEvent> {
  if (state.events.length === 0) return []
  const eventIds = state.events.map((event) => event.eventId)
  return [
    {
      _tag: "QueuePruned",
      queueKey: state.queueKey,
      sessionKey: command.sessionKey,
      eventIds,
      at: command.at,
    },
  ]
}

const forget = (state: QueueState): QueueState => emptyQueue(state.queueKey)

/** After removals: an emptied queue is forgotten; otherwise its last contextKey is the newest left. */
const removeEvents = (state: QueueState, eventIds: ReadonlyArray<string>): QueueState => {
  if (eventIds.length === 0) return state
  const removed = new Set(eventIds)
  const events = state.events.filter((event) => !removed.has(event.eventId))
  if (events.length === 0) return forget(state)
  const lastContextKey = events.findLast((event) => event.contextKey !== undefined)?.contextKey
  return { ...state, events, lastContextKey }
}

/** The last contextKey recomputed from what is queued (after the cap evicted the one that set it). */
const settleLastContextKey = (state: QueueState): QueueState =>
  state.events.length === 0
    ? forget(state)
    : {
        ...state,
        lastContextKey: state.events.findLast((event) => event.contextKey !== undefined)?.contextKey,
      }

/** What an accepted event leaves in its queue. */
export const queuedEventOf = (
  event: Extract<QueueEvent, { _tag: "SystemEventEnqueued" }>,
): QueuedSystemEvent => ({
  eventId: event.eventId,
  text: event.text,
  contextKey: event.contextKey,
  trusted: event.trusted,
  deliveryContext: event.deliveryContext,
  at: event.at,
  provenance: event.provenance,
})

export function evolveQueue(state: QueueState, event: QueueEvent): QueueState {
  switch (event._tag) {
    case "SystemEventEnqueued": {
      return {
        ...state,
        events: [...state.events, queuedEventOf(event)],
        lastText: event.text,
        lastContextKey: event.contextKey ?? state.lastContextKey,
      }
    }
    case "SystemEventRejected":
      return state
    case "SystemEventEvicted":
      return { ...state, events: state.events.filter((queued) => queued.eventId !== event.eventId) }
    case "SystemEventsConsumed":
      // A consumption of no events (a selection that matched none) only settles the last contextKey.
      return event.eventIds.length === 0 ? settleLastContextKey(state) : removeEvents(state, event.eventIds)
    case "HeartbeatRan":
      return removeEvents(state, event.consumed)
    case "SystemEventsDrained":
    case "QueuePruned":
      return forget(state)
  }
}

export const foldQueue = (state: QueueState, events: Iterable<QueueEvent>): QueueState => {
  let next = state
  for (const event of events) next = evolveQueue(next, event)
  return next
}

/** OpenClaw's `isSystemEventContextChanged`: no queue compares with no contextKey. */
export const isContextChanged = (state: QueueState, contextKey: string | undefined | null): boolean =>
  normalizeContextKey(contextKey) !== state.lastContextKey
