/**
 * The ledger: the domain service a gateway embeds. Each call is a domain command (ledger-command.ts)
 * — its ids and time made here, at the edge — that the command handler decides against the
 * ledger's view of the log, appends as one atomic append, and folds into the view.
 */
import { Clock, Context, Effect, Layer } from "effect"
import type { DeliveryContext, WakeRequest } from "../domain/events.ts"
import { type ConfigureAgent, sessionPolicyOf } from "../domain/gateway-config.ts"
import type { Consume } from "../domain/ledger-command.ts"
import { wakeRunsOf } from "../domain/ledger-decider.ts"
import type { HeartbeatRun, PruneResult, RecordResult } from "../domain/ledger-decision.ts"
import { isContextChanged, normalizeQueueKey, type QueuedSystemEvent } from "../domain/queue.ts"
import type { RoutingName, WakeTarget } from "../domain/routing.ts"
import { resolveAgentIdFromSessionKey } from "../domain/session-key.ts"
import type { SessionPolicy } from "../domain/session-policy.ts"
import type { SourceEmission } from "../domain/sources.ts"
import type { RecordedSkipReason } from "../domain/wake.ts"
import { makeCommandHandler } from "./command-handler.ts"
import { foldLog, type LogFold } from "./decoded-log.ts"
import { EventStore } from "./event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "./event-store-errors.ts"
import { Ids } from "./ids.ts"
import type { LedgerError, MissingSessionKey } from "./ledger-errors.ts"
import { LedgerView } from "./ledger-view.ts"
import { CurrentOpeningReplay } from "./opening-replay.ts"
import { projectionFold } from "./projections/projection.ts"
import { queuesProjection } from "./projections/queues.ts"

export type { HeartbeatRun, PruneResult, RecordResult } from "../domain/ledger-decision.ts"
export type { LedgerError } from "./ledger-errors.ts"

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

export interface EnqueueOptions {
  readonly sessionKey: string
  readonly contextKey?: string | undefined
  readonly deliveryContext?: DeliveryContext | undefined
  readonly trusted?: boolean | undefined
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
    mode?: Consume["mode"],
    options?: { readonly at?: number | undefined },
  ) => Effect.Effect<ReadonlyArray<QueuedSystemEvent>, LedgerError>
  readonly drain: (
    sessionKey: string,
    options?: { readonly at?: number | undefined },
  ) => Effect.Effect<ReadonlyArray<QueuedSystemEvent>, LedgerError>
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
    readonly reason: RecordedSkipReason
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

export const makeLedger = Effect.gen(function* () {
  const store = yield* EventStore
  const ids = yield* Ids
  const view = new LedgerView()

  // Suspended so that each catch-up reads from the view's position *then*, not from where the
  // view stood when the ledger was made (which re-applied the whole log on every catch-up).
  const viewFold: LogFold<LedgerView> = {
    ...projectionFold(queuesProjection),
    // Observed facts (a gateway plugin's, in a shared store) are not the ledger's decisions:
    // passed over, the view's position still moves past them (an import waits on it).
    observed: (folded, _fact, record) => {
      if (record.position > folded.position) folded.position = record.position
      return folded
    },
  }
  const catchUp = Effect.suspend(() =>
    foldLog(store, viewFold, { fromPosition: view.position, positions: "as-stored" }, view),
  ).pipe(Effect.asVoid)

  // Opening: what opens beside the ledger (the owed wakes) folds in the same pass (opening-replay.ts).
  const opening = yield* CurrentOpeningReplay
  yield* opening === undefined
    ? catchUp
    : opening.foldBeside(store, viewFold, view, { positions: "as-stored" })

  // One decision at a time in this process; other processes are handled by expected revisions.
  const handler = yield* makeCommandHandler({ store, ids, view, catchUp })
  const { execute } = handler

  /** The time of a call: the caller's, else the clock's — read here, once. */
  const now = (at: number | undefined) => (at === undefined ? Clock.currentTimeMillis : Effect.succeed(at))

  const record: LedgerShape["record"] = (emission, options = {}) =>
    Effect.gen(function* () {
      const at = yield* now(options.at)
      const eventId = options.eventId ?? (yield* ids.next)
      const wakeId = yield* ids.next
      return yield* execute({
        _tag: "RecordEmission",
        emission,
        policy: options.policy,
        routing: options.routing ?? "fixed",
        deliveryContext: options.deliveryContext,
        eventId,
        wakeId,
        at,
      })
    })

  const enqueue: LedgerShape["enqueue"] = (text, options, recordOptions = {}) =>
    Effect.gen(function* () {
      const at = yield* now(recordOptions.at)
      const eventId = recordOptions.eventId ?? (yield* ids.next)
      return yield* execute({
        _tag: "Enqueue",
        text,
        ...options,
        sessionKey: options.sessionKey ?? "",
        eventId,
        at,
      })
    })

  const queueOf = (sessionKey: string) => view.queue(normalizeQueueKey(sessionKey) ?? "")

  const runHeartbeat: LedgerShape["runHeartbeat"] = (wake) =>
    Effect.gen(function* () {
      const at = yield* now(wake.at)
      // One run id per run the wake resolves to on the state it is decided on; kept across attempts.
      const runIds: string[] = []
      return yield* execute((state) =>
        Effect.gen(function* () {
          const runs = wakeRunsOf(state, wake).length
          while (runIds.length < runs) runIds.push(yield* ids.next)
          return { ...wake, _tag: "RunHeartbeat" as const, runIds: [...runIds], at }
        }),
      )
    })

  return Ledger.of({
    configureAgent: (command) =>
      Effect.flatMap(now(command.at), (at) => execute({ ...command, _tag: "ConfigureAgent", at })),
    snapshotPolicy: (origin) =>
      Effect.sync(() => sessionPolicyOf(view.config, resolveAgentIdFromSessionKey(origin))),
    record,
    enqueue,
    peek: (sessionKey) => Effect.sync(() => queueOf(sessionKey).events.map((event) => ({ ...event }))),
    isContextChanged: (sessionKey, contextKey) =>
      Effect.sync(() => isContextChanged(queueOf(sessionKey), contextKey)),
    consume: (sessionKey, inspected, mode = "prefix", options = {}) =>
      Effect.flatMap(now(options.at), (at) => execute({ _tag: "Consume", sessionKey, inspected, mode, at })),
    drain: (sessionKey, options = {}) =>
      Effect.flatMap(now(options.at), (at) => execute({ _tag: "Drain", sessionKey, at })),
    runHeartbeat,
    requestWake: ({ at, ...wake }) =>
      Effect.gen(function* () {
        const when = yield* now(at)
        const wakeId = yield* ids.next
        return yield* execute({ _tag: "RequestWake", wake, wakeId, at: when })
      }),
    recordWakeSkipped: ({ at, ...skip }) =>
      Effect.flatMap(now(at), (when) => execute({ ...skip, _tag: "SkipWake", at: when })),
    prune: (options = {}) =>
      Effect.flatMap(now(options.at), (at) =>
        execute({
          _tag: "SweepRetention",
          retention: options.retention,
          force: options.force ?? false,
          routing: options.routing ?? "fixed",
          at,
        }),
      ),
    sync: handler.sync,
    view: Effect.sync(() => view),
  })
})

export const layerLedger = Layer.effect(Ledger, makeLedger)
