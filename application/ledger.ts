/**
 * The ledger: the domain service a gateway embeds. Each call decides with the domain's
 * deciders against the ledger's view of the log, appends the resulting events — to one stream
 * or to several — as one atomic append with expected revisions, and folds them into the view. When another writer got there
 * first, it catches up with the log and decides again.
 */
import { Clock, Context, Effect, Layer, Semaphore, Stream } from "effect"
import { compact } from "../domain/compact.ts"
import type { DeliveryContext, LedgerEvent, Provenance, WakeRequest } from "../domain/events.ts"
import {
  type ConfigureAgent,
  decideConfigureAgent,
  enabledAgentIds,
  heartbeatQueueOf,
  sessionPolicyOf,
} from "../domain/gateway-config.ts"
import { planHeartbeatRun, resolveWakeRuns } from "../domain/heartbeat.ts"
import {
  decideConsume,
  decideConsumeSelected,
  decideDrain,
  decideEnqueue,
  decidePrune,
  foldQueue,
  isContextChanged,
  normalizeQueueKey,
  type QueuedSystemEvent,
  type QueueState,
} from "../domain/queue.ts"
import {
  canonicalSessionKey,
  decideSweep,
  decideSweepRecord,
  parseSessionRetention,
} from "../domain/retention.ts"
import { type RoutingName, routingByName, type WakeTarget } from "../domain/routing.ts"
import { normalizeAgentId, resolveAgentIdFromSessionKey } from "../domain/session-key.ts"
import type { SessionPolicy } from "../domain/session-policy.ts"
import { isNodeExecFinishedRepeat, type SourceEmission } from "../domain/sources.ts"
import { decodeEvent, encodeEvent } from "./event-codec.ts"
import { EventStore, type ExpectedRevision } from "./event-store.ts"
import type { AppendError, StoreUnavailable, UndecodableEvent } from "./event-store-errors.ts"
import { Ids } from "./ids.ts"
import { LedgerContention, MissingSessionKey } from "./ledger-errors.ts"
import { LedgerView } from "./ledger-view.ts"
import { isObservedType } from "./observed-event-codec.ts"
import { CONFIG_STREAM, queueStreamId, REAPER_STREAM, UNROUTED_STREAM, WAKES_STREAM } from "./stream-names.ts"

export type LedgerError =
  | Exclude<AppendError, { _tag: "WrongExpectedRevision" }>
  | UndecodableEvent
  | LedgerContention

/** What a caller may pin down; everything else the ledger supplies. */
export interface RecordOptions {
  /** The session policy snapshotted when the work started; defaults to the origin agent's config now. */
  readonly policy?: SessionPolicy | undefined
  readonly routing?: RoutingName | undefined
  /** Epoch ms; defaults to the Clock. */
  readonly at?: number | undefined
  /** The system event's id (a UUID); importing the same id twice records it once. */
  readonly eventId?: string | undefined
  /** Where the reply goes, kept on the queued event (OpenClaw's `deliveryContext`). */
  readonly deliveryContext?: DeliveryContext | undefined
}

export interface RecordResult {
  readonly eventId: string
  readonly queueKey: string
  readonly accepted: boolean
  /** `repeated-run`: a node's repeated `exec.finished`, dropped unrecorded as OpenClaw drops it. */
  readonly rejectedBecause?: "blank-text" | "duplicate" | "repeated-run" | undefined
  /** The event the cap pushed out, if any. */
  readonly evictedEventId?: string | undefined
  /** The wake sent with the event, if any. */
  readonly wake?: WakeRequest | undefined
  /** The recorded wake's id (`HeartbeatWakeRequested.wakeId`), if a wake was sent. */
  readonly wakeId?: string | undefined
}

export interface EnqueueOptions {
  readonly sessionKey: string
  readonly contextKey?: string | undefined
  readonly deliveryContext?: DeliveryContext | undefined
  readonly trusted?: boolean | undefined
}

export interface HeartbeatRun {
  readonly agentId: string
  readonly queueKey: string
  readonly runId: string
  readonly prompt: "exec" | "cron" | "plain" | "empty"
  readonly shown: ReadonlyArray<QueuedSystemEvent>
  /** `shown` and what the run's agent turn drained (every event but exec completions). */
  readonly consumed: ReadonlyArray<QueuedSystemEvent>
}

