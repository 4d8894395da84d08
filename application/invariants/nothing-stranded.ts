/**
 * "Nothing stranded" (domain.md §8), as the audit judges it: an event still queued is pending
 * when some enabled agent's scheduled heartbeat drains its queue under the config at the end of
 * the log, and stranded otherwise — nothing will ever show it to the model by itself.
 */
import { drainedQueues, type GatewayConfig } from "../../domain/gateway-config.ts"
import type { PendingEvent } from "../projections/audit.ts"
import { queueStreamId } from "../stream-names.ts"
import { type Invariant, invariantOf, Violations } from "./invariant.ts"

/** Splits the still-queued events into pending (some heartbeat drains their queue) and stranded. */
export function splitStranded<E extends PendingEvent>(
  queued: Iterable<E>,
  config: GatewayConfig,
): { readonly pending: E[]; readonly stranded: E[] } {
  const drained = drainedQueues(config)
  const pending: E[] = []
  const stranded: E[] = []
  for (const event of queued) (drained.has(event.queueKey) ? pending : stranded).push(event)
  return { pending, stranded }
}

export function judgeNothingStranded(
  stranded: ReadonlyArray<PendingEvent>,
  positionOf: (eventId: string) => number | undefined = () => undefined,
): Invariant {
  const violations = new Violations()
  for (const event of stranded) {
    const position = positionOf(event.eventId)
    violations.add({
      reason: `still queued in ${event.queueKey}, which no enabled agent's scheduled heartbeat drains${event.origin === event.queueKey ? "" : ` (the work ran under ${event.origin})`}`,
      eventId: event.eventId,
      streamId: queueStreamId(event.queueKey),
      ...(position === undefined ? {} : { position }),
    })
  }
  return invariantOf(
    "nothing-stranded",
    [violations],
    "every queued event waits where an enabled agent's scheduled heartbeat drains",
    (count) => `${count} event(s) queued where no enabled agent's scheduled heartbeat drains them`,
  )
}
