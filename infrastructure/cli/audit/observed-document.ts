/**
 * The observed part of the audit document (`observed` in `audit --json`): the observed audit
 * (application/projections/observed-audit.ts) with instants as ISO-8601 and absent values as
 * null. docs/audit.md documents the shape; fields are only ever added.
 */
import type {
  ObservedAudit,
  ObservedEventReport,
  ObservedInvariant,
} from "../../../application/projections/observed-audit.ts"
import type { ObservedRecord, TakenBy } from "../../../application/projections/observed-fates.ts"
import type { Divergence, ModelAnswer } from "../../../application/projections/observed-model.ts"
import type { ObservedEvent } from "../../../domain/observed-events.ts"
import { isoInstant } from "../shared/format.ts"

const iso = (at: number | undefined): string | null => (at === undefined ? null : isoInstant(at))

const answerJSON = (answer: ModelAnswer) => ({
  routing: answer.routing,
  queueKey: answer.queueKey,
  drained: answer.drained,
})

/** One line about an observed fact, for the facts listed around a divergence. */
export function summaryOf(event: ObservedEvent): string {
  switch (event._tag) {
    case "ObserverStarted":
      return `observer of openclaw ${event.openclawVersion} started`
    case "ObservedEnqueued":
      return `queued ${JSON.stringify(event.entry.text.split("\n")[0] ?? "")} (${event.observationId})`
    case "ObservedRemoved":
      return `${event.observationId} ${event.how === "left-queue" ? "left its queue" : "went with its queue"}`
    case "ObservedPromptBuilt":
      return `${event.trigger ?? "a"} prompt (run ${event.runId}) showing ${event.shown.length} line(s)`
    case "ObservedLifecycle":
      return `${event.hook}${Object.entries(event.detail)
        .map(([key, value]) => ` ${key}=${value}`)
        .join("")}`
    case "ObservationsLost":
      return `${event.count} observation(s) lost`
  }
}

const aroundJSON = (record: ObservedRecord) => {
  const { event } = record
  return {
    position: record.position,
    type: event._tag,
    at: isoInstant(event.at),
    sessionKey: "sessionKey" in event && event.sessionKey !== undefined ? event.sessionKey : null,
    summary: summaryOf(event),
  }
}

/** A turn (a prompt's run) that showed or took an entry. */
const turnJSON = (turn: TakenBy) => ({
  runId: turn.runId,
  trigger: turn.trigger ?? null,
  sessionKey: turn.sessionKey ?? null,
})

const eventJSON = (event: ObservedEventReport) => ({
  observationId: event.observationId,
  observerId: event.streamId.replace(/^hbl-observed-/, ""),
  agentId: event.agentId,
  sessionKey: event.sessionKey,
  source: event.model.source,
  text: event.entry.text,
  contextKey: event.entry.contextKey ?? null,
  trusted: event.entry.trusted ?? null,
  enqueuedAt: isoInstant(event.entry.ts),
  fate: event.fate,
  fateAt: iso(event.fateAt),
  shownBy:
    event.shownBy === undefined ? null : { ...turnJSON(event.shownBy), completed: event.shownBy.completed },
  takenBy: event.takenBy === undefined ? null : turnJSON(event.takenBy),
  latencyMs: event.latencyMs ?? null,
  model: {
    ...answerJSON(event.model),
    origin: event.model.origin,
    originKnown: event.model.originKnown,
  },
  whatIf: event.model.whatIf === undefined ? null : answerJSON(event.model.whatIf),
})

const divergenceJSON = (divergence: Divergence) => ({
  kind: divergence.kind,
  observationId: divergence.observationId,
  sessionKey: divergence.sessionKey,
  position: divergence.position,
  detail: divergence.detail,
  around: divergence.around.map(aroundJSON),
})

export const observedDocument = (audit: ObservedAudit) => ({
  observers: audit.observers.map((observer) => ({
    observerId: observer.observerId,
    openclawVersion: observer.openclawVersion,
    pluginVersion: observer.pluginVersion,
    model: observer.model.routing,
    modelKnown: observer.model.known,
    queueMapReadable: observer.queueMapReadable,
    warnings: observer.warnings,
    startedAt: isoInstant(observer.startedAt),
  })),
  totals: audit.totals,
  agents: audit.agents,
  events: audit.events.map(eventJSON),
  divergences: audit.divergences.map(divergenceJSON),
  shownUnobserved: audit.shownUnobserved.map((line) => ({
    sessionKey: line.sessionKey ?? null,
    runId: line.runId,
    text: line.text,
  })),
  invariants: audit.invariants satisfies ReadonlyArray<ObservedInvariant>,
})

export type ObservedDocument = ReturnType<typeof observedDocument>

/** The observed invariants violated, "nothing stranded" aside (counted as stranded events). */
export const violatedObservedInvariants = (document: ObservedDocument | undefined): number =>
  document === undefined
    ? 0
    : document.invariants.filter((check) => !check.holds && check.name !== "observed-nothing-stranded").length

/**
 * The observed events stranded under `routing`: as observed for a release of that routing;
 * for a release of the other one, those whose origin is known and which `routing` would
 * strand (the what-if of an observed log).
 */
export const observedStrandedUnder = (
  document: ObservedDocument,
  routing: "fixed" | "legacy",
): ObservedDocument["events"] =>
  document.events.filter((event) =>
    event.model.routing === routing ? event.fate === "stranded" : event.whatIf?.drained === false,
  )
