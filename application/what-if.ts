/**
 * What if the recorded work had been routed differently? Replays every recorded source call —
 * each SystemEventEnqueued/Rejected carries its provenance (source, origin, policy snapshot)
 * and its text, contextKey, trust and time — together with the recorded config, heartbeat runs,
 * low-level consumes and retention sweeps, through a fresh ledger under another routing, then
 * audits that ledger's log. `legacy` answers "what would have been stranded before the fix?".
 *
 * Heartbeat runs are re-targeted (docs/audit.md, "The legacy what-if"): a run that answered a
 * wake sent with a cron-run event was forced to the queue the *fixed* wake named (the agent's
 * main key from the policy snapshot). Under the other routing that event's wake names another
 * target (legacy: the raw cron-run key), and the heartbeat resolves that target itself — to the
 * agent's main key under the config in force at the run. So the replayed run is forced to the
 * target the other routing's wake would have carried, not to the recorded one.
 */
import { Clock, Effect, Stream } from "effect"
import { compact } from "../domain/compact.ts"
import type { LedgerEvent, Provenance } from "../domain/events.ts"
import { resolveWakeRuns } from "../domain/heartbeat.ts"
import { type RoutingName, routingByName, type WakeTarget } from "../domain/routing.ts"
import type { SourceEmission } from "../domain/sources.ts"
import { EventStore } from "./event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "./event-store-errors.ts"
import { Ledger, type LedgerError } from "./ledger.ts"
import { type AuditReport, type AuditState, auditProjection, auditReport } from "./projections/audit.ts"
import { catchUpProjection } from "./projections/projection.ts"

export interface RerouteResult {
  readonly routing: RoutingName
  readonly state: AuditState
  readonly report: AuditReport
  /** Recorded source calls replayed (accepted or rejected). */
  readonly replayedCalls: number
  /** Recorded heartbeat runs replayed. */
  readonly replayedRuns: number
  /** Of those, runs forced to another target than the recorded one. */
  readonly retargetedRuns: number
}

export interface RerouteOptions {
  readonly routing: RoutingName
  /** Called after each recorded event is replayed, with the count so far (progress bars). */
  readonly onEvent?: ((replayed: number) => void) | undefined
}

/** Exec, ACP and node producers pass `trusted: false` (domain.md §4); rejections do not record it. */
const UNTRUSTED_SOURCES: ReadonlySet<string> = new Set([
  "exec-exit",
  "exec-notice",
  "acp-relay",
  "node-event",
])

const runKey = (target: WakeTarget): string | undefined => {
  const run = resolveWakeRuns(target, [])[0]
  return run === undefined ? undefined : `${run.agentId}::${run.forcedSessionKey ?? ""}`
}

/** The source call an enqueue attempt records, rebuilt from its provenance. */
function emissionOf(
  event: Extract<LedgerEvent, { _tag: "SystemEventEnqueued" | "SystemEventRejected" }>,
): SourceEmission {
  const { provenance } = event
  const wake = provenance.wake
  return {
    source: provenance.source,
    origin: provenance.origin,
    text: event.text,
    contextKey: event.contextKey,
    trusted: "trusted" in event ? event.trusted : !UNTRUSTED_SOURCES.has(provenance.source),
    // An unrouted attempt (blank origin) records no wake; it stays unrouted under any routing.
    wake: compact({
      source: wake?.source ?? provenance.source,
      reason: wake?.reason ?? provenance.source,
      intent: "event" as const,
      coalesceMs: wake?.coalesceMs,
    }),
    wakeOnlyIfAccepted: provenance.source === "node-event",
    // The run a node reported stays remembered in the re-routed ledger too.
    ...(provenance.finishedRunId === undefined ? {} : { finishedRunId: provenance.finishedRunId }),
  }
}

/** A clock stopped at `at`, for the ledger calls that read the time themselves (consume, drain). */
const stoppedAt = (at: number, clock: Clock.Clock): Clock.Clock => ({
  currentTimeMillisUnsafe: () => at,
  currentTimeMillis: Effect.succeed(at),
  currentTimeNanosUnsafe: () => BigInt(at) * 1_000_000n,
  currentTimeNanos: Effect.succeed(BigInt(at) * 1_000_000n),
  monotonicTimeNanosUnsafe: () => clock.monotonicTimeNanosUnsafe(),
  monotonicTimeNanos: clock.monotonicTimeNanos,
  sleep: (duration) => clock.sleep(duration),
})

const atTime =
  (at: number) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.clockWith((clock) => Effect.provideService(effect, Clock.Clock, stoppedAt(at, clock)))

/**
 * Re-routes recorded work under `routing` through the Ledger in context — which must be a
 * fresh one (on an empty store): the caller provides it, so this module stays free of
 * adapters — and audits the result.
 */
