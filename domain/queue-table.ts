/**
 * The ledger state's queues, folded in place. A replay folds millions of queue events, and
 * `evolveQueue` copies a queue's events (up to 20) at every one of them: the table keeps a
 * mutable draft of each queue the fold touches instead, and turns it into an ordinary
 * QueueState only when someone reads that queue (any Map method). A QueueState handed out is
 * never changed afterwards: the next event on its queue starts a new draft from a copy. So a
 * reader sees exactly what `evolveQueue` would have given, and the fold's interface stays pure
 * to everyone but the table's owner, which is the one folding into it.
 */
import type { QueueEvent } from "./events.ts"
import { type QueuedSystemEvent, type QueueState, queuedEventOf } from "./queue.ts"

/** A queue being folded into: its events array is the draft's own, nobody else holds it. */
interface Draft {
  readonly queueKey: string
  readonly events: QueuedSystemEvent[]
  lastText: string | undefined
  lastContextKey: string | undefined
  /** Whether the queue's object has the key (kept as `evolveQueue`'s spreads would). */
  hasLastText: boolean
  hasLastContextKey: boolean
  /** Whether the table holds the queue now: its place in the Map's order is kept as it moves. */
  kept: boolean
}

const draftOf = (queueKey: string, state: QueueState | undefined): Draft =>
  state === undefined
    ? {
        queueKey,
        events: [],
        lastText: undefined,
        lastContextKey: undefined,
        hasLastText: false,
        hasLastContextKey: false,
        kept: false,
      }
    : {
        queueKey,
        events: state.events.slice(),
        lastText: state.lastText,
        lastContextKey: state.lastContextKey,
        hasLastText: "lastText" in state,
        hasLastContextKey: "lastContextKey" in state,
        kept: true,
      }

/** The QueueState `evolveQueue` would have built: same keys, same order. */
const stateOf = (draft: Draft): QueueState => {
  const state: { queueKey: string; events: QueuedSystemEvent[]; lastText?: string; lastContextKey?: string } =
    { queueKey: draft.queueKey, events: draft.events }
  if (draft.hasLastText) state.lastText = draft.lastText as string
  if (draft.hasLastContextKey) state.lastContextKey = draft.lastContextKey as string
  return state
}

const forget = (draft: Draft): void => {
  draft.events.length = 0
  draft.lastText = undefined
  draft.lastContextKey = undefined
  draft.hasLastText = false
  draft.hasLastContextKey = false
}

/** Keeps the events `keep` says yes to, in order, in the same array. */
const retain = (events: QueuedSystemEvent[], keep: (event: QueuedSystemEvent) => boolean): void => {
  let kept = 0
  for (let index = 0; index < events.length; index++) {
    const event = events[index] as QueuedSystemEvent
    if (keep(event)) events[kept++] = event
  }
  events.length = kept
}

const settleLastContextKey = (draft: Draft): void => {
  if (draft.events.length === 0) {
    forget(draft)
    return
  }
  draft.lastContextKey = draft.events.findLast((event) => event.contextKey !== undefined)?.contextKey
  draft.hasLastContextKey = true
}

const removeEvents = (draft: Draft, eventIds: ReadonlyArray<string>): void => {
  if (eventIds.length === 0) return
  retain(draft.events, (event) => !eventIds.includes(event.eventId))
  settleLastContextKey(draft)
}

/** `evolveQueue`, on a draft. */
function evolveDraft(draft: Draft, event: QueueEvent): void {
  switch (event._tag) {
    case "SystemEventEnqueued":
      draft.events.push(queuedEventOf(event))
      draft.lastText = event.text
      draft.lastContextKey = event.contextKey ?? draft.lastContextKey
      draft.hasLastText = true
      draft.hasLastContextKey = true
      return
    case "SystemEventRejected":
      return
    case "SystemEventEvicted":
      retain(draft.events, (queued) => queued.eventId !== event.eventId)
      return
    case "SystemEventsConsumed":
      if (event.eventIds.length === 0) settleLastContextKey(draft)
      else removeEvents(draft, event.eventIds)
      return
    case "HeartbeatRan":
      removeEvents(draft, event.consumed)
      return
    case "SystemEventsDrained":
    case "QueuePruned":
      forget(draft)
  }
}

/** Holds a draft's place in the Map until the draft is read; never handed out. */
const PLACEHOLDER: QueueState = Object.freeze({ queueKey: "", events: [] })

export class QueueTable extends Map<string, QueueState> {
  // Created lazily: Map's constructor calls `set` for its initial entries before fields exist.
  private drafts: Map<string, Draft> | undefined

  /** Folds a queue event into its queue; forgotten, empty queues are not kept. */
  evolve(queueKey: string, event: QueueEvent): void {
    if (event._tag === "SystemEventRejected") return
    this.drafts ??= new Map()
    let draft = this.drafts.get(queueKey)
    if (draft === undefined) {
      draft = draftOf(queueKey, super.get(queueKey))
      this.drafts.set(queueKey, draft)
    }
    evolveDraft(draft, event)
    // As `evolveQueue`'s fold does after every event: a forgotten, empty queue leaves the Map, a
    // new one joins it at the end (its value is set when it is read, see settle).
    const kept = draft.events.length > 0 || draft.lastText !== undefined || draft.lastContextKey !== undefined
    if (kept === draft.kept) return
    draft.kept = kept
    if (kept) super.set(queueKey, PLACEHOLDER)
    else super.delete(queueKey)
  }

  private settle(queueKey: string): void {
    const draft = this.drafts?.get(queueKey)
    if (draft === undefined) return
    this.drafts?.delete(queueKey)
    if (draft.kept) super.set(queueKey, stateOf(draft))
  }

  private settleAll(): void {
    if (this.drafts === undefined || this.drafts.size === 0) return
    for (const queueKey of [...this.drafts.keys()]) this.settle(queueKey)
  }

  override get(queueKey: string): QueueState | undefined {
    this.settle(queueKey)
    return super.get(queueKey)
  }

  override has(queueKey: string): boolean {
    this.settle(queueKey)
    return super.has(queueKey)
  }

  override set(queueKey: string, state: QueueState): this {
    this.drafts?.delete(queueKey)
    return super.set(queueKey, state)
  }

  override delete(queueKey: string): boolean {
    this.settle(queueKey)
    return super.delete(queueKey)
  }

  override clear(): void {
    this.drafts?.clear()
    super.clear()
  }

  override get size(): number {
    this.settleAll()
    return super.size
  }

  override forEach(
    callback: (value: QueueState, key: string, map: Map<string, QueueState>) => void,
    thisArg?: unknown,
  ): void {
    this.settleAll()
    super.forEach(callback, thisArg)
  }

  override keys(): MapIterator<string> {
    this.settleAll()
    return super.keys()
  }

  override values(): MapIterator<QueueState> {
    this.settleAll()
    return super.values()
  }

  override entries(): MapIterator<[string, QueueState]> {
    this.settleAll()
    return super.entries()
  }

  override [Symbol.iterator](): MapIterator<[string, QueueState]> {
    return this.entries()
  }
}
