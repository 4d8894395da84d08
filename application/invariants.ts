/**
 * The invariants of domain.md §8 (and the log's own integrity), computed from the log and
 * returned as data: one fold (`invariantsProjection`, log-facts.ts) that composes with the other
 * projections in the same pass, and `judgeInvariants`, which turns what the folds hold at the
 * end into one `Invariant` each. Used by the CLI audit (text, --json, --html), the property
 * tests, and embedders (`invariantsOfLog`). docs/audit.md says what each means and what to do.
 */
import { Effect } from "effect"
import { combineFolds, foldLog, type LogFold } from "./decoded-log.ts"
import type { EventStoreShape } from "./event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "./event-store-errors.ts"
import { judgeAccounting } from "./invariants/accounting.ts"
import { IdTable } from "./invariants/id-table.ts"
import type { Invariant, Violation } from "./invariants/invariant.ts"
import {
  evolveLogFacts,
  evolveLogFactsObserved,
  LogFacts,
  type LogFactsOptions,
} from "./invariants/log-facts.ts"
import { judgeNoCrossAgentLeakage } from "./invariants/no-cross-agent-leakage.ts"
import { judgeNoDoubledEventId } from "./invariants/no-doubled-event-id.ts"
import { judgeNoHalfRecordedDecision } from "./invariants/no-half-recorded-decision.ts"
import { judgeNothingStranded } from "./invariants/nothing-stranded.ts"
import { judgePositionsInOrder } from "./invariants/positions-in-order.ts"
import { judgeReplayReproducesQueues } from "./invariants/replay-reproduces-queues.ts"
import type { LedgerView } from "./ledger-view.ts"
import { type AuditReport, type AuditState, auditProjection, auditReport } from "./projections/audit.ts"
import { observedLogFold } from "./projections/observed-audit.ts"
import type { ObservedRecord } from "./projections/observed-fates.ts"
import type { Projection } from "./projections/projection.ts"
import { queuesProjection } from "./projections/queues.ts"

export type { Invariant, InvariantName, Violation } from "./invariants/invariant.ts"
export { MAX_LISTED_VIOLATIONS } from "./invariants/invariant.ts"
export { LogFacts } from "./invariants/log-facts.ts"
export type { Leak } from "./invariants/no-cross-agent-leakage.ts"

/**
 * The store's promise about its positions, which the "positions in order" invariant holds it to,
 * and the log's length when known (its head position), to size the id tables once.
 */
export const logFactsOptionsOf = (
  store: Pick<EventStoreShape, "holeFreePositions">,
  head?: number,
): LogFactsOptions => ({
  positionsWithoutHoles: store.holeFreePositions === true,
  expectedEvents: head,
})

interface LogFactsJSON {
  lastPosition: number
  events: number
  positionsWithoutHoles: boolean
  recordIds: ReturnType<IdTable["toJSON"]>
  attempts: ReturnType<IdTable["toJSON"]>
  violations: Record<ViolationField, { count: number; listed: Violation[] }>
  pending: Array<[string, { queueKey: string; position: number }]>
  depth: Array<[string, number]>
  open: LogFacts["open"]
  prunedAwaitingSummary: Array<[string, { sessionKey: string; position: number; streamId: string }]>
  summaryAwaitingPrune: Array<[string, { sessionKey: string; position: number; streamId: string }]>
  firstLeak: LogFacts["firstLeak"] | null
}

const VIOLATION_FIELDS = [
  "positions",
  "doubledIds",
  "repeatedAttempts",
  "fates",
  "halfRecorded",
  "leaks",
] as const
type ViolationField = (typeof VIOLATION_FIELDS)[number]

/** The invariants' fold as a projection: checkpointable, and foldable beside the others in one pass. */
export const invariantsProjection = (options: LogFactsOptions): Projection<LogFacts> => ({
  name: "invariants",
  init: () => new LogFacts(options),
  evolve: evolveLogFacts,
  toJSON: (facts): LogFactsJSON => ({
    lastPosition: facts.lastPosition,
    events: facts.events,
    positionsWithoutHoles: facts.positionsWithoutHoles,
    recordIds: facts.recordIds.toJSON(),
    attempts: facts.attempts.toJSON(),
    violations: Object.fromEntries(
      VIOLATION_FIELDS.map((field) => [field, { count: facts[field].count, listed: facts[field].listed }]),
    ) as LogFactsJSON["violations"],
    pending: [...facts.pending],
    depth: [...facts.depth],
    open: { ...facts.open },
    prunedAwaitingSummary: [...facts.prunedAwaitingSummary],
    summaryAwaitingPrune: [...facts.summaryAwaitingPrune],
    firstLeak: facts.firstLeak ?? null,
  }),
  fromJSON: (json) => {
    const j = json as LogFactsJSON
    const facts = new LogFacts({ positionsWithoutHoles: j.positionsWithoutHoles })
    facts.lastPosition = j.lastPosition
    facts.events = j.events
    facts.recordIds = IdTable.fromJSON(j.recordIds)
    facts.attempts = IdTable.fromJSON(j.attempts)
    for (const field of VIOLATION_FIELDS) {
      facts[field].count = j.violations[field].count
      facts[field].listed.push(...j.violations[field].listed)
    }
    for (const [eventId, queued] of j.pending) facts.pending.set(eventId, queued)
    for (const [queueKey, depth] of j.depth) facts.depth.set(queueKey, depth)
    Object.assign(facts.open, j.open)
    for (const [eventId, record] of j.prunedAwaitingSummary) facts.prunedAwaitingSummary.set(eventId, record)
    for (const [eventId, record] of j.summaryAwaitingPrune) facts.summaryAwaitingPrune.set(eventId, record)
    facts.firstLeak = j.firstLeak ?? undefined
    return facts
  },
})

