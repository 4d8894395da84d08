/**
 * A deterministic gateway day for the demo, played through the product's own parts: every
 * source call, queue call, config change and sweep goes through the Ledger, and every wake
 * through the wake scheduler (its coalescing, busy-skip retries and recorded outcomes) under a
 * virtual clock the plan moves forward. The seed and a fixed start time make it reproducible.
 */
import { Clock, Effect } from "effect"
import { TestClock } from "effect/testing"
import type { EventStore } from "../../../application/event-store.ts"
import { Ledger, type LedgerError } from "../../../application/ledger.ts"
import { recordSourceEvent } from "../../../application/record-source-event.ts"
import { makeWakeScheduler } from "../../../application/wake-scheduler.ts"
import type { SessionPolicy } from "../../../domain/session-policy.ts"
import type { AgentPlan } from "./agent-plans.ts"
import { busyHeartbeatRunner } from "./busy-heartbeat-runner.ts"
import { countedLedger, type RecordedWakeOutcomes } from "./counted-ledger.ts"
import type { DayAction } from "./day-actions.ts"
import { planDay } from "./day-plan.ts"
import { DEMO_DAY_LENGTH, DEMO_DAY_START, DEMO_RETENTION } from "./demo-day.ts"
import { makePrng } from "./prng.ts"
import { advanceTo, fireRemainingTimers } from "./virtual-clock.ts"

export interface DemoOptions {
  readonly agents: number
  /** Cron runs per agent over the day. */
  readonly runs: number
  readonly seed: number
  readonly onProgress?: ((elapsedMs: number, dayMs: number) => void) | undefined
}

export interface DemoSummary {
  readonly agents: ReadonlyArray<AgentPlan>
  readonly sourceCalls: number
  /** Source calls whose builder stayed silent (e.g. an empty successful exec): nothing recorded. */
  readonly silentCalls: number
  readonly rawCalls: number
  /** As the wake scheduler recorded them. */
  readonly heartbeatRuns: number
  readonly wakeSkips: number
  readonly sweeps: number
  readonly prunedSessions: number
  readonly configChanges: number
  readonly from: number
  readonly to: number
}

export const recordGatewayDay = (
  options: DemoOptions,
): Effect.Effect<DemoSummary, LedgerError, Ledger | EventStore> =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const prng = makePrng(options.seed)
    const plan = planDay(prng, options)
    const outcomes: RecordedWakeOutcomes = { heartbeatRuns: 0, wakeSkips: 0 }
    const counts = { sourceCalls: 0, rawCalls: 0, sweeps: 0, prunedSessions: 0, configChanges: 0 }
    const snapshots = new Map<string, SessionPolicy>()

    yield* TestClock.setTime(DEMO_DAY_START)
    const scheduler = yield* makeWakeScheduler.pipe(
      Effect.provideService(Ledger, Ledger.of(countedLedger(ledger, outcomes))),
    )
    yield* scheduler.setHandler(busyHeartbeatRunner(prng, plan.busyLanes, DEMO_DAY_START))

    const recordSource = recordSourceEvent(ledger, scheduler)
    const play = (action: DayAction, at: number) =>
      Effect.gen(function* () {
        switch (action.kind) {
          case "configure":
            if (at > DEMO_DAY_START) counts.configChanges++
            return yield* ledger.configureAgent({
              agentId: action.agentId,
              mainKey: action.mainKey,
              scope: action.scope,
              at,
            })
          case "start":
            // The source snapshots the session policy when its work starts.
            snapshots.set(action.workId, yield* ledger.snapshotPolicy(action.origin))
            return
          case "emit": {
            counts.sourceCalls++
            const policy = action.workId === undefined ? undefined : snapshots.get(action.workId)
            // The product's use case: the event and its wake recorded, then the wake scheduled.
            yield* recordSource(action.emission, { policy, at })
            return
          }
          case "raw":
            counts.rawCalls++
            yield* Effect.ignore(
              ledger.enqueue(
                action.text,
                { sessionKey: action.sessionKey, contextKey: action.contextKey },
                { at },
              ),
            )
            return
          case "interval":
            // OpenClaw's heartbeat runner asks for its interval run through the wake scheduler.
            yield* scheduler.requestHeartbeat({
              source: "interval",
              intent: "scheduled",
              reason: "interval",
              coalesceMs: 0,
            })
            return
          case "prune": {
            const swept = yield* ledger.prune({ retention: DEMO_RETENTION, at })
            if (swept.outcome === "swept") {
              counts.sweeps++
              counts.prunedSessions += swept.prunedSessions.length
            }
            return
          }
        }
      })

    for (const { at, action } of plan.actions) {
      yield* advanceTo(scheduler, DEMO_DAY_START + at)
      yield* play(action, DEMO_DAY_START + at)
      options.onProgress?.(Math.min(at, DEMO_DAY_LENGTH), DEMO_DAY_LENGTH)
    }
    // The wakes the last actions asked for, and the retries of busy skips, are still owed.
    yield* fireRemainingTimers(scheduler)
    return {
      agents: plan.agents,
      ...counts,
      ...outcomes,
      silentCalls: plan.silentCalls,
      from: DEMO_DAY_START,
      to: yield* Clock.currentTimeMillis,
    }
  }).pipe(Effect.scoped, Effect.provide(TestClock.layer()))
