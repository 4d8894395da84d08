/**
 * The ledger as one decider (in the manner of Emmett's Decider and Equinox's decide/fold):
 * `decide(command, state)` says what a command records and answers, `evolve` folds a recorded
 * event into the state, `initialState` is the state of an empty log. Pure and total: every
 * rule of a call lives here, the queue's own rules in queue.ts and the others in the files
 * named after them; the application only supplies ids and time, appends and folds.
 */
import { compact } from "./compact.ts"
import type { LedgerEvent, Provenance, QueueEvent, WakeRequest } from "./events.ts"
import { decideConfigureAgent, enabledAgentIds, heartbeatQueueOf, sessionPolicyOf } from "./gateway-config.ts"
import { type HeartbeatRunTarget, planHeartbeatRun, resolveWakeRuns } from "./heartbeat.ts"
import type {
  Consume,
  Drain,
  Enqueue,
  LedgerCommand,
  RecordEmission,
  RunHeartbeat,
  SweepRetention,
} from "./ledger-command.ts"
import {
  type Decision,
  type HeartbeatRun,
  type LedgerRefusals,
  type LedgerResults,
  MissingSessionKey,
  type PruneResult,
  type RecordResult,
  type RefusalOf,
  type ResultOf,
  type Write,
} from "./ledger-decision.ts"
import { evolveLedgerState, initialLedgerState, type LedgerState, queueIn } from "./ledger-state.ts"
import {
  decideConsume,
  decideConsumeSelected,
  decideDrain,
  decideEnqueue,
  decidePrune,
  foldQueue,
  normalizeQueueKey,
  type QueueState,
} from "./queue.ts"
import { canonicalSessionKey, decideSweep, decideSweepRecord, parseSessionRetention } from "./retention.ts"
import { routingByName } from "./routing.ts"
import { normalizeAgentId, resolveAgentIdFromSessionKey } from "./session-key.ts"
import { isNodeExecFinishedRepeat } from "./sources.ts"

type Decided<K extends keyof LedgerResults> = Decision<
  LedgerResults[K],
  K extends keyof LedgerRefusals ? LedgerRefusals[K] : never
>

const queueStream = (queueKey: string) => ({ kind: "queue", queueKey }) as const
const UNROUTED = { kind: "unrouted" } as const
const nothing = <R>(result: R): Decision<R> => ({ writes: [], result })

/** The runs a wake asks for, in order (one id of `RunHeartbeat.runIds` each), and the queue each runs on. */
export const wakeRunsOf = (
  state: LedgerState,
  wake: Pick<RunHeartbeat, "agentId" | "sessionKey">,
): Array<HeartbeatRunTarget & { readonly queueKey: string }> =>
  resolveWakeRuns(wake, enabledAgentIds(state.config)).map((run) => {
    const agent = state.config.agents.get(run.agentId) ?? { agentId: run.agentId, enabled: true }
    return { ...run, queueKey: heartbeatQueueOf(agent, run.forcedSessionKey) }
  })

/** An event into a queue, and the wake that goes with it: only if accepted, when the source says so. */
const enqueueInto = (
  state: LedgerState,
  input: {
    readonly queueKey: string
    readonly text: string
    readonly contextKey?: string | undefined
    readonly trusted?: boolean | undefined
    readonly deliveryContext?: Enqueue["deliveryContext"]
    readonly provenance: Provenance
    readonly wakeOnlyIfAccepted: boolean
    readonly eventId: string
    readonly wakeId?: string | undefined
    readonly at: number
  },
): Decision<RecordResult> => {
  const queueEvents = decideEnqueue(queueIn(state, input.queueKey), {
    eventId: input.eventId,
    text: input.text,
    contextKey: input.contextKey,
    trusted: input.trusted,
    deliveryContext: input.deliveryContext,
    at: input.at,
    provenance: input.provenance,
  })
  const first = queueEvents[0]
  const accepted = first?._tag === "SystemEventEnqueued"
  const rejected = first?._tag === "SystemEventRejected" ? first : undefined
  const evicted = queueEvents.find((event) => event._tag === "SystemEventEvicted")
  const wake = input.provenance.wake
  const sendsWake =
    wake !== undefined && input.wakeId !== undefined && (accepted || !input.wakeOnlyIfAccepted)
  const events: LedgerEvent[] = [...queueEvents]
  if (sendsWake)
    events.push({
      _tag: "HeartbeatWakeRequested",
      wakeId: input.wakeId as string,
      ...wake,
      eventId: input.eventId,
      at: input.at,
    })
  return {
    writes: [{ stream: queueStream(input.queueKey), events }],
    result: compact({
      eventId: input.eventId,
      queueKey: input.queueKey,
      accepted,
      rejectedBecause: rejected?.reason === "missing-session-key" ? undefined : rejected?.reason,
      evictedEventId: evicted?._tag === "SystemEventEvicted" ? evicted.eventId : undefined,
      wake: sendsWake ? wake : undefined,
      wakeId: sendsWake ? input.wakeId : undefined,
    }),
  }
}