export interface PruneResult {
  readonly outcome: "swept" | "throttled" | "disabled"
  readonly prunedSessions: ReadonlyArray<string>
  readonly lostEventIds: ReadonlyArray<string>
}

export interface LedgerShape {
  readonly configureAgent: (
    command: Omit<ConfigureAgent, "at"> & { readonly at?: number },
  ) => Effect.Effect<void, LedgerError>
  /** The policy a source snapshots when its work starts for `origin`. */
  readonly snapshotPolicy: (origin: string) => Effect.Effect<SessionPolicy>
  /** Records a source's emission: routes it, enqueues it, and records the wake it sends. */
  readonly record: (
    emission: SourceEmission,
    options?: RecordOptions,
  ) => Effect.Effect<RecordResult, LedgerError>
  /** The low-level queue call: never remaps (as in OpenClaw), sends no wake. */
  readonly enqueue: (
    text: string,
    options: EnqueueOptions,
    record?: Pick<RecordOptions, "at" | "eventId">,
  ) => Effect.Effect<RecordResult, LedgerError | MissingSessionKey>
  readonly peek: (sessionKey: string) => Effect.Effect<ReadonlyArray<QueuedSystemEvent>>
  readonly isContextChanged: (sessionKey: string, contextKey?: string | null) => Effect.Effect<boolean>
  /**
   * Removes the inspected events if they still head the queue (`prefix`), or wherever they are
   * (`selected`); returns what it removed, in the order asked.
   */
  readonly consume: (
    sessionKey: string,
    inspectedEventIds: ReadonlyArray<string>,
    mode?: "prefix" | "selected",
  ) => Effect.Effect<ReadonlyArray<QueuedSystemEvent>, LedgerError>
  readonly drain: (sessionKey: string) => Effect.Effect<ReadonlyArray<QueuedSystemEvent>, LedgerError>
  /**
   * Runs the heartbeat(s) a wake asks for: each peeks its queue and shows and consumes what
   * OpenClaw's runner would for that wake's source and reason (`planHeartbeatRun`).
   */
  readonly runHeartbeat: (
    wake: WakeTarget & {
      readonly source?: string
      readonly reason?: string
      readonly at?: number
      /** The event ids the runner's preview saw: when given, a run shows and consumes only these. */
      readonly inspected?: ReadonlyArray<string>
      /** With `inspected`: the queues whose preview inspected its events (the rest did not); without it the wake and the events decide. */
      readonly inspecting?: ReadonlyArray<string>
    },
  ) => Effect.Effect<ReadonlyArray<HeartbeatRun>, LedgerError>
  /** Records a wake request that came with no system event (a manual or scheduled wake). */
  readonly requestWake: (wake: WakeRequest & { readonly at?: number }) => Effect.Effect<string, LedgerError>
  readonly recordWakeSkipped: (skip: {
    readonly wakeId: string
    readonly agentId: string
    readonly sessionKey?: string | undefined
    readonly reason:
      | "requests-in-flight"
      | "cron-in-progress"
      | "lanes-busy"
      | "disabled"
      | "no-handler"
      | "error"
    readonly retryAt?: number | undefined
    readonly at?: number
  }) => Effect.Effect<void, LedgerError>
  /** The retention reaper: prunes idle cron-run sessions, recording the events they lose. */
  readonly prune: (options?: {
    readonly retention?: string | number | boolean | undefined
    readonly force?: boolean
    readonly routing?: RoutingName
    readonly at?: number
  }) => Effect.Effect<PruneResult, LedgerError>
  /** Folds in what other writers appended since the view's position. */
  readonly sync: Effect.Effect<void, StoreUnavailable | UndecodableEvent>
  /** The current view (read-only by contract). */
  readonly view: Effect.Effect<LedgerView>
}

export class Ledger extends Context.Service<Ledger, LedgerShape>()("heartbeat-ledger/application/Ledger") {}

const MAX_ATTEMPTS = 8

/** What one decision writes to one stream. */
interface Write {
  readonly streamId: string
  readonly events: ReadonlyArray<LedgerEvent>
}

/** A decision: one stream's events, or several streams' (committed together), and a result. */
type Decision<A> =
  | { readonly streamId: string; readonly events: ReadonlyArray<LedgerEvent>; readonly result: A }
  | { readonly writes: ReadonlyArray<Write>; readonly result: A }

