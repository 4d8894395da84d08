/**
 * The wake scheduler: OpenClaw's heartbeat-wake behaviour (src/infra/heartbeat-wake.ts) as an
 * Effect service over domain/wake.ts. Requests coalesce per `agentId::sessionKey` behind one
 * timer; when it fires, every pending wake is handed in turn to the handler installed at that
 * moment (as in OpenClaw 2026.5.12, test/oracle/wake-scheduler.test.ts compares the two).
 * Handlers carry a generation so a stale disposer cannot remove a newer one. Every request,
 * run and skip is recorded through the Ledger, so a restarted scheduler restores the wakes
 * still owed from the log.
 */
import { Clock, Context, Effect, Exit, type Fiber, Layer } from "effect"
import { compact } from "../domain/compact.ts"
import type { WakeRequest } from "../domain/events.ts"
import { type HeartbeatPrompt, planHeartbeatRun } from "../domain/heartbeat.ts"
import { wakeRunsOf } from "../domain/ledger-decider.ts"
import type { QueuedSystemEvent } from "../domain/queue.ts"
import { DEFAULT_AGENT_ID } from "../domain/session-key.ts"
import {
  DEFAULT_COALESCE_MS,
  DEFAULT_RETRY_MS,
  decideTimer,
  decideWakeOutcome,
  emptyWakeRestoreState,
  evolveWakeRestore,
  type HeartbeatRunResult,
  type HeartbeatWakeOverride,
  normalizeWakeReason,
  normalizeWakeTarget,
  type PendingWake,
  pendingWakesAfterRestore,
  queuePendingWake,
  type RecordedSkipReason,
  requeueWake,
  toPendingWake,
  type WakeRequestInput,
  type WakeRestoreState,
  type WakeTimer,
  type WakeTimerKind,
} from "../domain/wake.ts"
import { foldLog, type LogFold } from "./decoded-log.ts"
import { EventStore } from "./event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "./event-store-errors.ts"
import { Ledger, type LedgerError } from "./ledger.ts"
import type { LedgerView } from "./ledger-view.ts"
import { CurrentOpeningReplay } from "./opening-replay.ts"

/** What one agent's heartbeat shows for a wake, decided when the handler is called. */
export interface HeartbeatRunPreview {
  readonly agentId: string
  readonly queueKey: string
  readonly prompt: HeartbeatPrompt
  /** Whether the run looks at its pending events (the wake's source and reason, cron tags). */
  readonly inspects: boolean
  readonly shown: ReadonlyArray<QueuedSystemEvent>
  /** `shown`, and what the run's agent turn drains as a reply turn (all but exec completions). */
  readonly consumed: ReadonlyArray<QueuedSystemEvent>
}

/** What a handler is called with: OpenClaw's wake options plus what each agent's run shows. */
export interface HeartbeatWake {
  readonly source: string
  readonly intent?: string | undefined
  readonly reason: string
  readonly agentId?: string | undefined
  readonly sessionKey?: string | undefined
  readonly heartbeat?: HeartbeatWakeOverride | undefined
  /** On a `ran` result the ledger records exactly these as shown and consumed. */
  readonly runs: ReadonlyArray<HeartbeatRunPreview>
}

/**
 * A run's result; `consumeShown: false` on a `ran` records the run without consuming what it
 * was shown (a runner that consumed, or kept, the events itself through the queue calls).
 */
export type WakeHandlerResult = HeartbeatRunResult & { readonly consumeShown?: boolean | undefined }

/** The gateway's heartbeat runner. A failure (or defect) counts as a thrown error: retried. */
export type WakeHandler = (wake: HeartbeatWake) => Effect.Effect<WakeHandlerResult, unknown>

export interface RequestHeartbeatOptions extends WakeRequestInput {
  /** The coalescing window in ms; 250 by default, 0 for exec events. */
  readonly coalesceMs?: number | undefined
}