/** An attempt with no queue to go to: recorded on the unrouted stream, without its wake. */
const rejectUnrouted = (
  text: string,
  provenance: Provenance,
  eventId: string,
  at: number,
): Decision<RecordResult> => ({
  writes: [
    {
      stream: UNROUTED,
      events: [
        {
          _tag: "SystemEventRejected",
          queueKey: "",
          eventId,
          reason: "missing-session-key",
          text,
          at,
          provenance: compact({ ...provenance, wake: undefined }),
        },
      ],
    },
  ],
  result: { eventId, queueKey: "", accepted: false },
})

function decideRecord(command: RecordEmission, state: LedgerState): Decided<"RecordEmission"> {
  const { emission, eventId, at } = command
  const policy =
    command.policy ?? sessionPolicyOf(state.config, resolveAgentIdFromSessionKey(emission.origin))
  const routing = routingByName(command.routing)
  const target = routing.wakeTarget(emission.origin, policy.mainKey, policy.scope)
  const wake: WakeRequest = compact({ ...emission.wake, ...target })
  const { finishedRunId } = emission
  // OpenClaw drops a node's repeated report of a run before it enqueues: nothing recorded.
  if (
    finishedRunId !== undefined &&
    isNodeExecFinishedRepeat(state.nodeExecFinishedRuns, {
      sessionKey: emission.origin,
      runId: finishedRunId,
      now: at,
    })
  )
    return nothing({ eventId, queueKey: "", accepted: false, rejectedBecause: "repeated-run" })
  const provenance: Provenance = compact({
    source: emission.source,
    origin: emission.origin,
    policy: compact({ mainKey: policy.mainKey, scope: policy.scope }),
    routing: routing.name,
    wake,
    finishedRunId,
  })
  const queueKey = normalizeQueueKey(routing.queueKey(emission.origin, policy.mainKey, policy.scope))
  if (queueKey === undefined) return rejectUnrouted(emission.text, provenance, eventId, at)
  return enqueueInto(state, {
    queueKey,
    text: emission.text,
    contextKey: emission.contextKey,
    trusted: emission.trusted,
    deliveryContext: command.deliveryContext ?? emission.deliveryContext,
    provenance,
    wakeOnlyIfAccepted: emission.wakeOnlyIfAccepted,
    eventId,
    wakeId: command.wakeId,
    at,
  })
}

function decideRawEnqueue(command: Enqueue, state: LedgerState): Decided<"Enqueue"> {
  const provenance: Provenance = { source: "api", origin: command.sessionKey, policy: {}, routing: "raw" }
  const queueKey = normalizeQueueKey(command.sessionKey)
  if (queueKey === undefined)
    return {
      ...rejectUnrouted(command.text, provenance, command.eventId, command.at),
      refusal: new MissingSessionKey(),
    }
  return enqueueInto(state, { ...command, queueKey, provenance, wakeOnlyIfAccepted: false })
}

const queueOfKey = (state: LedgerState, sessionKey: string): QueueState =>
  queueIn(state, normalizeQueueKey(sessionKey) ?? "")

function decideConsumeCommand(command: Consume, state: LedgerState): Decided<"Consume"> {
  const queue = queueOfKey(state, command.sessionKey)
  const decideOn = command.mode === "selected" ? decideConsumeSelected : decideConsume
  const events = decideOn(queue, command)
  const removed = events.flatMap((event) =>
    event._tag === "SystemEventsConsumed"
      ? event.eventIds.flatMap((id) => queue.events.filter((queued) => queued.eventId === id))
      : [],
  )
  return { writes: [{ stream: queueStream(queue.queueKey), events }], result: removed }
}

function decideDrainCommand(command: Drain, state: LedgerState): Decided<"Drain"> {
  const queue = queueOfKey(state, command.sessionKey)
  return {
    writes: [{ stream: queueStream(queue.queueKey), events: decideDrain(queue, command) }],
    result: queue.events,
  }
}

/** Every run of the wake (one per agent when it names none) in one decision. */
function decideHeartbeat(command: RunHeartbeat, state: LedgerState): Decided<"RunHeartbeat"> {
  const inspected = command.inspected === undefined ? undefined : new Set(command.inspected)
  // Two agents may drain one queue: the second sees what the first left.
  const queues = new Map<string, QueueState>()
  const writes: Write[] = []
  const runs = wakeRunsOf(state, command).map(({ queueKey, ...run }, index): HeartbeatRun => {
    const runId = command.runIds[index] ?? ""
    const queue = queues.get(queueKey) ?? queueIn(state, queueKey)
    // A preview already decided whether to look: the events it saw no longer say why.
    const plan =
      inspected === undefined
        ? planHeartbeatRun(command, queue.events)
        : planHeartbeatRun(
            command,
            queue.events.filter((event) => inspected.has(event.eventId)),
            {
              inspects: command.inspecting === undefined ? undefined : command.inspecting.includes(queueKey),
            },
          )
    const event: QueueEvent = compact({
      _tag: "HeartbeatRan" as const,
      queueKey,
      agentId: run.agentId,
      runId,
      forcedSessionKey: run.forcedSessionKey,
      source: command.source,
      reason: command.reason ?? "interval",
      prompt: plan.prompt,
      shown: plan.shown.map((shown) => shown.eventId),
      consumed: plan.consumed.map((consumed) => consumed.eventId),
      at: command.at,
    })
    queues.set(queueKey, foldQueue(queue, [event]))
    writes.push({ stream: queueStream(queueKey), events: [event] })
    return {
      agentId: run.agentId,
      queueKey,
      runId,
      prompt: plan.prompt,
      shown: plan.shown,
      consumed: plan.consumed,
    }
  })
  return { writes, result: runs }
}

