/**
 * OpenClaw's `startAcpSpawnParentStreamRelay` (src/agents/acp-spawn-parent-stream.ts at
 * 2026.5.12) on the drop-in: the relay is domain/acp-relay.ts's decider; this file gives it
 * time and a way out. Its timers are fibers sleeping on the Effect Clock in the instance's scope,
 * as the wake scheduler's are (so fake timers drive both, and closing the instance stops them);
 * one fiber sleeps until the earliest due timer, re-armed after every step. OpenClaw's relay
 * listens to its process-wide agent-event bus; ours has none, so the caller hands the child's
 * events to `onAgentEvent`.
 */
import { Clock, Effect, type Fiber, type Scope } from "effect"
import {
  type AcpAgentEvent,
  type AcpRelayInput,
  type AcpRelayNotice,
  type AcpRelayState,
  acpRelayInputOf,
  acpRelayNoticeEmission,
  nextAcpRelayDueAt,
  startAcpRelay,
  stepAcpRelay,
} from "../../domain/acp-relay.ts"
import type { DeliveryContext as StoredDeliveryContext } from "../../domain/events.ts"
import type { SourceEmission } from "../../domain/sources.ts"
import type { DeliveryContextInput } from "./delivery-context.ts"

/** OpenClaw's relay parameters (its `.d.ts`, without the stream log path we do not write). */
export interface AcpSpawnParentStreamRelayParams {
  readonly runId: string
  readonly parentSessionKey: string
  readonly childSessionKey: string
  readonly agentId: string
  /** The spawn-time `session.mainKey` and `session.scope`: the relay routes with them throughout. */
  readonly mainKey?: string | undefined
  readonly sessionScope?: "per-sender" | "global" | undefined
  readonly deliveryContext?: DeliveryContextInput | undefined
  readonly surfaceUpdates?: boolean | undefined
  readonly streamFlushMs?: number | undefined
  readonly noOutputNoticeMs?: number | undefined
  readonly noOutputPollMs?: number | undefined
  readonly maxRelayLifetimeMs?: number | undefined
  readonly emitStartNotice?: boolean | undefined
}

/** OpenClaw's `AcpSpawnParentRelayHandle`, plus the door for the child's events. */
export interface AcpSpawnParentRelayHandle {
  readonly dispose: () => void
  readonly notifyStarted: () => void
  readonly onAgentEvent: (event: AcpAgentEvent) => void
}

export interface AcpRelayWiring {
  /** Records one notice's emission, routed with the relay's spawn-time policy. */
  readonly record: (
    emission: SourceEmission,
    mainKey?: string,
    sessionScope?: "per-sender" | "global",
  ) => void
  readonly storedContext: (context: DeliveryContextInput | undefined) => StoredDeliveryContext | undefined
  /** The instance's scope: the timers die with it. */
  readonly scope: Scope.Scope
}

export function startAcpSpawnRelay(
  wiring: AcpRelayWiring,
  params: AcpSpawnParentStreamRelayParams,
): AcpSpawnParentRelayHandle {
  const now = () => Effect.runSync(Clock.currentTimeMillis)
  let timer: Fiber.Fiber<void> | undefined

  const emit = (state: AcpRelayState, notices: ReadonlyArray<AcpRelayNotice>) => {
    for (const notice of notices) {
      const emission = acpRelayNoticeEmission(state, notice)
      if (emission !== null) wiring.record(emission, params.mainKey, params.sessionScope)
    }
  }

  const started = startAcpRelay({
    ...params,
    scope: params.sessionScope,
    deliveryContext: wiring.storedContext(params.deliveryContext),
    at: now(),
  })
  let state = started.state

  const arm = () => {
    // Fire and forget: the old timer is only sleeping.
    timer?.interruptUnsafe()
    timer = undefined
    const due = nextAcpRelayDueAt(state)
    if (due === undefined) return
    const wait = Effect.gen(function* () {
      yield* Effect.sleep(Math.max(0, due - (yield* Clock.currentTimeMillis)))
      timer = undefined
      step({ _tag: "Advance", to: yield* Clock.currentTimeMillis })
    })
    timer = Effect.runSync(Effect.forkIn(wait, wiring.scope, { startImmediately: true }))
  }

  const step = (input: AcpRelayInput) => {
    const next = stepAcpRelay(state, input)
    state = next.state
    emit(state, next.notices)
    arm()
  }

  emit(state, started.notices)
  arm()
  return {
    dispose: () => step({ _tag: "Dispose", at: now() }),
    notifyStarted: () => step({ _tag: "NotifyStarted", at: now() }),
    onAgentEvent: (event) => {
      const input = acpRelayInputOf(event, now())
      if (input !== undefined) step(input)
    },
  }
}