export interface WakeSchedulerShape {
  /** Records the request and schedules it; returns the recorded wake id. */
  readonly requestHeartbeat: (options: RequestHeartbeatOptions) => Effect.Effect<string, LedgerError>
  /** Schedules a wake the ledger already recorded (the wake a source's event was recorded with). */
  readonly scheduleRecorded: (wake: WakeRequest, wakeId: string) => Effect.Effect<void>
  /** Installs (or clears, with null) the handler; the returned disposer clears only this one. */
  readonly setHandler: (handler: WakeHandler | null) => Effect.Effect<Effect.Effect<void>>
  /** The wakes waiting for the next timer, oldest request first. */
  readonly pending: Effect.Effect<ReadonlyArray<PendingWake>>
  /** The armed timer, if any. */
  readonly timer: Effect.Effect<WakeTimer | undefined>
  /** Forgets the handler, the timer and every pending wake (OpenClaw's reset for tests). */
  readonly reset: Effect.Effect<void>
  /**
   * Completes once no timer callback is handing wakes to a handler or recording what they came
   * to. A driver of a virtual clock (the demo) waits for it before moving time on, so that a
   * run recorded through an asynchronous store ends, and re-arms its timer, at the time it began.
   */
  readonly settled: Effect.Effect<void>
}

export class WakeScheduler extends Context.Service<WakeScheduler, WakeSchedulerShape>()(
  "heartbeat-ledger/application/WakeScheduler",
) {}

/** The wakes a log still owes, as a fold: requested, neither served by a run nor dropped by a skip. */
export const wakeRestoreFold: LogFold<WakeRestoreState> = {
  init: () => emptyWakeRestoreState,
  ledger: evolveWakeRestore,
}

/**
 * The wakes a log still owes. When the instance's ledger opened in the same pass
 * (opening-replay.ts), from where its catch-up left them; otherwise from the whole log.
 */
export const restoreWakes = (
  store: EventStore["Service"],
): Effect.Effect<ReadonlyArray<PendingWake>, StoreUnavailable | UndecodableEvent> =>
  Effect.gen(function* () {
    const opened = (yield* CurrentOpeningReplay)?.take(wakeRestoreFold)
    const { state } = yield* foldLog(
      store,
      wakeRestoreFold,
      { fromPosition: opened?.position, positions: "as-stored" },
      opened?.state,
    )
    return pendingWakesAfterRestore(state)
  })

/**
 * What each agent's run would show and consume now, for this wake (`planHeartbeatRun`), taken in
 * turn so that agents sharing a queue (global scope) do not both consume the same events.
 */
function previewRuns(view: LedgerView, wake: PendingWake): HeartbeatRunPreview[] {
  const taken = new Set<string>()
  return wakeRunsOf(view, wake).map(({ agentId, queueKey }) => {
    const plan = planHeartbeatRun(
      wake,
      view.queue(queueKey).events.filter((event) => !taken.has(event.eventId)),
    )
    for (const event of plan.consumed) taken.add(event.eventId)
    return { agentId, queueKey, ...plan }
  })
}

const toHeartbeatWake = (wake: PendingWake, runs: ReadonlyArray<HeartbeatRunPreview>): HeartbeatWake =>
  compact({
    source: wake.source,
    intent: wake.intent,
    reason: wake.reason,
    agentId: wake.agentId,
    sessionKey: wake.sessionKey,
    heartbeat: wake.heartbeat,
    runs,
  })