/** The whole sweep — every queue it prunes and the reaper's record — in one decision. */
function decideSweepCommand(command: SweepRetention, state: LedgerState): Decided<"SweepRetention"> {
  const retentionMs = parseSessionRetention(command.retention)
  const none = (outcome: PruneResult["outcome"]) => nothing({ outcome, prunedSessions: [], lostEventIds: [] })
  if (retentionMs === null) return none("disabled")
  const routing = routingByName(command.routing)
  const decision = decideSweep(
    [...state.sessions].map(([sessionKey, lastUpdatedAt]) => ({ sessionKey, lastUpdatedAt })),
    {
      now: command.at,
      retentionMs,
      force: command.force,
      lastSweepAt: state.lastSweepAt,
      isCronRun: routing.isCronRun,
    },
  )
  if (decision._tag !== "Sweep") return none("throttled")
  const expired = new Set(decision.expired.map((session) => session.sessionKey))
  const writes: Write[] = []
  const lost = new Map<string, string[]>()
  // A pruned session's queue — spelled in any case — loses whatever it still holds.
  for (const queue of state.queues.values()) {
    const session = canonicalSessionKey(queue.queueKey)
    if (!expired.has(session)) continue
    const events = decidePrune(queue, { sessionKey: session, at: command.at })
    const eventIds = events.flatMap((event) => (event._tag === "QueuePruned" ? event.eventIds : []))
    lost.set(session, [...(lost.get(session) ?? []), ...eventIds])
    writes.push({ stream: queueStream(queue.queueKey), events })
  }
  const sessions = decision.expired.map((session) => ({
    sessionKey: session.sessionKey,
    lastUpdatedAt: session.lastUpdatedAt,
    lostEventIds: lost.get(session.sessionKey) ?? [],
  }))
  // A large sweep is several bounded events, appended together (decideSweepRecord).
  writes.push({
    stream: { kind: "reaper" },
    events: decideSweepRecord({ retentionMs, forced: command.force, sessions, at: command.at }),
  })
  return {
    writes,
    result: {
      outcome: "swept",
      prunedSessions: sessions.map((session) => session.sessionKey),
      lostEventIds: sessions.flatMap((session) => session.lostEventIds),
    },
  }
}

function decideAny(
  command: LedgerCommand,
  state: LedgerState,
): Decision<LedgerResults[keyof LedgerResults], LedgerRefusals[keyof LedgerRefusals]> {
  switch (command._tag) {
    case "RecordEmission":
      return decideRecord(command, state)
    case "Enqueue":
      return decideRawEnqueue(command, state)
    case "Consume":
      return decideConsumeCommand(command, state)
    case "Drain":
      return decideDrainCommand(command, state)
    case "RunHeartbeat":
      return decideHeartbeat(command, state)
    case "RequestWake": {
      const { wakeId, wake, at } = command
      return {
        writes: [
          { stream: { kind: "wakes" }, events: [{ _tag: "HeartbeatWakeRequested", wakeId, ...wake, at }] },
        ],
        result: wakeId,
      }
    }
    case "SkipWake": {
      const { _tag, ...skip } = command
      const event = compact({
        _tag: "HeartbeatWakeSkipped" as const,
        ...skip,
        agentId: normalizeAgentId(skip.agentId),
      })
      return { writes: [{ stream: { kind: "wakes" }, events: [event] }], result: undefined }
    }
    case "SweepRetention":
      return decideSweepCommand(command, state)
    case "ConfigureAgent": {
      const { _tag, ...configure } = command
      return {
        writes: [{ stream: { kind: "config" }, events: decideConfigureAgent(state.config, configure) }],
        result: undefined,
      }
    }
  }
}

/** What `command` records against `state`, and what its caller is answered. Reads `state` only. */
export const decide = <C extends LedgerCommand>(
  command: C,
  state: LedgerState,
): Decision<ResultOf<C>, RefusalOf<C>> => decideAny(command, state) as Decision<ResultOf<C>, RefusalOf<C>>

export const ledgerDecider = {
  decide,
  /** Folds one recorded event into `state`, in place, and returns it (ledger-state.ts). */
  evolve: evolveLedgerState,
  initialState: initialLedgerState,
} as const