export function rerouteRecordedWork<E, R>(
  recorded: Stream.Stream<LedgerEvent, E, R>,
  options: RerouteOptions,
): Effect.Effect<
  RerouteResult,
  E | LedgerError | StoreUnavailable | UndecodableEvent,
  R | Ledger | EventStore
> {
  return Effect.gen(function* () {
    const ledger = yield* Ledger
    const store = yield* EventStore
    const routing = routingByName(options.routing)
    /** The last recorded attempt: its wake, if it sent one, follows it in the same append. */
    let lastAttempt: { readonly eventId: string; readonly provenance: Provenance } | undefined
    /** Recorded run target (`agentId::forcedKey`) → the target the other routing's wake names. */
    const retarget = new Map<string, WakeTarget>()
    let replayed = 0
    let replayedCalls = 0
    let replayedRuns = 0
    let retargetedRuns = 0

    const replay = (event: LedgerEvent): Effect.Effect<void, LedgerError> => {
      switch (event._tag) {
        case "AgentConfigured": {
          const { _tag, ...command } = event
          return ledger.configureAgent(command)
        }
        case "SystemEventEnqueued":
        case "SystemEventRejected": {
          replayedCalls++
          const { provenance } = event
          lastAttempt = { eventId: event.eventId, provenance }
          if (provenance.routing === "raw") {
            return ledger
              .enqueue(
                event.text,
                compact({
                  sessionKey: provenance.origin,
                  contextKey: event.contextKey,
                  trusted: "trusted" in event ? event.trusted : undefined,
                  deliveryContext: "deliveryContext" in event ? event.deliveryContext : undefined,
                }),
                { at: event.at, eventId: event.eventId },
              )
              .pipe(Effect.catchTag("MissingSessionKey", () => Effect.void))
          }
          return Effect.asVoid(
            ledger.record(emissionOf(event), {
              policy: provenance.policy,
              routing: routing.name,
              at: event.at,
              eventId: event.eventId,
            }),
          )
        }
        case "HeartbeatWakeRequested": {
          if (event.eventId === undefined || event.eventId !== lastAttempt?.eventId) return Effect.void
          const { provenance } = lastAttempt
          const recordedKey = runKey(compact({ agentId: event.agentId, sessionKey: event.sessionKey }))
          const { mainKey, scope } = provenance.policy
          const target = routing.wakeTarget(provenance.origin, mainKey, scope)
          if (recordedKey !== undefined && runKey(target) !== undefined && runKey(target) !== recordedKey) {
            retarget.set(recordedKey, target)
          }
          return Effect.void
        }
        case "HeartbeatRan": {
          replayedRuns++
          const key = `${event.agentId}::${event.forcedSessionKey ?? ""}`
          const target = retarget.get(key)
          if (target !== undefined) {
            retarget.delete(key)
            retargetedRuns++
          }
          // Always name the agent: an unscoped run was recorded once per agent, and is replayed so.
          const wake = target ?? compact({ agentId: event.agentId, sessionKey: event.forcedSessionKey })
          return Effect.asVoid(
            ledger.runHeartbeat(
              compact({ ...wake, source: event.source, reason: event.reason, at: event.at }),
            ),
          )
        }
        case "SessionsPruned":
          return Effect.asVoid(
            ledger.prune({
              retention: `${event.retentionMs}ms`,
              force: event.forced,
              routing: routing.name,
              at: event.at,
            }),
          )
        case "SystemEventsConsumed":
          return ledger
            .consume(event.queueKey, event.eventIds, "selected")
            .pipe(Effect.asVoid, atTime(event.at))
        case "SystemEventsDrained":
          return ledger.drain(event.queueKey).pipe(Effect.asVoid, atTime(event.at))
        // Derived from the calls above (evictions, prunes of queues) or not touching queues (wakes).
        case "SystemEventEvicted":
        case "QueuePruned":
        case "HeartbeatWakeSkipped":
        // The rest of a sweep replayed above, which decides its own parts.
        case "SessionsPrunedContinued":
          return Effect.void
      }
    }

    yield* recorded.pipe(
      Stream.runForEach((event) =>
        replay(event).pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              replayed++
              options.onEvent?.(replayed)
            }),
          ),
        ),
      ),
    )
    const { state } = yield* catchUpProjection(auditProjection, store)
    return {
      routing: routing.name,
      state,
      report: auditReport(state),
      replayedCalls,
      replayedRuns,
      retargetedRuns,
    }
  })
}

/** The legacy what-if: the same recorded work under the pre-fix routing, audited. */
export const whatIfLegacy = <E, R>(recorded: Stream.Stream<LedgerEvent, E, R>) =>
  Effect.map(rerouteRecordedWork(recorded, { routing: "legacy" }), (result) => result.report)
