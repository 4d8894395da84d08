/**
 * An embedded, OpenClaw-compatible system-events instance: the queue calls of
 * src/infra/system-events.ts, the wake calls of src/infra/heartbeat-wake.ts and the sources'
 * helpers, with OpenClaw's names, return values and edge cases, backed by the ledger.
 *
 * Calls are synchronous, as OpenClaw's are: each is decided by the Ledger against its in-memory
 * view of the log and answered at once; the events it produced are held in memory until they
 * reach the durable store in the background, in call order (write-behind.ts). `flush()` resolves once every earlier call is
 * durable; a crash loses exactly the calls whose appends had not completed. One process should
 * write a store through this API at a time: a second writer's appends make ours fail, and the
 * failure is reported by `flush()`.
 */
import { randomUUID } from "node:crypto"
import { Cause, Context, Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { EventStore, type EventStoreShape } from "../../application/event-store.ts"
import { Ids } from "../../application/ids.ts"
import { Ledger, type LedgerShape, makeLedger, type RecordResult } from "../../application/ledger.ts"
import { MissingSessionKey } from "../../application/ledger-errors.ts"
import { CurrentOpeningReplay, OpeningReplay } from "../../application/opening-replay.ts"
import { recordSourceEvent as recordSourceEventWith } from "../../application/record-source-event.ts"
import {
  layerWakeScheduler,
  type RequestHeartbeatOptions,
  WakeScheduler,
  type WakeSchedulerShape,
  wakeRestoreFold,
} from "../../application/wake-scheduler.ts"
import { compact } from "../../domain/compact.ts"
import type { ConfigureAgent } from "../../domain/gateway-config.ts"
import { normalizeQueueKey } from "../../domain/queue.ts"
import type { RoutingName } from "../../domain/routing.ts"
import type { SessionPolicy, SessionScope } from "../../domain/session-policy.ts"
import {
  type AcpRelay,
  acpRelayEmission,
  cliWatchdogEmission,
  type ExecExit,
  execExitEmission,
  execNoticeEmission,
  type NodeExecEvent,
  nodeEventEmission,
  type SourceEmission,
} from "../../domain/sources.ts"
import { layerEventStoreFromUrl } from "../stores/store-layer.ts"
import {
  type AcpSpawnParentRelayHandle,
  type AcpSpawnParentStreamRelayParams,
  startAcpSpawnRelay,
} from "./acp-spawn-relay.ts"
import { type DeliveryContextInput, storedDeliveryContext } from "./delivery-context.ts"
import { type HeartbeatWakeHandler, runsWereAskedFor, toHeartbeatWakeRequest } from "./heartbeat-wake.ts"
import { synchronousLedger } from "./synchronous-ledger.ts"
import { inspectedEventIds, type SystemEvent, toSystemEvent } from "./system-event-entry.ts"
import { makeWriteBehindStore, type WriteBehindStore } from "./write-behind.ts"

export const MISSING_SESSION_KEY = "system events require a sessionKey"

/** OpenClaw's `enqueueSystemEvent` options. */
export interface SystemEventOptions {
  readonly sessionKey: string
  readonly contextKey?: string | null | undefined
  readonly deliveryContext?: DeliveryContextInput | undefined
  /** Defaults to true; exec, ACP and node producers pass false. */
  readonly trusted?: boolean | undefined
}

/**
 * How a source routes its event (the fixed routing by default). The policy is the one captured
 * when the work started; OpenClaw passes it as `mainKey` + `sessionScope`.
 */
export interface SourceOptions {
  readonly policy?: SessionPolicy | undefined
  readonly mainKey?: string | undefined
  readonly sessionScope?: SessionScope | undefined
  readonly routing?: RoutingName | undefined
  /** Where the reply goes: normalized and kept on the queued entry, as `enqueueSystemEvent` does. */
  readonly deliveryContext?: DeliveryContextInput | undefined
}

export interface SystemEventsOptions {
  /** A store URL (`memory:`, `sqlite:<path>`, `postgres://…`) or an EventStore; `memory:` by default. */
  readonly store?: string | EventStoreShape | undefined
  /** The policy sources route with when a call names none; else the origin agent's recorded config. */
  readonly policy?: SessionPolicy | undefined
  readonly routing?: RoutingName | undefined
  /** Ids for new events (UUIDs); random by default. */
  readonly ids?: (() => string) | undefined
}

export interface SystemEvents {
  // ── the queue (OpenClaw src/infra/system-events.ts) ──
  /** Never remaps the key. False for a blank text or a repeat of the previous accepted text. */
  readonly enqueueSystemEvent: (text: string, options: SystemEventOptions) => boolean
  readonly peekSystemEvents: (sessionKey: string) => string[]
  readonly peekSystemEventEntries: (sessionKey: string) => SystemEvent[]
  readonly drainSystemEvents: (sessionKey: string) => string[]
  readonly drainSystemEventEntries: (sessionKey: string) => SystemEvent[]
  /**
   * Removes `inspected` only if it still heads the queue, in order; returns what it removed.
   * Entries match by OpenClaw's equality (text, ts, contextKey, trust, route).
   */
  readonly consumeSystemEventEntries: (
    sessionKey: string,
    inspected: ReadonlyArray<SystemEvent>,
  ) => SystemEvent[]
  /** Removes each of `inspected` wherever it is (the first equal entry); returns what it removed. */
  readonly consumeSelectedSystemEventEntries: (
    sessionKey: string,
    inspected: ReadonlyArray<SystemEvent>,
  ) => SystemEvent[]
  readonly hasSystemEvents: (sessionKey: string) => boolean
  readonly isSystemEventContextChanged: (sessionKey: string, contextKey?: string | null) => boolean
  /** Drains every queue (recorded as drains): OpenClaw's `resetSystemEventsForTest`. */
  readonly resetSystemEventsForTest: () => void

  // ── wakes (OpenClaw src/infra/heartbeat-wake.ts) ──
  readonly requestHeartbeat: (options: RequestHeartbeatOptions) => void
  /** OpenClaw's older reason-only call. */
  readonly requestHeartbeatNow: (options?: {
    readonly reason?: string | undefined
    readonly coalesceMs?: number | undefined
    readonly agentId?: string | undefined
    readonly sessionKey?: string | undefined
  }) => void
  /** Returns a disposer that clears this registration only. */
  readonly setHeartbeatWakeHandler: (handler: HeartbeatWakeHandler | null) => () => void
  readonly hasHeartbeatWakeHandler: () => boolean
  /** A wake is pending or its timer armed. */
  readonly hasPendingHeartbeatWake: () => boolean
  /** OpenClaw's switch, read by the heartbeat runner (the scheduler itself ignores it, as OpenClaw's does). */
  readonly setHeartbeatsEnabled: (enabled: boolean) => void
  readonly areHeartbeatsEnabled: () => boolean
  /** Forgets the handler, the timer and the pending wakes. */
  readonly resetHeartbeatWakeStateForTests: () => void

  // ── sources (routed, with their wake) ──
  /** A blank session key records nothing (null). */
  readonly emitExecSystemEvent: (
    text: string,
    options: {
      readonly sessionKey?: string | undefined
      readonly contextKey?: string | null | undefined
    } & SourceOptions,
  ) => RecordResult | null
  /** A backgrounded process exited; null when the exit is not worth a notice. */
  readonly notifyExecExit: (exit: ExecExit, options?: SourceOptions) => RecordResult | null
  /** One relay notice, as the relay emitted it (the component below decides when and which). */
  readonly relayAcpSpawnEvent: (relay: AcpRelay, options?: SourceOptions) => RecordResult | null
  /**
   * OpenClaw's relay as a component: buffers the child's output, flushes it on its timer, notices
   * a stall and a resumption, times out; hand it the child's agent events (`onAgentEvent`).
   */
  readonly startAcpSpawnParentStreamRelay: (
    params: AcpSpawnParentStreamRelayParams,
    options?: Pick<SourceOptions, "routing">,
  ) => AcpSpawnParentRelayHandle
  readonly notifyCliWatchdogStall: (
    stall: Parameters<typeof cliWatchdogEmission>[0],
    options?: SourceOptions,
  ) => RecordResult
  readonly handleNodeExecEvent: (event: NodeExecEvent, options?: SourceOptions) => RecordResult | null
  /** Any other source's emission (cron, hook, background task builders in domain/sources.ts). */
  readonly recordSourceEvent: (emission: SourceEmission, options?: SourceOptions) => RecordResult

  // ── configuration ──
  /** Records an agent's session policy and heartbeat settings (recording the same again is a no-op). */
  readonly configureAgent: (config: Omit<ConfigureAgent, "at">) => void
  /** The policy a source captures when its work starts for `origin`. */
  readonly snapshotSessionPolicy: (origin: string) => SessionPolicy

  // ── durability ──
  /** Resolves once every earlier call is durable; rejects with the append that failed. */
  readonly flush: () => Promise<void>
  /** Events decided but not yet durable. */
  readonly backlog: () => number
  /** Flushes, stops the wake timer and closes the store. */
  readonly close: () => Promise<void>

  // ── for embedders that want more ──
  readonly ledger: LedgerShape
  readonly scheduler: WakeSchedulerShape
  /** The durable store: it holds every call made before the last resolved `flush()`. */
  readonly store: EventStoreShape
  readonly storeDescription: string
}

const requireSessionKey = (sessionKey: string | undefined | null): string => {
  const key = normalizeQueueKey(sessionKey)
  if (key === undefined) throw new Error(MISSING_SESSION_KEY)
  return key
}

interface OpenedStore {
  readonly durable: EventStoreShape
  readonly release: () => Promise<void>
}

/** runSync met an asynchronous store: stop the replay it left running, then say what to do. */
const waitedOnTheStore = (error: unknown): boolean => {
  if (!Cause.isAsyncFiberError(error)) return false
  error.fiber.interruptUnsafe()
  return true
}

const opensLater = (description: string) =>
  new Error(
    `heartbeat-ledger: the store ${description} opens asynchronously; ` +
      "use `await openSystemEvents({ store })` (or `await openDefaultSystemEvents()`) before synchronous calls",
  )

/** A store URL's layer, run in its own runtime so that closing the instance releases it. */
const storeRuntime = (url: string) => ManagedRuntime.make(layerEventStoreFromUrl(url))

function openStoreSync(store: string | EventStoreShape): OpenedStore {
  if (typeof store !== "string") return { durable: store, release: async () => {} }
  const runtime = storeRuntime(store)
  const exit = runtime.runSyncExit(EventStore)
  if (exit._tag === "Success") return { durable: exit.value, release: () => runtime.dispose() }
  void runtime.dispose()
  throw waitedOnTheStore(Cause.squash(exit.cause)) ? opensLater(store) : Cause.squash(exit.cause)
}

async function openStore(store: string | EventStoreShape): Promise<OpenedStore> {
  if (typeof store !== "string") return { durable: store, release: async () => {} }
  const runtime = storeRuntime(store)
  try {
    return { durable: await runtime.runPromise(EventStore), release: () => runtime.dispose() }
  } catch (error) {
    await runtime.dispose()
    throw error
  }
}

/**
 * A new instance on `options.store` (`memory:` by default), for stores that read synchronously
 * (memory, SQLite, an EventStore object). Use `openSystemEvents` for any store.
 */
export function createSystemEvents(options: SystemEventsOptions = {}): SystemEvents {
  const opened = openStoreSync(options.store ?? "memory:")
  try {
    const parts = Effect.runSyncExit(assemble(opened, options))
    if (parts._tag === "Success") return parts.value
    const error = Cause.squash(parts.cause)
    throw waitedOnTheStore(error) ? opensLater(opened.durable.description) : error
  } catch (error) {
    void opened.release()
    throw error
  }
}

/** A new instance on any store: awaits the store opening and the replay of its log. */
export async function openSystemEvents(options: SystemEventsOptions = {}): Promise<SystemEvents> {
  const opened = await openStore(options.store ?? "memory:")
  try {
    return await Effect.runPromise(assemble(opened, options))
  } catch (error) {
    await opened.release()
    throw error
  }
}

/** Replays the log (ledger view, owed wakes) and wires the instance; synchronous for synchronous stores. */
const assemble = (opened: OpenedStore, options: SystemEventsOptions) =>
  Effect.gen(function* () {
    const writeBehind = yield* makeWriteBehindStore(opened.durable)
    const nextId = options.ids ?? randomUUID
    // One replay of the log for both: the ledger's catch-up folds the owed wakes beside its view.
    const opening = OpeningReplay.of(wakeRestoreFold)
    const decidingLedger = yield* makeLedger.pipe(
      Effect.provideService(EventStore, writeBehind.store),
      Effect.provideService(Ids, Ids.of({ next: Effect.sync(nextId) })),
      Effect.provideService(CurrentOpeningReplay, opening),
    )
    const ledger = synchronousLedger(decidingLedger, writeBehind.notify)
    // The scheduler's timers live in this scope: closing the instance closes it.
    const scope = yield* Scope.make()
    const built = yield* Layer.buildWithScope(
      layerWakeScheduler.pipe(
        Layer.provide(
          Layer.mergeAll(
            Layer.succeed(Ledger, ledger),
            Layer.succeed(EventStore, writeBehind.store),
            Layer.succeed(CurrentOpeningReplay, opening),
          ),
        ),
      ),
      scope,
    )
    const scheduler = Context.get(built, WakeScheduler)
    const stop = () => Effect.runPromise(Scope.close(scope, Exit.void))
    return wire(opened, options, writeBehind, ledger, scheduler, stop, scope)
  })

function wire(
  opened: OpenedStore,
  options: SystemEventsOptions,
  writeBehind: WriteBehindStore,
  ledger: LedgerShape,
  scheduler: WakeSchedulerShape,
  stop: () => Promise<void>,
  scope: Scope.Scope,
): SystemEvents {
  const run = <A, E>(effect: Effect.Effect<A, E>): A => Effect.runSync(effect)
  const defaultRouting = options.routing ?? "fixed"

  const policyOf = (source: SourceOptions | undefined): SessionPolicy | undefined => {
    if (source?.policy !== undefined) return source.policy
    if (source?.mainKey !== undefined || source?.sessionScope !== undefined)
      return compact({ mainKey: source.mainKey, scope: source.sessionScope })
    return options.policy
  }

  const recordAndSchedule = recordSourceEventWith(ledger, scheduler)
  const recordSourceEvent = (emission: SourceEmission, source?: SourceOptions): RecordResult =>
    run(
      recordAndSchedule(
        emission,
        compact({
          policy: policyOf(source),
          routing: source?.routing ?? defaultRouting,
          // The call's context, else the one the source gave (an exit's, a relay's): kept on the entry.
          deliveryContext: storedDeliveryContext(source?.deliveryContext ?? emission.deliveryContext),
        }),
      ),
    )
  const recordIfAny = (emission: SourceEmission | null, source?: SourceOptions) =>
    emission === null ? null : recordSourceEvent(emission, source)

  const peekSystemEventEntries = (sessionKey: string) =>
    run(ledger.peek(requireSessionKey(sessionKey))).map(toSystemEvent)
  const drainSystemEventEntries = (sessionKey: string) =>
    run(ledger.drain(requireSessionKey(sessionKey))).map(toSystemEvent)

  /** OpenClaw's entries to the ledger's ids, then one Consume command. */
  const consumeEntries = (
    sessionKey: string,
    inspected: ReadonlyArray<SystemEvent>,
    mode: "prefix" | "selected",
  ) => {
    const key = requireSessionKey(sessionKey)
    const ids = inspectedEventIds(run(ledger.peek(key)), inspected, mode)
    return ids === undefined ? [] : run(ledger.consume(key, ids, mode)).map(toSystemEvent)
  }

  const requestHeartbeat = (request: RequestHeartbeatOptions) => {
    run(scheduler.requestHeartbeat(request))
  }

  const flush = () => writeBehind.flush()

  // Which registration is current, for `hasHeartbeatWakeHandler` (the scheduler keeps its own).
  let registration: object | null = null
  let heartbeatsEnabled = true

  return {
    enqueueSystemEvent: (text, enqueue) => {
      const result = Effect.runSyncExit(
        ledger.enqueue(
          text,
          compact({
            sessionKey: enqueue?.sessionKey,
            contextKey: enqueue.contextKey ?? undefined,
            deliveryContext: storedDeliveryContext(enqueue.deliveryContext),
            trusted: enqueue.trusted,
          }),
        ),
      )
      if (result._tag === "Success") return result.value.accepted
      const error = Cause.squash(result.cause)
      // The attempt is recorded as rejected; the caller gets OpenClaw's plain Error.
      if (error instanceof MissingSessionKey) throw new Error(MISSING_SESSION_KEY)
      throw error
    },
    peekSystemEvents: (sessionKey) => peekSystemEventEntries(sessionKey).map((event) => event.text),
    peekSystemEventEntries,
    drainSystemEvents: (sessionKey) => drainSystemEventEntries(sessionKey).map((event) => event.text),
    drainSystemEventEntries,
    consumeSystemEventEntries: (sessionKey, inspected) => consumeEntries(sessionKey, inspected, "prefix"),
    consumeSelectedSystemEventEntries: (sessionKey, inspected) =>
      consumeEntries(sessionKey, inspected, "selected"),
    hasSystemEvents: (sessionKey) => run(ledger.peek(requireSessionKey(sessionKey))).length > 0,
    isSystemEventContextChanged: (sessionKey, contextKey) =>
      run(ledger.isContextChanged(requireSessionKey(sessionKey), contextKey)),
    resetSystemEventsForTest: () => {
      const view = run(ledger.view)
      for (const queueKey of [...view.queues.keys()]) run(ledger.drain(queueKey))
    },

    requestHeartbeat,
    requestHeartbeatNow: (request = {}) => requestHeartbeat(compact({ source: "other", ...request })),
    setHeartbeatWakeHandler: (handler) => {
      const dispose = run(
        scheduler.setHandler(
          handler === null
            ? null
            : (wake) =>
                Effect.tryPromise({
                  try: async () => {
                    const request = toHeartbeatWakeRequest(wake)
                    const result = await handler(request)
                    // Only a handler that read the runs was shown them (see runsWereAskedFor).
                    return runsWereAskedFor(request) ? result : { ...result, consumeShown: false }
                  },
                  catch: (error) => error,
                }),
        ),
      )
      const mine = handler === null ? null : {}
      registration = mine
      return () => {
        if (registration === mine) registration = null
        run(dispose)
      }
    },
    hasHeartbeatWakeHandler: () => registration !== null,
    hasPendingHeartbeatWake: () => run(scheduler.pending).length > 0 || run(scheduler.timer) !== undefined,
    setHeartbeatsEnabled: (enabled) => {
      heartbeatsEnabled = enabled
    },
    areHeartbeatsEnabled: () => heartbeatsEnabled,
    resetHeartbeatWakeStateForTests: () => {
      registration = null
      run(scheduler.reset)
    },

    emitExecSystemEvent: (text, notice) =>
      recordIfAny(
        execNoticeEmission({
          sessionKey: notice.sessionKey ?? "",
          text,
          contextKey: notice.contextKey ?? undefined,
        }),
        notice,
      ),
    notifyExecExit: (exit, source) => recordIfAny(execExitEmission(exit), source),
    relayAcpSpawnEvent: (relay, source) => recordIfAny(acpRelayEmission(relay), source),
    startAcpSpawnParentStreamRelay: (params, source) =>
      startAcpSpawnRelay(
        {
          record: (emission, mainKey, sessionScope) => {
            recordSourceEvent(emission, compact({ mainKey, sessionScope, routing: source?.routing }))
          },
          storedContext: storedDeliveryContext,
          scope,
        },
        params,
      ),
    notifyCliWatchdogStall: (stall, source) => recordSourceEvent(cliWatchdogEmission(stall), source),
    handleNodeExecEvent: (event, source) => {
      // The gateway's session config keys and routes the event: the event's own, else the call's.
      const given = policyOf(source)
      const policy = compact({ mainKey: event.mainKey ?? given?.mainKey, scope: event.scope ?? given?.scope })
      const emission = nodeEventEmission({ ...event, ...policy })
      const own = compact({ mainKey: event.mainKey, scope: event.scope })
      const routed = Object.keys(own).length === 0 ? source : { ...source, policy: { ...given, ...own } }
      const result = recordIfAny(emission, routed)
      // A repeated report of a run is dropped, as OpenClaw drops it: like a silent source.
      return result?.rejectedBecause === "repeated-run" ? null : result
    },
    recordSourceEvent,

    configureAgent: (config) => run(ledger.configureAgent(config)),
    snapshotSessionPolicy: (origin) => run(ledger.snapshotPolicy(origin)),

    flush,
    backlog: writeBehind.backlog,
    close: async () => {
      try {
        await flush()
      } finally {
        await stop()
        await opened.release()
      }
    },

    ledger,
    scheduler,
    store: opened.durable,
    storeDescription: opened.durable.description,
  }
}
