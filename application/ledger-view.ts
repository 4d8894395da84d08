/**
 * The ledger's view of the log: everything its deciders need — each queue's state and
 * stream revision, the gateway config, session activity for the reaper. It is a fold over the
 * global log; the ledger keeps one up to date and folds in what it appends.
 */
import type { LedgerEvent } from "../domain/events.ts"
import { emptyGatewayConfig, evolveGatewayConfig, type GatewayConfig } from "../domain/gateway-config.ts"
import { emptyQueue, evolveQueue, type QueueState } from "../domain/queue.ts"
import { canonicalSessionKey } from "../domain/retention.ts"
import { rememberNodeExecFinished } from "../domain/sources.ts"
import type { RecordedEvent } from "./event-store.ts"
import { queueStreamId } from "./stream-names.ts"

export class LedgerView {
  /** The global position of the last event folded in. */
  position = 0
  config: GatewayConfig = emptyGatewayConfig
  readonly queues = new Map<string, QueueState>()
  /** Revision of every stream seen: the expected revision of the next append to it. */
  readonly revisions = new Map<string, number>()
  /** Canonical session key → last activity (any enqueue attempt from it). */
  readonly sessions = new Map<string, number>()
  lastSweepAt: number | undefined
  /** The runs nodes reported finished (`<session>::<runId>` → when): the repeated-run rule's memory. */
  readonly nodeExecFinishedRuns = new Map<string, number>()

  queue(queueKey: string): QueueState {
    return this.queues.get(queueKey) ?? emptyQueue(queueKey)
  }

  revision(streamId: string): number {
    return this.revisions.get(streamId) ?? -1
  }

  queueRevision(queueKey: string): number {
    return this.revision(queueStreamId(queueKey))
  }

  apply(record: Pick<RecordedEvent, "streamId" | "revision" | "position">, event: LedgerEvent): void {
    // One lookup and a write only when something moves: this runs for every event of a replay.
    if (record.position > this.position) this.position = record.position
    const revision = this.revisions.get(record.streamId)
    if (revision === undefined || record.revision > revision)
      this.revisions.set(record.streamId, record.revision)
    switch (event._tag) {
      case "AgentConfigured":
        this.config = evolveGatewayConfig(this.config, event)
        return
      case "SessionsPruned":
      case "SessionsPrunedContinued":
        this.lastSweepAt = event.at
        for (const session of event.sessions) this.sessions.delete(session.sessionKey)
        return
      case "HeartbeatWakeRequested":
      case "HeartbeatWakeSkipped":
        return
      case "SystemEventEnqueued":
      case "SystemEventRejected": {
        const origin = canonicalSessionKey(event.provenance.origin)
        if (origin) {
          const last = this.sessions.get(origin)
          if (last === undefined || event.at > last) this.sessions.set(origin, event.at)
        }
        const runId = event.provenance.finishedRunId
        if (runId !== undefined)
          rememberNodeExecFinished(this.nodeExecFinishedRuns, {
            sessionKey: event.provenance.origin,
            runId,
            now: event.at,
          })
        break
      }
    }
    if (!event.queueKey) return
    const next = evolveQueue(this.queue(event.queueKey), event)
    // Forgotten, empty queues are not kept: only their stream revision is.
    if (next.events.length === 0 && next.lastText === undefined && next.lastContextKey === undefined) {
      this.queues.delete(event.queueKey)
    } else {
      this.queues.set(event.queueKey, next)
    }
  }
}
