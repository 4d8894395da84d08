/**
 * The audit as one document: what `audit --json` prints (docs/audit.md documents the schema)
 * and what the text and HTML reports render.
 */
import type { Invariant } from "../../../application/invariants.ts"
import type { AgentReport, AuditReport, PendingEvent } from "../../../application/projections/audit.ts"
import type { RoutingName } from "../../../domain/routing.ts"
import { isoInstant } from "../shared/format.ts"
import {
  type ObservedDocument,
  observedStrandedUnder,
  violatedObservedInvariants,
} from "./observed-document.ts"

export const AUDIT_SCHEMA = "heartbeat-ledger/audit@1"

export interface QueuedEventJSON {
  readonly eventId: string
  readonly agentId: string
  readonly queueKey: string
  readonly origin: string
  readonly source: string
  readonly text: string
  readonly at: string
}

export interface AuditDocument {
  readonly schema: typeof AUDIT_SCHEMA
  readonly store: string
  /** The routing the audited queues were built with: `fixed` (as recorded) or a what-if. */
  readonly routing: RoutingName
  readonly whatIf: boolean
  readonly agentFilter: string | null
  /** Records replayed. */
  readonly events: number
  readonly from: string | null
  readonly to: string | null
  readonly totals: AuditReport["totals"]
  readonly agents: ReadonlyArray<AgentReport>
  readonly stranded: ReadonlyArray<QueuedEventJSON>
  readonly invariants: ReadonlyArray<Invariant>
  /** With `--routing legacy`: the audit of what was actually recorded, to compare with. */
  readonly recorded?: AuditDocument | undefined
  /** Only when the log holds observed facts (a gateway plugin's store): their audit. */
  readonly observed?: ObservedDocument | undefined
}

export const queuedEventJSON = (event: PendingEvent): QueuedEventJSON => ({
  eventId: event.eventId,
  agentId: event.agentId,
  queueKey: event.queueKey,
  origin: event.origin,
  source: event.source,
  text: event.text,
  at: isoInstant(event.at),
})

export function buildAuditDocument(input: {
  readonly report: AuditReport
  readonly invariants: ReadonlyArray<Invariant>
  readonly store: string
  readonly routing: RoutingName
  readonly whatIf: boolean
  readonly events: number
  readonly span: { readonly from: number; readonly to: number } | undefined
  readonly agent?: string | undefined
  readonly observed?: ObservedDocument | undefined
}): AuditDocument {
  const { report, agent } = input
  const agents = agent === undefined ? report.agents : report.agents.filter((a) => a.agentId === agent)
  const stranded = (
    agent === undefined ? report.stranded : report.stranded.filter((e) => e.agentId === agent)
  )
    .slice()
    .sort((a, b) => a.at - b.at)
  const sum = (pick: (a: AgentReport) => number) => agents.reduce((total, a) => total + pick(a), 0)
  const totals =
    agent === undefined
      ? report.totals
      : {
          attempts: sum((a) => a.attempts),
          accepted: sum((a) => a.accepted),
          rejected: sum((a) => a.rejected),
          consumed: sum((a) => a.consumed),
          pending: sum((a) => a.pending),
          evicted: sum((a) => a.evicted),
          pruned: sum((a) => a.pruned),
          stranded: sum((a) => a.stranded),
        }
  return {
    schema: AUDIT_SCHEMA,
    store: input.store,
    routing: input.routing,
    whatIf: input.whatIf,
    agentFilter: agent ?? null,
    events: input.events,
    from: input.span === undefined ? null : isoInstant(input.span.from),
    to: input.span === undefined ? null : isoInstant(input.span.to),
    totals,
    agents,
    stranded: stranded.map(queuedEventJSON),
    invariants: input.invariants,
    ...(input.observed === undefined ? {} : { observed: input.observed }),
  }
}

/**
 * The violated invariants besides "nothing stranded", whose events the exit's message counts on
 * their own ("N stranded event(s), M violated invariant(s)").
 */
export const violatedInvariants = (document: AuditDocument): number =>
  document.invariants.filter((check) => !check.holds && check.name !== "nothing-stranded").length +
  violatedObservedInvariants(document.observed)

/**
 * Stranded events, the ledger's and the observed gateway's: as observed, or — with a what-if
 * routing — those the what-if routing would strand (`observedStrandedUnder`).
 */
export const strandedEvents = (document: AuditDocument): number =>
  document.totals.stranded +
  (document.observed === undefined
    ? 0
    : document.whatIf
      ? observedStrandedUnder(document.observed, document.routing).length
      : document.observed.totals.stranded)
