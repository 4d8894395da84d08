/**
 * One system event's whole history, read from the log: the enqueue attempt and its routing
 * decision, the wake it sent (and any busy skips and retries), the heartbeat run that showed
 * and consumed it — or its other fate: rejected, evicted by the cap, lost to pruning, still
 * pending, or stranded where no heartbeat drains it.
 */
import type { RecordedEvent } from "../../../application/event-store.ts"
import type { LedgerEvent, Provenance } from "../../../domain/events.ts"
import {
  drainedQueues,
  emptyGatewayConfig,
  evolveGatewayConfig,
  type GatewayConfig,
} from "../../../domain/gateway-config.ts"

export interface HistoryStep {
  readonly position: number
  readonly at: number
  readonly kind:
    | "accepted"
    | "rejected"
    | "wake-requested"
    | "wake-skipped"
    | "shown"
    | "consumed"
    | "evicted"
    | "evicted-another"
    | "pruned"
  readonly detail: string
}

export type Fate = "rejected" | "consumed" | "evicted" | "pruned" | "pending" | "stranded"

export interface EventHistory {
  readonly eventId: string
  readonly queueKey: string
  readonly text: string
  readonly provenance: Provenance
  readonly steps: ReadonlyArray<HistoryStep>
  readonly fate: Fate
  /** Enqueue → the step that settled it, when it was settled. */
  readonly settledAfterMs?: number | undefined
}

const targetOf = (wake: { readonly agentId?: string; readonly sessionKey?: string }) =>
  wake.sessionKey !== undefined
    ? `session ${wake.sessionKey}${wake.agentId === undefined ? "" : ` (agent ${wake.agentId})`}`
    : wake.agentId !== undefined
      ? `agent ${wake.agentId}`
      : "every enabled agent (unscoped)"

const policyText = (policy: Provenance["policy"]) =>
  `{${[policy.mainKey === undefined ? "" : `mainKey: ${policy.mainKey}`, policy.scope === undefined ? "" : `scope: ${policy.scope}`].filter(Boolean).join(", ")}}`

/** Folds the log into the history of `eventId`; undefined when no attempt has that id. */
export class EventHistoryFold {
  private readonly steps: HistoryStep[] = []
  private readonly wakeIds = new Set<string>()
  private config: GatewayConfig = emptyGatewayConfig
  private attempt: { queueKey: string; text: string; provenance: Provenance; at: number } | undefined
  private fate: Fate | undefined
  private settledAt: number | undefined
  private readonly eventId: string

  constructor(eventId: string) {
    this.eventId = eventId
  }

  apply(record: Pick<RecordedEvent, "position">, event: LedgerEvent): void {
    const id = this.eventId
    const step = (at: number, kind: HistoryStep["kind"], detail: string) =>
      this.steps.push({ position: record.position, at, kind, detail })
    const settle = (at: number, fate: Fate) => {
      if (this.fate !== undefined) return
      this.fate = fate
      this.settledAt = at
    }
    switch (event._tag) {
      case "AgentConfigured":
        this.config = evolveGatewayConfig(this.config, event)
        return
      case "SystemEventEnqueued":
      case "SystemEventRejected": {
        if (event.eventId !== id) return
        const p = event.provenance
        this.attempt = { queueKey: event.queueKey, text: event.text, provenance: p, at: event.at }
        const routed = `${p.source} from ${p.origin || "(blank key)"}, routed ${p.routing} with policy ${policyText(p.policy)} → queue ${event.queueKey || "(none)"}`
        if (event._tag === "SystemEventEnqueued") step(event.at, "accepted", routed)
        else {
          step(event.at, "rejected", `${routed}: rejected (${event.reason})`)
          settle(event.at, "rejected")
        }
        return
      }
      case "HeartbeatWakeRequested":
        if (event.eventId !== id) return
        this.wakeIds.add(event.wakeId)
        step(
          event.at,
          "wake-requested",
          `wake ${event.wakeId} for ${targetOf(event)} (source ${event.source}, reason ${event.reason}${event.coalesceMs === undefined ? "" : `, coalesce ${event.coalesceMs}ms`})`,
        )
        return
      case "HeartbeatWakeSkipped":
        if (!this.wakeIds.has(event.wakeId)) return
        step(
          event.at,
          "wake-skipped",
          `wake ${event.wakeId} skipped for agent ${event.agentId}: ${event.reason}${event.retryAt === undefined ? ", not retried" : `, retry at ${new Date(event.retryAt).toISOString()}`}`,
        )
        return
      case "HeartbeatRan":
        if (!event.shown.includes(id) && !event.consumed.includes(id)) return
        step(
          event.at,
          event.consumed.includes(id) ? "consumed" : "shown",
          `heartbeat run ${event.runId} of agent ${event.agentId} on ${event.queueKey} (reason ${event.reason}, ${event.prompt} prompt${event.forcedSessionKey === undefined ? "" : `, forced to ${event.forcedSessionKey}`})`,
        )
        if (event.consumed.includes(id)) settle(event.at, "consumed")
        return
      case "SystemEventsConsumed":
      case "SystemEventsDrained":
        if (!event.eventIds.includes(id)) return
        step(
          event.at,
          "consumed",
          `${event._tag === "SystemEventsDrained" ? "drained" : "consumed"} from ${event.queueKey} through the queue API`,
        )
        settle(event.at, "consumed")
        return
      case "SystemEventEvicted":
        if (event.eventId === id) {
          step(
            event.at,
            "evicted",
            `evicted from ${event.queueKey}: the queue was full (20) when ${event.byEventId} arrived`,
          )
          settle(event.at, "evicted")
        } else if (event.byEventId === id) {
          step(event.at, "evicted-another", `its arrival pushed ${event.eventId} out of the full queue`)
        }
        return
      case "QueuePruned":
        if (!event.eventIds.includes(id)) return
        step(
          event.at,
          "pruned",
          `lost: retention pruned session ${event.sessionKey} while it was still queued`,
        )
        settle(event.at, "pruned")
        return
      default:
        return
    }
  }

  result(): EventHistory | undefined {
    const attempt = this.attempt
    if (attempt === undefined) return undefined
    const fate = this.fate ?? (drainedQueues(this.config).has(attempt.queueKey) ? "pending" : "stranded")
    return {
      eventId: this.eventId,
      queueKey: attempt.queueKey,
      text: attempt.text,
      provenance: attempt.provenance,
      steps: this.steps,
      fate,
      settledAfterMs: this.settledAt === undefined ? undefined : this.settledAt - attempt.at,
    }
  }
}
