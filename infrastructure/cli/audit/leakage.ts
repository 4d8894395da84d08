/**
 * The "no cross-agent leakage" invariant (domain.md §8): an event from agent A's work never
 * lands in agent B's queue, and its wake never targets agent B.
 */
import { agentIdOfKey } from "../../../application/agent-of-key.ts"
import type { LedgerEvent } from "../../../domain/events.ts"

export interface Leak {
  readonly eventId: string
  readonly origin: string
  /** Where it went: the queue key, or the wake target. */
  readonly landed: string
  readonly kind: "queue" | "wake"
}

const agentOf = (key: string | undefined) => (key === undefined ? undefined : agentIdOfKey(key))

export function leaksOf(event: LedgerEvent): ReadonlyArray<Leak> {
  if (event._tag !== "SystemEventEnqueued" && event._tag !== "SystemEventRejected") return []
  const origin = agentOf(event.provenance.origin)
  if (origin === undefined) return []
  const leaks: Leak[] = []
  const queueAgent = agentOf(event.queueKey)
  if (queueAgent !== undefined && queueAgent !== origin) {
    leaks.push({
      eventId: event.eventId,
      origin: event.provenance.origin,
      landed: event.queueKey,
      kind: "queue",
    })
  }
  const wake = event.provenance.wake
  const wakeAgent = wake?.agentId?.trim().toLowerCase() ?? agentOf(wake?.sessionKey)
  if (wake !== undefined && wakeAgent !== undefined && wakeAgent !== origin) {
    leaks.push({
      eventId: event.eventId,
      origin: event.provenance.origin,
      landed: wake.agentId ?? wake.sessionKey ?? "",
      kind: "wake",
    })
  }
  return leaks
}
