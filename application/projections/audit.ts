/**
 * The audit projection: every enqueue attempt's fate, per agent. Terminal fates (rejected,
 * consumed, evicted, pruned) are counted and forgotten, so memory stays flat in the log's
 * size; only events still queued are held (at most 20 per queue). Whether a queued event is
 * merely pending or stranded is judged when a report is taken, against the config then.
 */
import type { LedgerEvent, RejectionReason } from "../../domain/events.ts"
import {
  emptyGatewayConfig,
  evolveGatewayConfig,
  type GatewayConfig,
  heartbeatQueueOf,
} from "../../domain/gateway-config.ts"
import type { SourceKind } from "../../domain/source-kind.ts"
import { agentOfKey } from "../agent-of-key.ts"
import { splitStranded } from "../invariants/nothing-stranded.ts"
import { DepthSeries } from "./depth-series.ts"
import {
  emptyHistogram,
  histogramFromJSON,
  histogramToJSON,
  type LatencyHistogram,
  quantile,
  recordLatency,
} from "./latency-histogram.ts"
import type { Projection } from "./projection.ts"

/** Events whose origin and queue name no agent are accounted to this pseudo-agent. */
export const UNSCOPED_AGENT = "(unscoped)"

export interface AgentCounts {
  attempts: number
  accepted: number
  rejected: Record<RejectionReason, number>
  consumed: number
  evicted: number
  pruned: number
}

export interface PendingEvent {
  readonly eventId: string
  readonly queueKey: string
  readonly agentId: string
  readonly source: SourceKind
  readonly origin: string
  readonly text: string
  readonly at: number
}

export interface AuditState {
  config: GatewayConfig
  readonly agents: Map<string, AgentCounts>
  /** agentId → source → enqueue-to-consumption latency. */
  readonly latency: Map<string, Map<string, LatencyHistogram>>
  readonly pending: Map<string, PendingEvent>
  /** Queue depth of each agent's own events over time, decimated to stay bounded. */
  readonly depth: Map<string, DepthSeries>
  /**
   * Each agent's entries in the maps above, plus its current depth, behind one lookup: the fold
   * touches an agent's counts, depth and latency at almost every event, and one Map lookup per
   * event instead of five was most of the fold's cost. The maps above keep their own order (an
   * agent joins each when it first has something there), which the report and JSON follow.
   */
  readonly tallies: Map<string, AgentTally>
  firstAt: number | undefined
  lastAt: number | undefined
}

/** One agent's running figures: the same objects its entries in AuditState's maps hold. */
export interface AgentTally {
  readonly counts: AgentCounts
  /** Current depth of the agent's own events (the last point of its series, before decimation). */
  depth: number
  /** Set when the agent's depth first moves (then also in AuditState.depth). */
  series: DepthSeries | undefined
  /** Set at the agent's first consumption (then also in AuditState.latency). */
  latency: Map<string, LatencyHistogram> | undefined
}

const MAX_DEPTH_POINTS = 2000

const emptyCounts = (): AgentCounts => ({
  attempts: 0,
  accepted: 0,
  rejected: { "blank-text": 0, duplicate: 0, "missing-session-key": 0 },
  consumed: 0,
  evicted: 0,
  pruned: 0,
})

/**
 * The agent whose work produced an event: the origin's agent, else the queue's, else none.
 * Normalised (`agent:Data Eng:…` is agent `data-eng`), as config and heartbeats name agents.
 */
export const attributedAgent = (origin: string, queueKey: string): string =>
  agentOfKey(origin) ?? agentOfKey(queueKey) ?? UNSCOPED_AGENT

/** An agent's tally over what the state's maps already hold of it (a state restored from JSON). */
const tallyOver = (state: AuditState, agentId: string, counts: AgentCounts, depth: number): AgentTally => {
  const tally = { counts, depth, series: state.depth.get(agentId), latency: state.latency.get(agentId) }
  state.tallies.set(agentId, tally)
  return tally
}

const tallyOf = (state: AuditState, agentId: string): AgentTally => {
  const tally = state.tallies.get(agentId)
  if (tally !== undefined) return tally
  const counts = emptyCounts()
  state.agents.set(agentId, counts)
  return tallyOver(state, agentId, counts, 0)
}

const trackDepth = (state: AuditState, agentId: string, tally: AgentTally, delta: number, at: number) => {
  tally.depth += delta
  let series = tally.series
  if (series === undefined) {
    series = new DepthSeries(MAX_DEPTH_POINTS)
    tally.series = series
    state.depth.set(agentId, series)
  }
  series.push(at, tally.depth)
}