export interface InvariantsInput {
  readonly facts: LogFacts
  /** The ledger's own fold of the same log (the queues projection). */
  readonly view: LedgerView
  readonly audit: AuditState
  readonly report: AuditReport
  /** Judge "nothing stranded" for this agent's events only (as `audit --agent` reports one agent). */
  readonly agent?: string | undefined
}

/** Every invariant, in a fixed order (the first three are the audit's original ones). */
export function judgeInvariants(input: InvariantsInput): ReadonlyArray<Invariant> {
  const { facts, view, audit, report, agent } = input
  const stranded = agent === undefined ? report.stranded : report.stranded.filter((e) => e.agentId === agent)
  return [
    judgeAccounting(report.agents, facts),
    judgeNoCrossAgentLeakage(facts.leaks, facts.firstLeak),
    judgeReplayReproducesQueues(view, audit, facts),
    judgeNothingStranded(stranded, (eventId) => facts.pending.get(eventId)?.position),
    judgeNoDoubledEventId(facts),
    judgeNoHalfRecordedDecision(facts),
    judgePositionsInOrder(facts),
  ]
}

export interface AuditFolds {
  audit: AuditState
  view: LedgerView
  facts: LogFacts
}

/** The audit, the ledger's view and the invariants' facts, folded together: one decode per event. */
export const auditFolds = (options: LogFactsOptions): Projection<AuditFolds> => {
  const invariants = invariantsProjection(options)
  return {
    name: "audit+queues+invariants",
    init: () => ({ audit: auditProjection.init(), view: queuesProjection.init(), facts: invariants.init() }),
    evolve: (folds, event, record) => {
      auditProjection.evolve(folds.audit, event, record)
      folds.view.apply(record, event)
      evolveLogFacts(folds.facts, event, record)
      return folds
    },
    toJSON: (folds) => ({
      audit: auditProjection.toJSON(folds.audit),
      view: queuesProjection.toJSON(folds.view),
      facts: invariants.toJSON(folds.facts),
    }),
    fromJSON: (json) => {
      const j = json as { audit: unknown; view: unknown; facts: unknown }
      return {
        audit: auditProjection.fromJSON(j.audit),
        view: queuesProjection.fromJSON(j.view),
        facts: invariants.fromJSON(j.facts),
      }
    },
  }
}

export interface AuditedLog extends AuditFolds {
  /** Records replayed (of both families). */
  readonly events: number
  /** Earliest and latest event time: an import may append older events after newer ones. */
  readonly span: { readonly from: number; readonly to: number } | undefined
  /** The observed facts of the log (a plugin's store), for the observed audit; [] for a ledger's own log. */
  readonly observed: ReadonlyArray<ObservedRecord>
}

interface AuditLogState {
  folds: AuditFolds
  span: Float64Array
  observed: ObservedRecord[]
}

/** Earliest and latest `at` of every event, packed: a `let` holding a new double per event boxed a number per event. */
const spanFold: LogFold<Float64Array> = {
  init: () => new Float64Array([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]),
  ledger: (span, event) => widenSpan(span, "at" in event ? event.at : undefined),
  observed: (span, event) => widenSpan(span, event.at),
}
function widenSpan(span: Float64Array, at: number | undefined): Float64Array {
  if (at === undefined) return span
  if (at < (span[0] as number)) span[0] = at
  if (at > (span[1] as number)) span[1] = at
  return span
}

/**
 * One pass over the whole log for an audit: every record decoded once (decoded-log.ts) and folded
 * into the audit, the ledger view and the invariants' facts (`auditFolds`), the span, and the
 * observed facts — every record, even one whose position does not increase, which a projection's
 * catch-up would skip and which is damage to report. `head` (the store's head position) sizes
 * the id tables; progress after each page.
 */
export function foldAuditLog(
  store: EventStoreShape,
  options: {
    readonly head?: number | undefined
    readonly onProgress?: ((done: number) => void) | undefined
  } = {},
): Effect.Effect<AuditedLog, StoreUnavailable | UndecodableEvent> {
  return Effect.suspend(() => {
    const folds = auditFolds(logFactsOptionsOf(store, options.head))
    const parts: { [K in keyof AuditLogState]: LogFold<AuditLogState[K]> } = {
      folds: {
        init: folds.init,
        ledger: folds.evolve,
        observed: (state, event, record) => {
          evolveLogFactsObserved(state.facts, event._tag, record)
          return state
        },
      },
      span: spanFold,
      observed: observedLogFold,
    }
    // combineFolds' constraint (`LogFold<unknown>`) refuses typed folds (state is contravariant
    // in `ledger`): the cast restores the state type it computes.
    const fold = combineFolds(
      parts as unknown as Record<string, LogFold<unknown>>,
    ) as unknown as LogFold<AuditLogState>
    return Effect.map(foldLog(store, fold, { onProgress: options.onProgress }), ({ state, records }) => {
      const span = state.span
      return {
        ...state.folds,
        events: records,
        span:
          records > 0 && (span[0] as number) <= (span[1] as number)
            ? { from: span[0] as number, to: span[1] as number }
            : undefined,
        observed: state.observed,
      }
    })
  })
}

/** For embedders: replays a store's whole log once and judges every invariant on it. */
export const invariantsOfLog = (
  store: EventStoreShape,
): Effect.Effect<ReadonlyArray<Invariant>, StoreUnavailable | UndecodableEvent> =>
  Effect.gen(function* () {
    const log = yield* foldAuditLog(store, { head: yield* store.headPosition })
    return judgeInvariants({ ...log, report: auditReport(log.audit) })
  })
