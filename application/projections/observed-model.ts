/**
 * Our model of the release beside each observed enqueue: from the event's origin (the session
 * its work ran in, where the facts tell it), where that release's routing (domain/release-model.ts)
 * would have queued it and whether a heartbeat would drain it there — and, where the origin is
 * known, what the other routing would have done (the legacy what-if of an observed log). A
 * **divergence** is something the gateway did that this model would not: an entry under
 * another key, a removal no action of the model explains, a heartbeat draining a queue the
 * model's heartbeat never drains. docs/audit.md ("The audit of an observed store").
 */
import type { ObservedEntry } from "../../domain/observed-events.ts"
import { isRemappedSource, type ObservedSource, observedSourceOf } from "../../domain/observed-source.ts"
import { modelOfRelease, type ReleaseModel } from "../../domain/release-model.ts"
import { type RoutingName, routingByName } from "../../domain/routing.ts"
import { buildAgentMainSessionKey } from "../../domain/session-key.ts"
import { normalizedAgentOfKey } from "../agent-of-key.ts"
import type { ObservedFacts, ObservedItem, ObservedRecord, TakenBy } from "./observed-fates.ts"

export interface ModelAnswer {
  readonly routing: RoutingName
  readonly queueKey: string
  readonly drained: boolean
}

export interface ModelledEnqueue extends ModelAnswer {
  readonly source: ObservedSource
  readonly origin: string
  readonly originKnown: boolean
  /** The other routing's answer, when the origin is known. */
  readonly whatIf: ModelAnswer | undefined
}

export type DivergenceKind = "unexpected-queue" | "unexpected-removal" | "unexpected-drain"

export interface Divergence {
  readonly kind: DivergenceKind
  readonly observationId: string
  readonly sessionKey: string
  readonly streamId: string
  /** The record that shows it (the enqueue, the removal, or the prompt). */
  readonly position: number
  readonly detail: string
  /** The observed facts of the same gateway around it, in log order. */
  readonly around: ReadonlyArray<ObservedRecord>
}

/** How many facts before and after a divergence are listed with it. */
export const AROUND = 3

const UNSCOPED = "(unscoped)"
export const agentOfObservedKey = (sessionKey: string): string => normalizedAgentOfKey(sessionKey) ?? UNSCOPED

/** Each observer's release model, by the stream it writes (`ObserverStarted` opens each stream). */
export function releaseModels(records: ReadonlyArray<ObservedRecord>): ReadonlyMap<string, ReleaseModel> {
  const models = new Map<string, ReleaseModel>()
  for (const { event, streamId } of records)
    if (event._tag === "ObserverStarted") models.set(streamId, modelOfRelease(event.openclawVersion))
  return models
}

/**
 * The queues our model's heartbeat drains: every agent's main key (the default heartbeat
 * session), and the keys heartbeats were observed on that are not cron runs (a configured
 * `heartbeat.session` or main key, or `global`: the config is not observed).
 */
export function modelDrains(facts: ObservedFacts, routing: RoutingName): ReadonlySet<string> {
  const isCronRun = routingByName(routing).isCronRun
  const drains = new Set<string>()
  for (const item of facts.items) {
    const agentId = normalizedAgentOfKey(item.sessionKey)
    if (agentId !== undefined) drains.add(buildAgentMainSessionKey({ agentId }))
  }
  for (const key of facts.heartbeatKeys) if (!isCronRun(key)) drains.add(key)
  return drains
}

interface ExecCall {
  readonly sessionKey: string
  readonly agentId: string
  readonly position: number
  linked: boolean
}

/** `exec` tool calls (after_tool_call) with their session, in log order: where exec completions come from. */
const execCallsOf = (records: ReadonlyArray<ObservedRecord>): ExecCall[] =>
  records.flatMap(({ event, position }) =>
    event._tag === "ObservedLifecycle" &&
    event.hook === "after_tool_call" &&
    event.detail.toolName === "exec" &&
    event.sessionKey !== undefined
      ? [
          {
            sessionKey: event.sessionKey,
            agentId: agentOfObservedKey(event.sessionKey),
            position,
            linked: false,
          },
        ]
      : [],
  )

const answer = (
  routing: RoutingName,
  origin: string,
  source: ObservedSource,
  drains: (routing: RoutingName) => ReadonlySet<string>,
  observedKey?: string,
): ModelAnswer => {
  const route = routingByName(routing)
  // Sources the fix does not remap enqueue under the key given, in every release.
  let queueKey = isRemappedSource(source) ? route.queueKey(origin) : origin
  // The session policy is not observed: where the routing remaps, a `global` scope or another
  // main key (one a heartbeat was seen on) are the routing's answer too.
  if (observedKey !== undefined && queueKey !== origin && observedKey !== queueKey) {
    const alternatives = [route.queueKey(origin, undefined, "global")]
    for (const key of drains(routing))
      if (agentOfObservedKey(key) === agentOfObservedKey(origin) && !route.isCronRun(key))
        alternatives.push(key)
    if (alternatives.includes(observedKey)) queueKey = observedKey
  }
  return { routing, queueKey, drained: drains(routing).has(queueKey) }
}

