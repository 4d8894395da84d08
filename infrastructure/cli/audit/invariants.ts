/**
 * The invariants an audit checks besides "nothing stranded" (domain.md §8): every attempt has
 * exactly one fate, no event or wake crosses agents, and replaying the log reproduces the
 * queues (what the audit holds as still queued is exactly what the ledger view holds).
 */
import type { LedgerView } from "../../../application/ledger-view.ts"
import type { AuditReport, AuditState } from "../../../application/projections/audit.ts"
import type { Leak } from "./leakage.ts"

export interface InvariantCheck {
  readonly name: "accounting" | "no-cross-agent-leakage" | "replay-reproduces-queues"
  readonly holds: boolean
  readonly detail: string
}

export function checkInvariants(
  report: AuditReport,
  state: AuditState,
  view: LedgerView,
  leaks: ReadonlyArray<Leak>,
): ReadonlyArray<InvariantCheck> {
  const unbalanced = report.agents.filter(
    (agent) =>
      agent.attempts !== agent.accepted + agent.rejected ||
      agent.accepted !== agent.consumed + agent.evicted + agent.pruned + agent.pending + agent.stranded,
  )
  const queued = new Set<string>()
  for (const queue of view.queues.values()) for (const event of queue.events) queued.add(event.eventId)
  const missing = [...state.pending.keys()].filter((eventId) => !queued.has(eventId))
  const extra = [...queued].filter((eventId) => !state.pending.has(eventId))
  return [
    {
      name: "accounting",
      holds: unbalanced.length === 0,
      detail:
        unbalanced.length === 0
          ? "every attempt has exactly one fate"
          : `fates do not add up for ${unbalanced.map((agent) => agent.agentId).join(", ")}`,
    },
    {
      name: "no-cross-agent-leakage",
      holds: leaks.length === 0,
      detail:
        leaks.length === 0
          ? "no event or wake reached another agent"
          : `${leaks.length} event(s) or wake(s) reached another agent, e.g. ${leaks[0]?.eventId} from ${leaks[0]?.origin} → ${leaks[0]?.landed}`,
    },
    {
      name: "replay-reproduces-queues",
      holds: missing.length === 0 && extra.length === 0,
      detail:
        missing.length === 0 && extra.length === 0
          ? "the queues rebuilt from the log hold exactly the events the audit counts as queued"
          : `${missing.length} queued per the audit but not in the rebuilt queues, ${extra.length} the other way`,
    },
  ]
}
