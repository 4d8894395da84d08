/**
 * "Replaying the log reproduces the same queues" (domain.md §8): the queues the ledger's own
 * fold rebuilds (LedgerView) hold exactly the events that the log's facts say are still queued,
 * each in its queue — and exactly those the audit counts as queued.
 */

import type { LedgerView } from "../ledger-view.ts"
import type { AuditState } from "../projections/audit.ts"
import { queueStreamId } from "../stream-names.ts"
import { type Invariant, invariantOf, Violations } from "./invariant.ts"
import type { LogFacts } from "./log-facts.ts"

export function judgeReplayReproducesQueues(view: LedgerView, audit: AuditState, facts: LogFacts): Invariant {
  const violations = new Violations()
  const rebuilt = new Set<string>()
  for (const queue of view.queues.values()) {
    for (const event of queue.events) {
      rebuilt.add(event.eventId)
      const queued = facts.pending.get(event.eventId)
      if (queued === undefined || queued.queueKey !== queue.queueKey || !audit.pending.has(event.eventId)) {
        violations.add({
          reason: `${event.eventId} is in the rebuilt queue ${queue.queueKey}, but ${queued === undefined || queued.queueKey !== queue.queueKey ? "the log's facts do not have it queued there" : "the audit does not count it as queued"}`,
          eventId: event.eventId,
          streamId: queueStreamId(queue.queueKey),
        })
      }
    }
  }
  const missing = (source: string, eventIds: Iterable<[string, { queueKey: string; position?: number }]>) => {
    let count = 0
    for (const [eventId, queued] of eventIds) {
      if (rebuilt.has(eventId)) continue
      count++
      violations.add({
        reason: `${eventId} is queued in ${queued.queueKey} per ${source}, but not in the rebuilt queues`,
        eventId,
        streamId: queueStreamId(queued.queueKey),
        ...(queued.position === undefined ? {} : { position: queued.position }),
      })
    }
    return count
  }
  const missingFromFacts = missing("the log's facts", facts.pending)
  const missingFromAudit = missing("the audit", audit.pending)
  const extra = violations.count - missingFromFacts - missingFromAudit
  return invariantOf(
    "replay-reproduces-queues",
    [violations],
    "the queues rebuilt from the log hold exactly the events the audit counts as queued",
    () =>
      `${Math.max(missingFromAudit, missingFromFacts)} queued per the audit or the log's facts but not in the rebuilt queues, ${extra} the other way`,
  )
}