const recordConsumed = (state: AuditState, pending: PendingEvent, tally: AgentTally, at: number) => {
  let bySource = tally.latency
  if (bySource === undefined) {
    bySource = new Map()
    tally.latency = bySource
    state.latency.set(pending.agentId, bySource)
  }
  let histogram = bySource.get(pending.source)
  if (histogram === undefined) {
    histogram = emptyHistogram()
    bySource.set(pending.source, histogram)
  }
  recordLatency(histogram, at - pending.at)
}

type Settled = "consumed" | "evicted" | "pruned"

const settleOne = (state: AuditState, eventId: string, at: number, fate: Settled) => {
  const pending = state.pending.get(eventId)
  if (pending === undefined) return
  state.pending.delete(eventId)
  const tally = tallyOf(state, pending.agentId)
  tally.counts[fate]++
  if (fate === "consumed") recordConsumed(state, pending, tally, at)
  trackDepth(state, pending.agentId, tally, -1, at)
}

const settle = (state: AuditState, eventIds: ReadonlyArray<string>, at: number, fate: Settled) => {
  for (let index = 0; index < eventIds.length; index++) settleOne(state, eventIds[index] as string, at, fate)
}

export function evolveAudit(state: AuditState, event: LedgerEvent): AuditState {
  // Every ledger event carries its `at` (domain/events.ts).
  state.firstAt ??= event.at
  state.lastAt = event.at
  switch (event._tag) {
    case "SystemEventEnqueued": {
      const provenance = event.provenance
      const agentId = attributedAgent(provenance.origin, event.queueKey)
      const tally = tallyOf(state, agentId)
      tally.counts.attempts++
      tally.counts.accepted++
      state.pending.set(event.eventId, {
        eventId: event.eventId,
        queueKey: event.queueKey,
        agentId,
        source: provenance.source,
        origin: provenance.origin,
        text: event.text,
        at: event.at,
      })
      trackDepth(state, agentId, tally, +1, event.at)
      return state
    }
    case "SystemEventRejected": {
      const counts = tallyOf(state, attributedAgent(event.provenance.origin, event.queueKey)).counts
      counts.attempts++
      counts.rejected[event.reason]++
      return state
    }
    case "SystemEventEvicted":
      settleOne(state, event.eventId, event.at, "evicted")
      return state
    case "SystemEventsConsumed":
    case "SystemEventsDrained":
      settle(state, event.eventIds, event.at, "consumed")
      return state
    case "HeartbeatRan":
      settle(state, event.consumed, event.at, "consumed")
      return state
    case "QueuePruned":
      settle(state, event.eventIds, event.at, "pruned")
      return state
    case "AgentConfigured":
      state.config = evolveGatewayConfig(state.config, event)
      return state
    default:
      return state
  }
}

export const emptyAudit = (): AuditState => ({
  config: emptyGatewayConfig,
  agents: new Map(),
  latency: new Map(),
  pending: new Map(),
  depth: new Map(),
  tallies: new Map(),
  firstAt: undefined,
  lastAt: undefined,
})

export const auditProjection: Projection<AuditState> = {
  name: "audit",
  init: emptyAudit,
  evolve: evolveAudit,
  toJSON: (state) => ({
    config: [...state.config.agents.values()],
    agents: [...state.agents],
    latency: [...state.latency].map(([agentId, bySource]) => [
      agentId,
      [...bySource].map(([source, histogram]) => [source, histogramToJSON(histogram)]),
    ]),
    pending: [...state.pending.values()],
    depth: [...state.depth].map(([agentId, series]) => [agentId, series.points()]),
    // In the depth series' order: an agent's current depth is kept from its first move.
    depthNow: [...state.depth.keys()].map((agentId) => [agentId, state.tallies.get(agentId)?.depth ?? 0]),
    firstAt: state.firstAt ?? null,
    lastAt: state.lastAt ?? null,
  }),
  fromJSON: (json) => {
    const j = json as AuditJSON
    const state: AuditState = {
      config: { agents: new Map(j.config.map((agent) => [agent.agentId, agent])) },
      agents: new Map(j.agents),
      latency: new Map(
        j.latency.map(([agentId, bySource]) => [
          agentId,
          new Map(bySource.map(([source, histogram]) => [source, histogramFromJSON(histogram)])),
        ]),
      ),
      pending: new Map(j.pending.map((event) => [event.eventId, event])),
      depth: new Map(
        j.depth.map(([agentId, points]) => [agentId, DepthSeries.from(MAX_DEPTH_POINTS, points)]),
      ),
      tallies: new Map(),
      firstAt: j.firstAt ?? undefined,
      lastAt: j.lastAt ?? undefined,
    }
    const depthNow = new Map(j.depthNow)
    for (const [agentId, counts] of state.agents)
      tallyOver(state, agentId, counts, depthNow.get(agentId) ?? 0)
    return state
  },
}