export const makeWakeScheduler = Effect.gen(function* () {
  const ledger = yield* Ledger
  const store = yield* EventStore
  const scope = yield* Effect.scope

  let pending = new Map<string, PendingWake>()
  for (const wake of yield* restoreWakes(store)) pending = queuePendingWake(pending, wake)
  let handler: WakeHandler | null = null
  let handlerGeneration = 0
  /** A batch is being handed to a handler (installing a handler clears it, as OpenClaw does). */
  let running = false
  /** A timer fired during a run: re-arm when the run ends. */
  let scheduled = false
  let timer: { readonly armed: WakeTimer; readonly fiber: Fiber.Fiber<void> } | undefined
  /** Timer callbacks past their sleep and not yet done, and who waits for none (`settled`). */
  let firing = 0
  let settledWaiters: Array<() => void> = []

  const queue = (wake: PendingWake) => {
    pending = queuePendingWake(pending, wake)
  }

  const schedule = (delayMs: number, kind: WakeTimerKind): Effect.Effect<void> =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const decision = decideTimer(timer?.armed, { now, delayMs, kind })
      if (decision._tag === "Keep") return
      // Fire and forget: the old timer is only sleeping, and callers may be synchronous.
      timer?.fiber.interruptUnsafe()
      // Started at once, so its sleep is registered now, in call order, as setTimeout's would be.
      const fiber = yield* Effect.forkIn(fire(decision.timer), scope, { startImmediately: true })
      timer = { armed: decision.timer, fiber }
    })

  /** A wake outcome's recording whose failure is logged, never fatal to the timer. */
  const logRecordingFailure = <A>(effect: Effect.Effect<A, LedgerError>) =>
    effect.pipe(
      Effect.asVoid,
      Effect.catch((error) => Effect.logWarning("heartbeat-ledger: could not record a wake outcome", error)),
    )

  const lastWakeId = (wake: PendingWake) => wake.wakeIds[wake.wakeIds.length - 1]

  const recordSkip = (
    wake: PendingWake,
    runs: ReadonlyArray<HeartbeatRunPreview>,
    reason: RecordedSkipReason,
    retryAt: number | undefined,
    at: number,
  ) => {
    const wakeId = lastWakeId(wake)
    if (wakeId === undefined) return Effect.void
    // One record per agent the wake would have run, so audits see whose heartbeat waited.
    const agents = runs.length > 0 ? runs.map((run) => run.agentId) : [wake.agentId ?? DEFAULT_AGENT_ID]
    return Effect.forEach(
      agents,
      (agentId) =>
        logRecordingFailure(
          ledger.recordWakeSkipped(
            compact({ wakeId, agentId, sessionKey: wake.sessionKey, reason, retryAt, at }),
          ),
        ),
      { discard: true },
    )
  }

  const recordRan = (wake: PendingWake, runs: ReadonlyArray<HeartbeatRunPreview>, at: number) =>
    logRecordingFailure(
      ledger.runHeartbeat(
        compact({
          agentId: wake.agentId,
          sessionKey: wake.sessionKey,
          source: wake.source,
          reason: wake.reason,
          at,
          inspected: runs.flatMap((run) => run.consumed.map((event) => event.eventId)),
          inspecting: runs.filter((run) => run.inspects).map((run) => run.queueKey),
        }),
      ),
    )

  /** The armed timer: its sleep, then its callback, counted while it runs for `settled`. */
  const fire = (armed: WakeTimer): Effect.Effect<void> =>
    Effect.sleep(armed.sleepMs).pipe(
      Effect.andThen(
        Effect.suspend(() => {
          firing += 1
          return runTimer(armed).pipe(Effect.ensuring(Effect.sync(fired)))
        }),
      ),
    )

  const fired = () => {
    firing -= 1
    if (firing > 0) return
    const waiters = settledWaiters
    settledWaiters = []
    for (const waiter of waiters) waiter()
  }

  /**
   * OpenClaw 2026.5.12's timer callback: the batch taken when it fires goes to the handler of
   * that moment, wake by wake, even if another is installed meanwhile; a busy skip is queued
   * again behind the retry cooldown; a thrown error queues the whole batch again.
   */
  const runTimer = (armed: WakeTimer): Effect.Effect<void> =>
    Effect.gen(function* () {
      timer = undefined
      scheduled = false
      const active = handler
      if (active === null) return
      if (running) {
        scheduled = true
        return yield* schedule(armed.delayMs, armed.kind)
      }
      const batch = [...pending.values()]
      pending = new Map()
      running = true

      const runBatch = Effect.gen(function* () {
        for (const wake of batch) {
          const view = yield* ledger.view
          const runs = previewRuns(view, wake)
          const at = yield* Clock.currentTimeMillis
          const exit = yield* Effect.exit(Effect.suspend(() => active(toHeartbeatWake(wake, runs))))
          const now = yield* Clock.currentTimeMillis
          const outcome = decideWakeOutcome(Exit.isSuccess(exit) ? exit.value : { status: "threw" }, now)
          const consumeShown = !Exit.isSuccess(exit) || exit.value.consumeShown !== false
          if (outcome._tag === "Ran") yield* recordRan(wake, consumeShown ? runs : [], at)
          if (outcome._tag === "Threw") {
            // As OpenClaw: the whole batch is queued again behind the retry cooldown.
            yield* recordSkip(wake, runs, "error", outcome.retryAt, now)
            for (const queued of batch) queue(requeueWake(queued, now))
            return yield* schedule(DEFAULT_RETRY_MS, "retry")
          }
          if (outcome._tag === "Skipped") {
            yield* recordSkip(wake, runs, outcome.reason, outcome.retryAt, now)
            if (outcome.retryAt !== undefined) {
              queue(requeueWake(wake, now))
              yield* schedule(DEFAULT_RETRY_MS, "retry")
            }
          }
        }
      })

      yield* runBatch.pipe(
        Effect.ensuring(
          Effect.suspend(() => {
            running = false
            return pending.size > 0 || scheduled ? schedule(armed.delayMs, "normal") : Effect.void
          }),
        ),
      )
    })

  const requestHeartbeat: WakeSchedulerShape["requestHeartbeat"] = (options) =>
    Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      const reason = normalizeWakeReason(options.reason)
      const wakeId = yield* ledger.requestWake(
        compact({
          agentId: normalizeWakeTarget(options.agentId),
          sessionKey: normalizeWakeTarget(options.sessionKey),
          source: options.source,
          reason,
          intent: options.intent,
          coalesceMs: options.coalesceMs,
          at,
        }),
      )
      queue(toPendingWake(options, at, [wakeId]))
      yield* schedule(options.coalesceMs ?? DEFAULT_COALESCE_MS, "normal")
      return wakeId
    })

  const scheduleRecorded: WakeSchedulerShape["scheduleRecorded"] = (wake, wakeId) =>
    Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      queue(toPendingWake(wake, at, [wakeId]))
      yield* schedule(wake.coalesceMs ?? DEFAULT_COALESCE_MS, "normal")
    })

  const setHandler: WakeSchedulerShape["setHandler"] = (next) =>
    Effect.gen(function* () {
      handlerGeneration += 1
      const generation = handlerGeneration
      handler = next
      if (next !== null) {
        // A new lifecycle: a stale retry cooldown must not delay it, nor a run of the old one block it.
        timer?.fiber.interruptUnsafe()
        timer = undefined
        running = false
        scheduled = false
      }
      if (handler !== null && pending.size > 0) yield* schedule(DEFAULT_COALESCE_MS, "normal")
      return Effect.sync(() => {
        if (handlerGeneration !== generation || handler !== next) return
        handlerGeneration += 1
        handler = null
      })
    })

  return WakeScheduler.of({
    requestHeartbeat,
    scheduleRecorded,
    setHandler,
    pending: Effect.sync(() => [...pending.values()].sort((a, b) => a.requestedAt - b.requestedAt)),
    timer: Effect.sync(() => timer?.armed),
    settled: Effect.callback<void>((resume) => {
      if (firing === 0) return resume(Effect.void)
      const waiter = () => resume(Effect.void)
      settledWaiters.push(waiter)
      return Effect.sync(() => {
        settledWaiters = settledWaiters.filter((other) => other !== waiter)
      })
    }),
    reset: Effect.sync(() => {
      timer?.fiber.interruptUnsafe()
      timer = undefined
      pending = new Map()
      scheduled = false
      running = false
      handlerGeneration += 1
      handler = null
    }),
  })
})

/** Needs a Ledger and the EventStore it writes to (read once, to restore the wakes still owed). */
export const layerWakeScheduler = Layer.effect(WakeScheduler, makeWakeScheduler)
