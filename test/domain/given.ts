/**
 * A small given/when/then harness for the queue decider, in the spirit of Emmett's
 * DeciderSpecification: `given(history).when(command).then(expectedEvents)`.
 *
 * `given` folds `evolve` over the history, `when` runs the decider against the folded state,
 * `then` compares the decided events exactly. `thenState` additionally folds the decided
 * events and hands the resulting state to a check, for rules about what a queue remembers
 * (its last context key, its last accepted text). `specify` builds such a `given` for any
 * decider; the gateway-config tests use it too.
 */
import { expect } from "vitest"
import type { DeliveryContext, Provenance, QueueEvent } from "../../domain/events.ts"
import {
  decideConsume,
  decideDrain,
  decideEnqueue,
  decidePrune,
  emptyQueue,
  evolveQueue,
  foldQueue,
  type QueueState,
} from "../../domain/queue.ts"

export const QUEUE_KEY = "agent:ops:main"
export const AT = 1_000
export const PROVENANCE: Provenance = { source: "api", origin: QUEUE_KEY, policy: {}, routing: "raw" }

/** A command is a decider applied to the folded state. */
export type Command = (state: QueueState) => ReadonlyArray<QueueEvent>

export interface EnqueueOptions {
  readonly contextKey?: string
  readonly trusted?: boolean
  readonly deliveryContext?: DeliveryContext
}

export const enqueue =
  (eventId: string, text: string, options: EnqueueOptions = {}): Command =>
  (state) =>
    decideEnqueue(state, { eventId, text, at: AT, provenance: PROVENANCE, ...options })

export const consume =
  (...inspected: string[]): Command =>
  (state) =>
    decideConsume(state, { inspected, at: AT })

export const drain = (): Command => (state) => decideDrain(state, { at: AT })

export const prune =
  (sessionKey: string): Command =>
  (state) =>
    decidePrune(state, { sessionKey, at: AT })

/** A decider as the specification sees it (Emmett's `DeciderSpecification.for` takes the same three). */
export interface Decider<S, C, E> {
  readonly decide: (state: S, command: C) => ReadonlyArray<E>
  readonly evolve: (state: S, event: E) => S
  readonly initialState: () => S
}

/** `specify(decider)(history).when(command).then(expectedEvents)` */
export const specify =
  <S, C, E>(decider: Decider<S, C, E>) =>
  (history: ReadonlyArray<E> = []) => {
    const state = history.reduce(decider.evolve, decider.initialState())
    return {
      when(command: C) {
        const decided = decider.decide(state, command)
        return {
          // biome-ignore lint/suspicious/noThenProperty: given/when/then is the specification's shape; never awaited
          then(expected: ReadonlyArray<E>) {
            expect(decided).toStrictEqual(expected)
          },
          thenNothingHappened() {
            expect(decided).toStrictEqual([])
          },
          /** Folds the decided events and hands the resulting state to a check. */
          thenState(check: (next: S) => void) {
            check(decided.reduce(decider.evolve, state))
          },
        }
      },
    }
  }

/** The queue decider: a command names which of its decide functions runs. */
export const given = specify<QueueState, Command, QueueEvent>({
  decide: (state, command) => command(state),
  evolve: evolveQueue,
  initialState: () => emptyQueue(QUEUE_KEY),
})

/** Runs commands one after another, each against the state the previous ones left. */
export function run(...commands: Command[]): { events: QueueEvent[]; state: QueueState } {
  const events: QueueEvent[] = []
  let state = emptyQueue(QUEUE_KEY)
  for (const command of commands) {
    const decided = command(state)
    events.push(...decided)
    state = foldQueue(state, decided)
  }
  return { events, state }
}

// ── recorded facts, as the decider writes them ─────────────────────────────────────────────

export const enqueued = (
  eventId: string,
  text: string,
  extra: { contextKey?: string; trusted?: boolean; deliveryContext?: DeliveryContext } = {},
): QueueEvent => ({
  _tag: "SystemEventEnqueued",
  queueKey: QUEUE_KEY,
  eventId,
  at: AT,
  provenance: PROVENANCE,
  text,
  ...(extra.contextKey === undefined ? {} : { contextKey: extra.contextKey }),
  trusted: extra.trusted ?? true,
  ...(extra.deliveryContext === undefined ? {} : { deliveryContext: extra.deliveryContext }),
})

export const rejected = (
  eventId: string,
  reason: "blank-text" | "duplicate",
  text: string,
  contextKey?: string,
): QueueEvent => ({
  _tag: "SystemEventRejected",
  queueKey: QUEUE_KEY,
  eventId,
  at: AT,
  provenance: PROVENANCE,
  reason,
  text,
  ...(contextKey === undefined ? {} : { contextKey }),
})

export const evicted = (eventId: string, byEventId: string): QueueEvent => ({
  _tag: "SystemEventEvicted",
  queueKey: QUEUE_KEY,
  eventId,
  byEventId,
  at: AT,
})

export const consumed = (...eventIds: string[]): QueueEvent => ({
  _tag: "SystemEventsConsumed",
  queueKey: QUEUE_KEY,
  eventIds,
  at: AT,
})

export const drained = (...eventIds: string[]): QueueEvent => ({
  _tag: "SystemEventsDrained",
  queueKey: QUEUE_KEY,
  eventIds,
  at: AT,
})

export const pruned = (sessionKey: string, ...eventIds: string[]): QueueEvent => ({
  _tag: "QueuePruned",
  queueKey: QUEUE_KEY,
  sessionKey,
  eventIds,
  at: AT,
})

export const heartbeatRan = (shown: string[], consumedIds: string[] = shown): QueueEvent => ({
  _tag: "HeartbeatRan",
  queueKey: QUEUE_KEY,
  agentId: "ops",
  runId: "run-1",
  reason: "interval",
  prompt: "plain",
  shown,
  consumed: consumedIds,
  at: AT,
})

/** The texts a state still queues, oldest first. */
export const textsOf = (state: QueueState): string[] => state.events.map((event) => event.text)