/** The non-empty writes of a decision, one per stream, in first-named order. */
const writesOf = <A>(decision: Decision<A>): Write[] => {
  const listed = "writes" in decision ? decision.writes : [decision]
  const byStream = new Map<string, LedgerEvent[]>()
  for (const { streamId, events } of listed) {
    if (events.length === 0) continue
    const merged = byStream.get(streamId)
    if (merged === undefined) byStream.set(streamId, [...events])
    else merged.push(...events)
  }
  return [...byStream].map(([streamId, events]) => ({ streamId, events }))
}

const expectedFrom = (revision: number): ExpectedRevision => (revision < 0 ? "no-stream" : revision)

export const makeLedger = Effect.gen(function* () {
  const store = yield* EventStore
  const ids = yield* Ids
  const view = new LedgerView()
  // One decision at a time in this process; other processes are handled by expected revisions.
  const lock = yield* Semaphore.make(1)

  const now = (at: number | undefined) => (at === undefined ? Clock.currentTimeMillis : Effect.succeed(at))

  // Suspended so that each catch-up reads from the view's position *then*, not from where the
  // view stood when the ledger was made (which re-applied the whole log on every catch-up).
  const catchUp = Effect.suspend(() =>
    store.readAll({ fromPosition: view.position }).pipe(
      Stream.runForEach((record) =>
        Effect.suspend(() => {
          // Observed facts (a gateway plugin's, in a shared store) are not the ledger's decisions:
          // passed over, the view's position still moves past them (an import waits on it).
          if (isObservedType(record.type)) {
            if (record.position > view.position) view.position = record.position
            return Effect.void
          }
          const event = decodeEvent(record)
          if (event._tag === "UndecodableEvent") return Effect.fail(event)
          view.apply(record, event)
          return Effect.void
        }),
      ),
    ),
  )

  yield* catchUp

  /**
   * Decides against the view and appends what the decision writes — to one stream or to
   * several — as ONE atomic (multi-stream) append, with each stream's expected revision; on a
   * conflict, catches up and decides again. `decide` returns the writes (or none) and a result.
   */
  const transact = <A>(decide: () => Effect.Effect<Decision<A>>): Effect.Effect<A, LedgerError> =>
    lock.withPermit(
      Effect.gen(function* () {
        for (let attempt = 1; ; attempt++) {
          const decision = yield* decide()
          const writes = writesOf(decision)
          if (writes.length === 0) return decision.result
          const count = writes.reduce((sum, write) => sum + write.events.length, 0)
          // The store ids of this decision's events, by index: a deterministic source (an
          // import) gives the same ids to every attempt, so the store recognises a retry.
          const eventIds =
            ids.eventIds === undefined
              ? yield* Effect.replicateEffect(ids.next, count)
              : yield* ids.eventIds(count)
          let k = 0
          const appends = writes.map(({ streamId, events }) => ({
            streamId,
            expectedRevision: expectedFrom(view.revision(streamId)),
            events: events.map((event) => encodeEvent(eventIds[k++] as string, event)),
          }))
          const appended = yield* store.appendMulti(appends).pipe(
            Effect.map((ok) => ({ ok })),
            Effect.catchTag("WrongExpectedRevision", () => Effect.succeed({ ok: undefined })),
          )
          if (appended.ok !== undefined) {
            const first = appended.ok.position - count + 1
            if (appended.ok.written && store.densePositions === true && first === view.position + 1) {
              // Ours alone, contiguous in the request's order: fold it without reading it back.
              let position = first
              for (const { streamId, events } of writes) {
                for (const event of events) {
                  view.apply({ streamId, revision: view.revision(streamId) + 1, position: position++ }, event)
                }
              }
            } else {
              // Someone else wrote since our last read, the store found it already written, or it
              // cannot tell us: read it all in order, ours included, so the view never skips.
              yield* catchUp
            }
            return decision.result
          }
          if (attempt >= MAX_ATTEMPTS)
            return yield* new LedgerContention({
              streamId: writes.map((write) => write.streamId).join(", "),
              attempts: attempt,
            })
          yield* catchUp
        }
      }),
    )

  const agentOf = (origin: string) => resolveAgentIdFromSessionKey(origin)

  const snapshotPolicy = (origin: string) => Effect.sync(() => sessionPolicyOf(view.config, agentOf(origin)))

  const enqueueDecision = (input: {
    readonly queueKey: string
    readonly text: string
    readonly contextKey?: string | undefined
    readonly trusted?: boolean | undefined
    readonly deliveryContext?: DeliveryContext | undefined
    readonly provenance: Provenance
    readonly wakeOnlyIfAccepted: boolean
    readonly eventId: string
    readonly at: number
  }) => {
    const queueEvents = decideEnqueue(view.queue(input.queueKey), {
      eventId: input.eventId,
      text: input.text,
      contextKey: input.contextKey,
      trusted: input.trusted,
      deliveryContext: input.deliveryContext,
      at: input.at,
      provenance: input.provenance,
    })
    const accepted = queueEvents[0]?._tag === "SystemEventEnqueued"
    const rejected = queueEvents[0]?._tag === "SystemEventRejected" ? queueEvents[0] : undefined
    const evicted = queueEvents.find((event) => event._tag === "SystemEventEvicted")
    const wake = input.provenance.wake
    const sendsWake = wake !== undefined && (accepted || !input.wakeOnlyIfAccepted)
    return Effect.map(ids.next, (wakeId) => {
      const events: LedgerEvent[] = [...queueEvents]
      if (sendsWake) {
        events.push({ _tag: "HeartbeatWakeRequested", wakeId, ...wake, eventId: input.eventId, at: input.at })
      }
      const result: RecordResult = compact({
        eventId: input.eventId,
        queueKey: input.queueKey,
        accepted,
        rejectedBecause: rejected?.reason === "missing-session-key" ? undefined : rejected?.reason,
        evictedEventId: evicted?._tag === "SystemEventEvicted" ? evicted.eventId : undefined,
        wake: sendsWake ? wake : undefined,
        wakeId: sendsWake ? wakeId : undefined,
      })
      return { streamId: queueStreamId(input.queueKey), events, result }
    })
  }

  const record: LedgerShape["record"] = (emission, options = {}) =>
    Effect.gen(function* () {
      const at = yield* now(options.at)
      const eventId = options.eventId ?? (yield* ids.next)
      return yield* transact(() => {
        const policy = options.policy ?? sessionPolicyOf(view.config, agentOf(emission.origin))
        const routing = routingByName(options.routing ?? "fixed")
        const target = routing.wakeTarget(emission.origin, policy.mainKey, policy.scope)
        const wake: WakeRequest = compact({ ...emission.wake, ...target })
        const { finishedRunId } = emission
        // OpenClaw drops a node's repeated report of a run before it enqueues: nothing recorded.
        if (
          finishedRunId !== undefined &&
          isNodeExecFinishedRepeat(view.nodeExecFinishedRuns, {
            sessionKey: emission.origin,
            runId: finishedRunId,
            now: at,
          })
        )
          return Effect.succeed({ streamId: UNROUTED_STREAM, events: [], result: repeatedRun(eventId) })
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
        return enqueueDecision({
          queueKey,
          text: emission.text,
          contextKey: emission.contextKey,
          trusted: emission.trusted,
          deliveryContext: options.deliveryContext ?? emission.deliveryContext,
          provenance,
          wakeOnlyIfAccepted: emission.wakeOnlyIfAccepted,
          eventId,
          at,
        })
      })
    })

  const repeatedRun = (eventId: string): RecordResult => ({
    eventId,
    queueKey: "",
    accepted: false,
    rejectedBecause: "repeated-run",
  })

  const rejectUnrouted = (text: string, provenance: Provenance, eventId: string, at: number) =>
    Effect.succeed({
      streamId: UNROUTED_STREAM,
      events: [
        {
          _tag: "SystemEventRejected" as const,
          queueKey: "",
          eventId,
          reason: "missing-session-key" as const,
          text,
          at,
          provenance: compact({ ...provenance, wake: undefined }),
        },
      ],
      result: { eventId, queueKey: "", accepted: false } satisfies RecordResult,
    })

  const enqueue: LedgerShape["enqueue"] = (text, options, recordOptions = {}) =>
    Effect.gen(function* () {
      const at = yield* now(recordOptions.at)
      const eventId = recordOptions.eventId ?? (yield* ids.next)
      const queueKey = normalizeQueueKey(options.sessionKey)
      const provenance: Provenance = {
        source: "api",
        origin: options.sessionKey ?? "",
        policy: {},
        routing: "raw",
      }
      const result = yield* transact(() =>
        queueKey === undefined
          ? rejectUnrouted(text, provenance, eventId, at)
          : enqueueDecision({
              queueKey,
              text,
              contextKey: options.contextKey,
              trusted: options.trusted,
              deliveryContext: options.deliveryContext,
              provenance,
              wakeOnlyIfAccepted: false,
              eventId,
              at,
            }),
      )
      if (queueKey === undefined) return yield* new MissingSessionKey()
      return result
    })

  const queueOf = (sessionKey: string) => view.queue(normalizeQueueKey(sessionKey) ?? "")

  const consume: LedgerShape["consume"] = (sessionKey, inspected, mode = "prefix") =>
    Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      return yield* transact(() =>
        Effect.sync(() => {
          const queue = queueOf(sessionKey)
          const decide = mode === "selected" ? decideConsumeSelected : decideConsume
          const events = decide(queue, { inspected, at })
          const removed = events.flatMap((event) =>
            event._tag === "SystemEventsConsumed"
              ? event.eventIds.flatMap((id) => queue.events.filter((queued) => queued.eventId === id))
              : [],
          )
          return { streamId: queueStreamId(queue.queueKey), events, result: removed }
        }),
      )
    })

  const drain: LedgerShape["drain"] = (sessionKey) =>
    Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      return yield* transact(() =>
        Effect.sync(() => {
          const queue = queueOf(sessionKey)
          return {
            streamId: queueStreamId(queue.queueKey),
            events: decideDrain(queue, { at }),
            result: queue.events,
          }
        }),
      )
    })

  const runHeartbeat: LedgerShape["runHeartbeat"] = (wake) =>
    Effect.gen(function* () {
      const at = yield* now(wake.at)
      const runs = resolveWakeRuns(wake, enabledAgentIds(view.config))
      const runIds = yield* Effect.replicateEffect(ids.next, runs.length)
      const inspected = wake.inspected === undefined ? undefined : new Set(wake.inspected)
      // Every run of the wake (one per agent when it names none) is one decision: one commit.
      return yield* transact(() =>
        Effect.sync(() => {
          // Two agents may drain one queue: the second sees what the first left.
          const queues = new Map<string, QueueState>()
          const writes: Write[] = []
          const results = runs.map((run, index): HeartbeatRun => {
            const runId = runIds[index] as string
            const agent = view.config.agents.get(run.agentId) ?? { agentId: run.agentId, enabled: true }
            const queueKey = heartbeatQueueOf(agent, run.forcedSessionKey)
            const queue = queues.get(queueKey) ?? view.queue(queueKey)
            // A preview already decided whether to look: the events it saw no longer say why.
            const plan =
              inspected === undefined
                ? planHeartbeatRun(wake, queue.events)
                : planHeartbeatRun(
                    wake,
                    queue.events.filter((e) => inspected.has(e.eventId)),
                    {
                      inspects:
                        wake.inspecting === undefined ? undefined : wake.inspecting.includes(queueKey),
                    },
                  )
            const event: LedgerEvent = compact({
              _tag: "HeartbeatRan" as const,
              queueKey,
              agentId: run.agentId,
              runId,
              forcedSessionKey: run.forcedSessionKey,
              source: wake.source,
              reason: wake.reason ?? "interval",
              prompt: plan.prompt,
              shown: plan.shown.map((event) => event.eventId),
              consumed: plan.consumed.map((event) => event.eventId),
              at,
            })
            queues.set(queueKey, foldQueue(queue, [event]))
            writes.push({ streamId: queueStreamId(queueKey), events: [event] })
            return {
              agentId: run.agentId,
              queueKey,
              runId,
              prompt: plan.prompt,
              shown: plan.shown,
              consumed: plan.consumed,
            }
          })
          return { writes, result: results }
        }),
      )
    })

  const requestWake: LedgerShape["requestWake"] = (wake) =>
    Effect.gen(function* () {
      const at = yield* now(wake.at)
      const wakeId = yield* ids.next
      const { at: _ignored, ...request } = wake
      yield* transact(() =>
        Effect.succeed({
          streamId: WAKES_STREAM,
          events: [{ _tag: "HeartbeatWakeRequested" as const, wakeId, ...request, at }],
          result: undefined,
        }),
      )
      return wakeId
    })

  const recordWakeSkipped: LedgerShape["recordWakeSkipped"] = (skip) =>
    Effect.gen(function* () {
      const at = yield* now(skip.at)
      const { at: _ignored, ...rest } = skip
      yield* transact(() =>
        Effect.succeed({
          streamId: WAKES_STREAM,
          events: [
            compact({
              _tag: "HeartbeatWakeSkipped" as const,
              ...rest,
              agentId: normalizeAgentId(rest.agentId),
              at,
            }),
          ],
          result: undefined,
        }),
      )
    })

  const prune: LedgerShape["prune"] = (options = {}) =>
    Effect.gen(function* () {
      const at = yield* now(options.at)
      const retentionMs = parseSessionRetention(options.retention)
      if (retentionMs === null)
        return { outcome: "disabled", prunedSessions: [], lostEventIds: [] } as PruneResult
      const routing = routingByName(options.routing ?? "fixed")
      const decision = decideSweep(
        [...view.sessions].map(([sessionKey, lastUpdatedAt]) => ({ sessionKey, lastUpdatedAt })),
        {
          now: at,
          retentionMs,
          force: options.force ?? false,
          lastSweepAt: view.lastSweepAt,
          isCronRun: routing.isCronRun,
        },
      )
      if (decision._tag !== "Sweep")
        return { outcome: "throttled", prunedSessions: [], lostEventIds: [] } as PruneResult
      const expired = new Map(decision.expired.map((session) => [session.sessionKey, session]))
      // The whole sweep — every queue it prunes and the reaper's record — is one decision.
      const sessions = yield* transact(() =>
        Effect.sync(() => {
          const writes: Write[] = []
          const lost = new Map<string, string[]>()
          // A pruned session's queue — spelled in any case — loses whatever it still holds.
          for (const queue of view.queues.values()) {
            const session = canonicalSessionKey(queue.queueKey)
            if (!expired.has(session)) continue
            const events = decidePrune(queue, { sessionKey: session, at })
            const eventIds = events.flatMap((event) => (event._tag === "QueuePruned" ? event.eventIds : []))
            lost.set(session, [...(lost.get(session) ?? []), ...eventIds])
            writes.push({ streamId: queueStreamId(queue.queueKey), events })
          }
          const sessions = decision.expired.map((session) => ({
            sessionKey: session.sessionKey,
            lastUpdatedAt: session.lastUpdatedAt,
            lostEventIds: lost.get(session.sessionKey) ?? [],
          }))
          writes.push({
            streamId: REAPER_STREAM,
            // A large sweep is several bounded events, appended together (decideSweepRecord).
            events: decideSweepRecord({ retentionMs, forced: options.force ?? false, sessions, at }),
          })
          return { writes, result: sessions }
        }),
      )
      return {
        outcome: "swept",
        prunedSessions: sessions.map((session) => session.sessionKey),
        lostEventIds: sessions.flatMap((session) => session.lostEventIds),
      } as PruneResult
    })

  const configureAgent: LedgerShape["configureAgent"] = (command) =>
    Effect.gen(function* () {
      const at = yield* now(command.at)
      yield* transact(() =>
        Effect.sync(() => ({
          streamId: CONFIG_STREAM,
          events: decideConfigureAgent(view.config, { ...command, at }),
          result: undefined,
        })),
      )
    })

  return Ledger.of({
    configureAgent,
    snapshotPolicy,
    record,
    enqueue,
    peek: (sessionKey) => Effect.sync(() => queueOf(sessionKey).events.map((event) => ({ ...event }))),
    isContextChanged: (sessionKey, contextKey) =>
      Effect.sync(() => isContextChanged(queueOf(sessionKey), contextKey)),
    consume,
    drain,
    runHeartbeat,
    requestWake,
    recordWakeSkipped,
    prune,
    sync: lock.withPermit(catchUp),
    view: Effect.sync(() => view),
  })
})

export const layerLedger = Layer.effect(Ledger, makeLedger)