/**
 * The model's answer for every observed enqueue (by observation id). The origin: an entry
 * under a cron-run key came from that run (only its own work puts it there); an exec
 * completion elsewhere came from the most recent exec tool call of its agent not yet matched.
 * Otherwise the entry is taken to come from the key it was queued under (origin not known).
 */
export function modelEnqueues(
  records: ReadonlyArray<ObservedRecord>,
  facts: ObservedFacts,
): ReadonlyMap<string, ModelledEnqueue> {
  const models = releaseModels(records)
  const drainsByRouting = { fixed: modelDrains(facts, "fixed"), legacy: modelDrains(facts, "legacy") }
  const drains = (routing: RoutingName) => drainsByRouting[routing]
  const calls = execCallsOf(records)
  const modelled = new Map<string, ModelledEnqueue>()
  for (const item of facts.items) {
    const routing = models.get(item.streamId)?.routing ?? "fixed"
    const source = observedSourceOf(item.entry)
    let origin = item.sessionKey
    let originKnown = false
    const isCronRun = routingByName("fixed").isCronRun(item.sessionKey)
    if (isCronRun || source === "exec-exit") {
      const agentId = agentOfObservedKey(item.sessionKey)
      let call: ExecCall | undefined
      for (const candidate of calls) {
        if (candidate.position > item.position) break
        if (candidate.linked) continue
        // A key of no agent (`global` in global scope) takes any agent's completion.
        const same = isCronRun
          ? candidate.sessionKey === item.sessionKey
          : candidate.agentId === agentId || agentId === UNSCOPED
        if (same) call = candidate
      }
      if (source === "exec-exit" && call !== undefined) call.linked = true
      if (isCronRun) originKnown = true
      else if (source === "exec-exit" && call !== undefined) {
        origin = call.sessionKey
        originKnown = true
      }
    }
    const model = answer(routing, origin, source, drains, item.sessionKey)
    const other: RoutingName = routing === "fixed" ? "legacy" : "fixed"
    modelled.set(item.observationId, {
      ...model,
      source,
      origin,
      originKnown,
      whatIf: originKnown ? answer(other, origin, source, drains) : undefined,
    })
  }
  return modelled
}

/** The facts of `streamId` around the record at `position`, up to AROUND each side. */
const aroundOf = (
  byStream: ReadonlyMap<string, ReadonlyArray<ObservedRecord>>,
  streamId: string,
  position: number,
): ReadonlyArray<ObservedRecord> => {
  const stream = byStream.get(streamId) ?? []
  const index = stream.findIndex((record) => record.position === position)
  return index < 0 ? [] : stream.slice(Math.max(0, index - AROUND), index + AROUND + 1)
}

const textOf = (entry: ObservedEntry) => JSON.stringify(entry.text.split("\n")[0] ?? "")

/** Every divergence between the gateway's observed behaviour and our model of its release. */
export function divergencesOf(
  records: ReadonlyArray<ObservedRecord>,
  facts: ObservedFacts,
  modelled: ReadonlyMap<string, ModelledEnqueue>,
  evictedOrDeleted: (item: ObservedItem) => boolean,
  takenBy: ReadonlyMap<string, TakenBy>,
): ReadonlyArray<Divergence> {
  const byStream = new Map<string, ObservedRecord[]>()
  for (const record of records) {
    const stream = byStream.get(record.streamId) ?? []
    stream.push(record)
    byStream.set(record.streamId, stream)
  }
  const divergences: Divergence[] = []
  const add = (item: ObservedItem, kind: DivergenceKind, position: number, detail: string) =>
    divergences.push({
      kind,
      observationId: item.observationId,
      sessionKey: item.sessionKey,
      streamId: item.streamId,
      position,
      detail,
      around: aroundOf(byStream, item.streamId, position),
    })
  for (const item of facts.items) {
    const model = modelled.get(item.observationId)
    if (model === undefined) continue
    if (model.queueKey !== item.sessionKey) {
      add(
        item,
        "unexpected-queue",
        item.position,
        `${textOf(item.entry)} (${model.source}, from ${model.origin}) was queued under ${item.sessionKey}; ` +
          `the ${model.routing} routing of this release queues it under ${model.queueKey}`,
      )
    } else if (!model.drained && (item.shownBy ?? takenBy.get(item.observationId))?.trigger === "heartbeat") {
      const by = item.shownBy ?? takenBy.get(item.observationId)
      add(
        item,
        "unexpected-drain",
        item.position,
        `${textOf(item.entry)} was taken by a heartbeat of ${by?.sessionKey ?? "an unnamed session"}; ` +
          `under the ${model.routing} routing no heartbeat drains ${item.sessionKey}`,
      )
    }
    const removed = item.removed
    if (
      removed !== undefined &&
      item.shownBy === undefined &&
      !evictedOrDeleted(item) &&
      !takenBy.has(item.observationId)
    )
      add(
        item,
        "unexpected-removal",
        removed.position,
        `${textOf(item.entry)} left ${item.sessionKey} (${removed.how}) with no prompt, eviction or session end to explain it`,
      )
  }
  return divergences.sort((a, b) => a.position - b.position)
}
