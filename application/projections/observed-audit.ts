/**
 * The audit of an observed gateway: a LogFold that keeps the observed facts of the log (the
 * ledger's own events pass by), and `observedAudit`, which judges them at the end — per agent
 * the queues its heartbeat drains, each enqueue's fate (observed-fates.ts), latency by source,
 * our model of the release beside each enqueue and the divergences from it (observed-model.ts),
 * and the observed invariants. docs/audit.md ("The audit of an observed store").
 */
import type { ObservedEntry } from "../../domain/observed-events.ts"
import { OBSERVED_SOURCES } from "../../domain/observed-source.ts"
import type { ReleaseModel } from "../../domain/release-model.ts"
import type { LogFold } from "../decoded-log.ts"
import { type Invariant, invariantOf, Violations } from "../invariants/invariant.ts"
import { summarize } from "./audit.ts"
import { emptyHistogram, type LatencyHistogram, recordLatency } from "./latency-histogram.ts"
import {
  fateOf,
  latencyOf,
  OBSERVED_FATES,
  type ObservedFateKind,
  type ObservedRecord,
  observedFacts,
  type ShownBy,
  type TakenBy,
  takenByOf,
} from "./observed-fates.ts"
import {
  agentOfObservedKey,
  type Divergence,
  divergencesOf,
  type ModelledEnqueue,
  modelDrains,
  modelEnqueues,
  releaseModels,
} from "./observed-model.ts"

/** The observed facts of a log, in order; the ledger's own events are not kept. */
export const observedLogFold: LogFold<ObservedRecord[]> = {
  init: () => [],
  ledger: (records) => records,
  observed: (records, event, record) => {
    records.push({ event, position: record.position, streamId: record.streamId })
    return records
  },
}

export type ObservedInvariantName =
  | "observed-nothing-stranded"
  | "observed-one-fate"
  | "observed-matches-model"
  | "observed-complete"

export type ObservedInvariant = Invariant<ObservedInvariantName>

export interface ObservedCounts {
  readonly enqueued: number
  readonly shown: number
  readonly consumedUnshown: number
  readonly evicted: number
  readonly deletedWithSession: number
  readonly lostWithGateway: number
  readonly pending: number
  readonly stranded: number
}

export interface ObservedAgentReport extends ObservedCounts {
  readonly agentId: string
  /** The queues its heartbeat drains: `seen` when a heartbeat prompt was observed there, else our model's. */
  readonly drains: ReadonlyArray<{ readonly sessionKey: string; readonly seen: boolean }>
  readonly latencyBySource: Readonly<Record<string, { count: number; p50: number; p95: number; max: number }>>
}

export interface ObservedEventReport {
  readonly observationId: string
  readonly streamId: string
  readonly position: number
  readonly agentId: string
  readonly sessionKey: string
  readonly entry: ObservedEntry
  readonly fate: ObservedFateKind
  /** When it left its queue, or was shown while still queued; undefined while queued. */
  readonly fateAt: number | undefined
  readonly shownBy: ShownBy | undefined
  /** The turn (its prompt) that took it from its queue, shown or not. */
  readonly takenBy: TakenBy | undefined
  readonly latencyMs: number | undefined
  readonly model: ModelledEnqueue
}

export interface ObservedObserver {
  readonly observerId: string
  readonly streamId: string
  readonly openclawVersion: string
  readonly pluginVersion: string
  readonly model: ReleaseModel
  readonly queueMapReadable: boolean
  readonly warnings: ReadonlyArray<string>
  readonly startedAt: number
}

export interface ObservedAudit {
  readonly observers: ReadonlyArray<ObservedObserver>
  readonly totals: ObservedCounts & {
    readonly divergences: number
    readonly whatIfStranded: number
    readonly shownUnobserved: number
    readonly lost: number
  }
  readonly agents: ReadonlyArray<ObservedAgentReport>
  readonly events: ReadonlyArray<ObservedEventReport>
  readonly divergences: ReadonlyArray<Divergence>
  readonly shownUnobserved: ReadonlyArray<{
    readonly sessionKey: string | undefined
    readonly runId: string
    readonly text: string
  }>
  readonly invariants: ReadonlyArray<ObservedInvariant>
}

const countsOf = (events: ReadonlyArray<ObservedEventReport>): ObservedCounts => {
  const n = (fate: ObservedFateKind) => events.filter((event) => event.fate === fate).length
  return {
    enqueued: events.length,
    shown: n("shown"),
    consumedUnshown: n("consumed-unshown"),
    evicted: n("evicted"),
    deletedWithSession: n("deleted-with-session"),
    lostWithGateway: n("lost-with-gateway"),
    pending: n("pending"),
    stranded: n("stranded"),
  }
}

const where = (event: { observationId: string; position: number; streamId: string }) => ({
  eventId: event.observationId,
  position: event.position,
  streamId: event.streamId,
})