type AuditJSON = {
  config: GatewayConfig["agents"] extends ReadonlyMap<string, infer A> ? A[] : never
  agents: Array<[string, AgentCounts]>
  latency: Array<[string, Array<[string, ReturnType<typeof histogramToJSON>]>]>
  pending: PendingEvent[]
  depth: Array<[string, Array<[number, number]>]>
  depthNow: Array<[string, number]>
  firstAt: number | null
  lastAt: number | null
}

// ── the report ────────────────────────────────────────────────────────────────────────────

export interface LatencySummary {
  readonly count: number
  readonly p50: number
  readonly p95: number
  readonly max: number
}

export interface AgentReport {
  readonly agentId: string
  /** The queue(s) the agent's scheduled heartbeat drains under the current config. */
  readonly drains: ReadonlyArray<string>
  readonly enabled: boolean
  readonly attempts: number
  readonly accepted: number
  readonly rejected: number
  readonly rejectedByReason: Readonly<Record<RejectionReason, number>>
  readonly consumed: number
  readonly pending: number
  readonly evicted: number
  readonly pruned: number
  readonly stranded: number
  readonly latencyBySource: Readonly<Record<string, LatencySummary>>
}

export interface StrandedEvent extends PendingEvent {}

export interface AuditReport {
  readonly totals: {
    readonly attempts: number
    readonly accepted: number
    readonly rejected: number
    readonly consumed: number
    readonly pending: number
    readonly evicted: number
    readonly pruned: number
    readonly stranded: number
  }
  readonly agents: ReadonlyArray<AgentReport>
  readonly stranded: ReadonlyArray<StrandedEvent>
  readonly pending: ReadonlyArray<PendingEvent>
  readonly firstAt: number | undefined
  readonly lastAt: number | undefined
}

export const summarize = (histogram: LatencyHistogram): LatencySummary => ({
  count: histogram.count,
  p50: quantile(histogram, 0.5),
  p95: quantile(histogram, 0.95),
  max: histogram.max,
})

/**
 * Every agent's fates, with each still-queued event judged pending or stranded against the
 * current config (application/invariants/nothing-stranded.ts).
 */
export function auditReport(state: AuditState): AuditReport {
  const { pending, stranded } = splitStranded(state.pending.values(), state.config)
  const agentIds = new Set([...state.agents.keys(), ...state.config.agents.keys()])
  const agents = [...agentIds].sort().map((agentId): AgentReport => {
    const counts = state.agents.get(agentId) ?? emptyCounts()
    const agentConfig = state.config.agents.get(agentId)
    const rejected = Object.values(counts.rejected).reduce((a, b) => a + b, 0)
    return {
      agentId,
      drains: agentConfig ? [heartbeatQueueOf(agentConfig)] : [],
      enabled: agentConfig?.enabled ?? false,
      attempts: counts.attempts,
      accepted: counts.accepted,
      rejected,
      rejectedByReason: { ...counts.rejected },
      consumed: counts.consumed,
      pending: pending.filter((event) => event.agentId === agentId).length,
      evicted: counts.evicted,
      pruned: counts.pruned,
      stranded: stranded.filter((event) => event.agentId === agentId).length,
      latencyBySource: Object.fromEntries(
        [...(state.latency.get(agentId) ?? new Map<string, LatencyHistogram>())].map(
          ([source, histogram]) => [source, summarize(histogram)],
        ),
      ),
    }
  })
  const sum = (pick: (agent: AgentReport) => number) =>
    agents.reduce((total, agent) => total + pick(agent), 0)
  return {
    totals: {
      attempts: sum((a) => a.attempts),
      accepted: sum((a) => a.accepted),
      rejected: sum((a) => a.rejected),
      consumed: sum((a) => a.consumed),
      pending: pending.length,
      evicted: sum((a) => a.evicted),
      pruned: sum((a) => a.pruned),
      stranded: stranded.length,
    },
    agents,
    stranded,
    pending,
    firstAt: state.firstAt,
    lastAt: state.lastAt,
  }
}
