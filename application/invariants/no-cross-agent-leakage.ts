/**
 * "No cross-agent leakage" (domain.md §8): an event from agent A's work never lands in agent B's
 * queue, and the wake it sends never targets agent B — judged per enqueue attempt, from the
 * attempt's own provenance — and, under per-sender scope, agent B's heartbeat never consumes it
 * (log-facts.ts, where the run meets the queued event).
 */
import type { LedgerEvent } from "../../domain/events.ts"
import { normalizeAgentId } from "../../domain/session-key.ts"
import { agentOfKey } from "../agent-of-key.ts"
import { type Invariant, invariantOf, type Violations } from "./invariant.ts"

export interface Leak {
  readonly eventId: string
  readonly origin: string
  /** Where it went: the queue key, the wake target, or the heartbeat that consumed it. */
  readonly landed: string
  readonly kind: "queue" | "wake" | "heartbeat"
}

const NO_LEAKS: ReadonlyArray<Leak> = []

/** Where an attempt from `origin`'s agent went to another agent (allocates nothing when nowhere). */
export function leaksOf(
  event: Extract<LedgerEvent, { _tag: "SystemEventEnqueued" | "SystemEventRejected" }>,
  origin: string,
): ReadonlyArray<Leak> {
  let leaks: Leak[] | undefined
  const queueAgent = agentOfKey(event.queueKey)
  if (queueAgent !== undefined && queueAgent !== origin) {
    leaks = [
      {
        eventId: event.eventId,
        origin: event.provenance.origin,
        landed: event.queueKey,
        kind: "queue",
      },
    ]
  }
  const wake = event.provenance.wake
  // Normalised on both sides (`agent:Data Eng:…` is agent `data-eng`): comparing the keys as
  // written called an event of `agent:data  eng:…` routed to `agent:data-eng:main` a leak.
  const wakeAgent =
    wake?.agentId !== undefined
      ? normalizeAgentId(wake.agentId)
      : wake?.sessionKey !== undefined
        ? agentOfKey(wake.sessionKey)
        : undefined
  if (wake !== undefined && wakeAgent !== undefined && wakeAgent !== origin) {
    leaks ??= []
    leaks.push({
      eventId: event.eventId,
      origin: event.provenance.origin,
      landed: wake.agentId ?? wake.sessionKey ?? "",
      kind: "wake",
    })
  }
  return leaks ?? NO_LEAKS
}

/** The violation a leak is, in plain words. */
export const leakViolation = (leak: Leak, position: number, streamId: string) => ({
  reason:
    leak.kind === "queue"
      ? `the event from ${leak.origin} lands in ${leak.landed}, another agent's queue`
      : leak.kind === "wake"
        ? `the wake sent with the event from ${leak.origin} targets ${leak.landed}, another agent`
        : `${leak.landed} consumed the event of ${leak.origin}`,
  eventId: leak.eventId,
  position,
  streamId,
})

export function judgeNoCrossAgentLeakage(leaks: Violations, first: Leak | undefined): Invariant {
  return invariantOf(
    "no-cross-agent-leakage",
    [leaks],
    "no event or wake reached another agent",
    (count) =>
      `${count} event(s) or wake(s) reached another agent, e.g. ${first?.eventId} from ${first?.origin} → ${first?.landed}`,
  )
}
