/**
 * What the ledger's decisions read of the log: every queue, the gateway config, each session's
 * last activity and the last sweep (for the reaper), and the runs nodes reported finished (for
 * the repeated-run rule). A fold over the ledger's events, whatever stream they are in; where
 * they are stored (revisions, positions) is the application's business.
 *
 * `evolveLedgerState` updates the state it is given, in place, and returns it: a replay folds
 * millions of events, and copying maps per event was the known cost. Whoever owns a state
 * folds into it; `decide` only reads one.
 */

import { boundedMemo } from "./bounded-memo.ts"
import type { LedgerEvent } from "./events.ts"
import { emptyGatewayConfig, evolveGatewayConfig, type GatewayConfig } from "./gateway-config.ts"
import { emptyQueue, evolveQueue, type QueueState } from "./queue.ts"
import { QueueTable } from "./queue-table.ts"
import { canonicalSessionKey } from "./retention.ts"
import { rememberNodeExecFinished } from "./sources.ts"

export interface LedgerState {
  config: GatewayConfig
  /** Queue key → its state; forgotten, empty queues are not kept. */
  readonly queues: Map<string, QueueState>
  /** Canonical session key → last activity (any enqueue attempt from it). */
  readonly sessions: Map<string, number>
  lastSweepAt: number | undefined
  /** The runs nodes reported finished (`<session>::<runId>` → when): the repeated-run rule's memory. */
  readonly nodeExecFinishedRuns: Map<string, number>
}

export const initialLedgerState = (): LedgerState => ({
  config: emptyGatewayConfig,
  queues: new Map(),
  sessions: new Map(),
  lastSweepAt: undefined,
  nodeExecFinishedRuns: new Map(),
})

/** A queue's state; a queue never seen (or forgotten) is empty. */
export const queueIn = (state: LedgerState, queueKey: string): QueueState =>
  state.queues.get(queueKey) ?? emptyQueue(queueKey)

/**
 * `canonicalSessionKey`, remembered (bounded-memo.ts): the sessions Map then gets a canonical
 * string whose hash is already computed, instead of a new string to trim, lower and hash for
 * every event. (The last origin alone was remembered before, which missed whenever origins
 * alternate.)
 */
const canonicalOrigin = boundedMemo(canonicalSessionKey, 16_384)

export function evolveLedgerState<S extends LedgerState>(state: S, event: LedgerEvent): S {
  switch (event._tag) {
    case "AgentConfigured":
      state.config = evolveGatewayConfig(state.config, event)
      return state
    case "SessionsPruned":
    case "SessionsPrunedContinued":
      state.lastSweepAt = event.at
      for (const session of event.sessions) state.sessions.delete(session.sessionKey)
      return state
    case "HeartbeatWakeRequested":
    case "HeartbeatWakeSkipped":
      return state
    case "SystemEventEnqueued":
    case "SystemEventRejected": {
      const origin = canonicalOrigin(event.provenance.origin)
      if (origin) {
        const last = state.sessions.get(origin)
        if (last === undefined || event.at > last) state.sessions.set(origin, event.at)
      }
      const runId = event.provenance.finishedRunId
      if (runId !== undefined)
        rememberNodeExecFinished(state.nodeExecFinishedRuns, {
          sessionKey: event.provenance.origin,
          runId,
          now: event.at,
        })
      break
    }
  }
  if (!event.queueKey) return state
  // A QueueTable folds in place (queue-table.ts); any other Map gets evolveQueue's copies.
  if (state.queues instanceof QueueTable) {
    state.queues.evolve(event.queueKey, event)
    return state
  }
  const next = evolveQueue(queueIn(state, event.queueKey), event)
  // Forgotten, empty queues are not kept.
  if (next.events.length === 0 && next.lastText === undefined && next.lastContextKey === undefined) {
    state.queues.delete(event.queueKey)
  } else {
    state.queues.set(event.queueKey, next)
  }
  return state
}