function judgeObserved(
  audit: Omit<ObservedAudit, "invariants" | "totals">,
  oneFate: Violations,
  lost: number,
): ReadonlyArray<ObservedInvariant> {
  const stranded = new Violations()
  for (const event of audit.events)
    if (event.fate === "stranded")
      stranded.add({
        ...where(event),
        reason: `still queued under ${event.sessionKey}, which no heartbeat drains`,
      })
  const diverging = new Violations()
  for (const divergence of audit.divergences)
    diverging.add({ ...where(divergence), reason: `${divergence.kind}: ${divergence.detail}` })
  const incomplete = new Violations()
  if (lost > 0) incomplete.add({ reason: `${lost} observation(s) lost: the plugin's buffer overflowed` })
  for (const observer of audit.observers)
    if (!observer.queueMapReadable)
      incomplete.add({
        reason: `observer ${observer.observerId} could not read the queue map: no enqueue was observed`,
        streamId: observer.streamId,
      })
  return [
    invariantOf(
      "observed-nothing-stranded",
      [stranded],
      "no observed event is left in a queue no heartbeat drains",
      (count) => `${count} observed event(s) stranded in a queue no heartbeat drains`,
    ),
    invariantOf(
      "observed-one-fate",
      [oneFate],
      "every observed enqueue has exactly one fate",
      (count, first) => `${count} observed fact(s) break one fate per enqueue (first: ${first?.reason})`,
    ),
    invariantOf(
      "observed-matches-model",
      [diverging],
      "the gateway did nothing our model of its release would not",
      (count) => `${count} divergence(s) from our model of the release`,
    ),
    invariantOf(
      "observed-complete",
      [incomplete],
      "no observation was lost, and every observer could read the queue map",
      (_count, first) => `the observation is incomplete: ${first?.reason}`,
    ),
  ]
}

/** Judges the observed facts of a log; `agent` keeps one agent's events and divergences. */
export function observedAudit(
  records: ReadonlyArray<ObservedRecord>,
  options: { readonly agent?: string | undefined } = {},
): ObservedAudit {
  const facts = observedFacts(records)
  const modelled = modelEnqueues(records, facts)
  const seen = new Set(facts.heartbeatKeys)
  const drainsByRouting = { fixed: modelDrains(facts, "fixed"), legacy: modelDrains(facts, "legacy") }
  const takenBy = new Map<string, TakenBy>()
  for (const item of facts.items) {
    const by = takenByOf(facts, item)
    if (by !== undefined) takenBy.set(item.observationId, by)
  }
  const allEvents = facts.items.map((item): ObservedEventReport => {
    const model = modelled.get(item.observationId) as ModelledEnqueue
    const fate = fateOf(facts, item, (key) => seen.has(key) || drainsByRouting[model.routing].has(key))
    return {
      observationId: item.observationId,
      streamId: item.streamId,
      position: item.position,
      agentId: agentOfObservedKey(item.sessionKey),
      sessionKey: item.sessionKey,
      entry: item.entry,
      fate,
      fateAt: item.removed?.at ?? item.shownBy?.at,
      shownBy: item.shownBy,
      takenBy: takenBy.get(item.observationId),
      latencyMs: latencyOf(item),
      model,
    }
  })
  const fates = new Map(allEvents.map((event) => [event.observationId, event.fate]))
  const allDivergences = divergencesOf(
    records,
    facts,
    modelled,
    (item) => {
      const fate = fates.get(item.observationId)
      return fate === "evicted" || fate === "deleted-with-session"
    },
    takenBy,
  )
  const keep = (agentId: string) => options.agent === undefined || agentId === options.agent
  const events = allEvents.filter((event) => keep(event.agentId))
  const divergences = allDivergences.filter((d) => keep(agentOfObservedKey(d.sessionKey)))
  const agentIds = [...new Set(events.map((event) => event.agentId))].sort()
  const agents = agentIds.map((agentId): ObservedAgentReport => {
    const own = events.filter((event) => event.agentId === agentId)
    const keys = new Set([
      ...[...seen].filter((key) => agentOfObservedKey(key) === agentId),
      ...[...drainsByRouting[own[0]?.model.routing ?? "fixed"]].filter(
        (key) => agentOfObservedKey(key) === agentId,
      ),
    ])
    const latency = new Map<string, LatencyHistogram>()
    for (const event of own) {
      if (event.latencyMs === undefined) continue
      const histogram = latency.get(event.model.source) ?? emptyHistogram()
      recordLatency(histogram, event.latencyMs)
      latency.set(event.model.source, histogram)
    }
    return {
      agentId,
      drains: [...keys].sort().map((sessionKey) => ({ sessionKey, seen: seen.has(sessionKey) })),
      ...countsOf(own),
      latencyBySource: Object.fromEntries(
        OBSERVED_SOURCES.flatMap((source) => {
          const histogram = latency.get(source)
          return histogram === undefined ? [] : [[source, summarize(histogram)]]
        }),
      ),
    }
  })
  const models = releaseModels(records)
  const observers = records.flatMap(({ event, streamId }): ObservedObserver[] =>
    event._tag === "ObserverStarted"
      ? [
          {
            observerId: event.observerId,
            streamId,
            openclawVersion: event.openclawVersion,
            pluginVersion: event.pluginVersion,
            model: models.get(streamId) ?? { routing: "fixed", known: false },
            queueMapReadable: event.queueMapReadable,
            warnings: event.warnings,
            startedAt: event.at,
          },
        ]
      : [],
  )
  const shownUnobserved = facts.shownUnobserved.filter(
    (line) => line.sessionKey === undefined || keep(agentOfObservedKey(line.sessionKey)),
  )
  const partial = { observers, agents, events, divergences, shownUnobserved }
  return {
    ...partial,
    totals: {
      ...countsOf(events),
      divergences: divergences.length,
      whatIfStranded: events.filter((event) => event.model.whatIf?.drained === false).length,
      shownUnobserved: shownUnobserved.length,
      lost: facts.lost,
    },
    invariants: judgeObserved(partial, facts.oneFate, facts.lost),
  }
}

/** The fates in the order the reports list them. */
export { OBSERVED_FATES }
