/**
 * Wake scheduling (domain.md §5, OpenClaw's src/infra/heartbeat-wake.ts) as pure rules: which
 * pending wake a new request keeps, whether the one timer is kept or preempted, what a run's
 * result asks for, and which wakes a log leaves pending after a restart. No clock: every
 * function takes the time it needs. docs/domain-choices.md ("Wake scheduling") says what was
 * chosen where OpenClaw's versions differ.
 */
import { compact } from "./compact.ts"
import { HeartbeatSkipReasonSchema, type LedgerEvent } from "./events.ts"
import {
  emptyGatewayConfig,
  enabledAgentIds,
  evolveGatewayConfig,
  type GatewayConfig,
} from "./gateway-config.ts"
import { isTargetedWake, resolveWakeRuns } from "./heartbeat.ts"

export const DEFAULT_COALESCE_MS = 250
/** The busy-skip and error retry delay; a retry timer is a hard cooldown. */
export const DEFAULT_RETRY_MS = 1_000
/** setTimeout's largest delay; a longer one fires after 1 ms, as Node does. */
export const MAX_TIMER_MS = 2_147_483_647

export const WAKE_PRIORITY = { retry: 0, interval: 1, default: 2, action: 3 } as const

/** OpenClaw's `HeartbeatWakeIntent`; other strings are accepted and rank as `event`. */
export type WakeIntent = "scheduled" | "event" | "immediate" | "manual"

/** OpenClaw's per-wake heartbeat override (delivery target); carried, never interpreted here. */
export interface HeartbeatWakeOverride {
  readonly target?: string | undefined
  readonly to?: string | undefined
  readonly accountId?: string | undefined
}

/** What a caller asks for (OpenClaw's `requestHeartbeat` options, minus the coalescing window). */
export interface WakeRequestInput {
  readonly source: string
  readonly intent?: string | undefined
  readonly reason?: string | undefined
  readonly agentId?: string | undefined
  readonly sessionKey?: string | undefined
  readonly heartbeat?: HeartbeatWakeOverride | undefined
}

export interface PendingWake {
  readonly source: string
  readonly intent?: string | undefined
  /** Normalized: trimmed, `requested` when blank. */
  readonly reason: string
  readonly priority: number
  /** When the request whose options this wake carries was made. */
  readonly requestedAt: number
  /** The newest request coalesced into this wake, kept or not: a run taken after it serves it. */
  readonly lastRequestedAt: number
  readonly agentId?: string | undefined
  readonly sessionKey?: string | undefined
  readonly heartbeat?: HeartbeatWakeOverride | undefined
  /** The recorded requests (`HeartbeatWakeRequested.wakeId`) coalesced into this wake. */
  readonly wakeIds: ReadonlyArray<string>
}

export const normalizeWakeReason = (reason: string | undefined | null): string => {
  const trimmed = typeof reason === "string" ? reason.trim() : ""
  return trimmed || "requested"
}

export const normalizeWakeTarget = (value: string | undefined | null): string | undefined => {
  const trimmed = typeof value === "string" ? value.trim() : ""
  return trimmed || undefined
}

/** Pending wakes are keyed `agentId::sessionKey` (trimmed, case kept; blank parts empty). */
export const wakeTargetKey = (target: {
  readonly agentId?: string | undefined
  readonly sessionKey?: string | undefined
}): string => `${normalizeWakeTarget(target.agentId) ?? ""}::${normalizeWakeTarget(target.sessionKey) ?? ""}`

/**
 * retry 0 < interval 1 < default 2 < manual/immediate 3: intent first, then source, then
 * reason, as OpenClaw 2026.5.12's `resolveWakePriority` (a reason alone never ranks 3).
 */
export function wakePriority(request: {
  readonly source?: string | undefined
  readonly intent?: string | undefined
  readonly reason?: string | undefined
}): number {
  const reason = normalizeWakeReason(request.reason)
  if (request.intent === "manual" || request.intent === "immediate") return WAKE_PRIORITY.action
  if (request.source === "retry" || reason === "retry") return WAKE_PRIORITY.retry
  if (request.intent === "scheduled" || request.source === "interval" || reason === "interval")
    return WAKE_PRIORITY.interval
  return WAKE_PRIORITY.default
}

/** OpenClaw 2026.5.12's `schedule`: a finite window, at least 0; anything else is the fallback. */
export function resolveCoalesceMs(value: number | undefined | null, fallback = DEFAULT_COALESCE_MS): number {
  if (typeof value !== "number" || !Number.isFinite(value)) return fallback
  return Math.max(0, value)
}

/**
 * How long a timer armed with `delayMs` really waits: Node's `setTimeout` turns a delay under
 * 1 ms or over 2^31-1 ms into 1 ms (OpenClaw hands its windows to `setTimeout` unchanged).
 */
export const timerSleepMs = (delayMs: number): number =>
  delayMs >= 1 && delayMs <= MAX_TIMER_MS ? delayMs : 1

export const toPendingWake = (
  request: WakeRequestInput,
  at: number,
  wakeIds: ReadonlyArray<string> = [],
): PendingWake => {
  const reason = normalizeWakeReason(request.reason)
  return compact({
    source: request.source,
    intent: request.intent,
    reason,
    priority: wakePriority({ source: request.source, intent: request.intent, reason }),
    requestedAt: at,
    lastRequestedAt: at,
    agentId: normalizeWakeTarget(request.agentId),
    sessionKey: normalizeWakeTarget(request.sessionKey),
    heartbeat: request.heartbeat,
    wakeIds,
  })
}

/**
 * Coalesces a request into the pending wakes of its target: a higher priority replaces, an
 * equal one replaces when not older, a lower one never downgrades. A kept heartbeat override
 * survives a replacement that brings none. Returns a new map.
 */
export function queuePendingWake(
  pending: ReadonlyMap<string, PendingWake>,
  next: PendingWake,
): Map<string, PendingWake> {
  const key = wakeTargetKey(next)
  const out = new Map(pending)
  const previous = pending.get(key)
  if (previous === undefined) {
    out.set(key, next)
    return out
  }
  const wakeIds = [...new Set([...previous.wakeIds, ...next.wakeIds])]
  const lastRequestedAt = Math.max(previous.lastRequestedAt, next.lastRequestedAt)
  const replaces =
    next.priority > previous.priority ||
    (next.priority === previous.priority && next.requestedAt >= previous.requestedAt)
  const kept = replaces
    ? compact({ ...next, heartbeat: next.heartbeat ?? previous.heartbeat })
    : { ...previous }
  out.set(key, { ...kept, wakeIds, lastRequestedAt })
  return out
}

// ── the one timer ───────────────────────────────────────────────────────────────────────────

export type WakeTimerKind = "normal" | "retry"

export interface WakeTimer {
  readonly dueAt: number
  readonly kind: WakeTimerKind
  /** The delay it was armed with; a run re-arms with it when more wakes are pending. */
  readonly delayMs: number
  /** How long it sleeps (`timerSleepMs`); `dueAt` is OpenClaw's bookkeeping, now + delayMs. */
  readonly sleepMs: number
}

export type TimerDecision =
  | { readonly _tag: "Keep" }
  | { readonly _tag: "Arm"; readonly timer: WakeTimer; readonly preempts: boolean }

/**
 * One timer: a retry timer is a hard cooldown nothing preempts; otherwise an armed timer that
 * fires no later is kept, and only a sooner due time preempts it.
 */
export function decideTimer(
  current: WakeTimer | undefined,
  request: { readonly now: number; readonly delayMs: number; readonly kind: WakeTimerKind },
): TimerDecision {
  const delayMs = resolveCoalesceMs(request.delayMs)
  const timer: WakeTimer = {
    dueAt: request.now + delayMs,
    kind: request.kind,
    delayMs,
    sleepMs: timerSleepMs(delayMs),
  }
  if (current === undefined) return { _tag: "Arm", timer, preempts: false }
  if (current.kind === "retry" || current.dueAt <= timer.dueAt) return { _tag: "Keep" }
  return { _tag: "Arm", timer, preempts: true }
}

// ── what a run's result asks for ───────────────────────────────────────────────────────────

/** OpenClaw's `HeartbeatRunResult`. */
export type HeartbeatRunResult =
  | { readonly status: "ran"; readonly durationMs: number }
  | { readonly status: "skipped"; readonly reason: string }
  | { readonly status: "failed"; readonly reason: string }

export const BUSY_SKIP_REASONS = HeartbeatSkipReasonSchema.pick([
  "requests-in-flight",
  "cron-in-progress",
  "lanes-busy",
]).literals
export type BusySkipReason = (typeof BUSY_SKIP_REASONS)[number]

export const isRetryableBusySkip = (reason: string): reason is BusySkipReason =>
  (BUSY_SKIP_REASONS as ReadonlyArray<string>).includes(reason)

/** The skip reasons the ledger records (`HeartbeatWakeSkipped.reason`). */
export type RecordedSkipReason = typeof HeartbeatSkipReasonSchema.Type

/** Any other skip reason a handler gives (quiet hours, alerts off, …) is recorded as `disabled`. */
export const recordedSkipReason = (reason: string): RecordedSkipReason =>
  isRetryableBusySkip(reason) || reason === "no-handler" || reason === "error" ? reason : "disabled"

export type WakeOutcome =
  | { readonly _tag: "Ran" }
  /** Recorded; retried at `retryAt` when busy, else dropped. */
  | { readonly _tag: "Skipped"; readonly reason: RecordedSkipReason; readonly retryAt?: number | undefined }
  /** The handler threw: the whole batch is queued again behind a retry cooldown. */
  | { readonly _tag: "Threw"; readonly retryAt: number }

/**
 * Busy skips are retried after the cooldown; other skips and `failed` results are not (the
 * runner has already reported them); a thrown error is retried.
 */
export function decideWakeOutcome(
  result: HeartbeatRunResult | { readonly status: "threw" },
  now: number,
): WakeOutcome {
  switch (result.status) {
    case "ran":
      return { _tag: "Ran" }
    case "threw":
      return { _tag: "Threw", retryAt: now + DEFAULT_RETRY_MS }
    case "failed":
      return { _tag: "Skipped", reason: "error" }
    case "skipped":
      return isRetryableBusySkip(result.reason)
        ? { _tag: "Skipped", reason: result.reason, retryAt: now + DEFAULT_RETRY_MS }
        : { _tag: "Skipped", reason: recordedSkipReason(result.reason) }
  }
}

/** A wake queued again for a retry: same options, asked for now. */
export const requeueWake = (wake: PendingWake, at: number): PendingWake => ({
  ...wake,
  requestedAt: at,
  lastRequestedAt: Math.max(wake.lastRequestedAt, at),
})

// ── pending wakes after a restart ──────────────────────────────────────────────────────────

interface RestoringWake {
  readonly wake: PendingWake
  /** Agents whose own heartbeat ran since an unscoped wake was asked for. */
  readonly ranAgents: ReadonlySet<string>
}

export interface WakeRestoreState {
  readonly config: GatewayConfig
  readonly pending: ReadonlyMap<string, RestoringWake>
  readonly keyOfWake: ReadonlyMap<string, string>
}

export const emptyWakeRestoreState: WakeRestoreState = {
  config: emptyGatewayConfig,
  pending: new Map(),
  keyOfWake: new Map(),
}

/** Does a run of `agentId` forced to `forcedSessionKey` serve this targeted wake? */
const servesTargeted = (
  wake: PendingWake,
  agentId: string,
  forcedSessionKey: string | undefined,
): boolean => {
  const [target] = resolveWakeRuns(wake, [])
  return target !== undefined && target.agentId === agentId && target.forcedSessionKey === forcedSessionKey
}

/**
 * Folds the log into the wakes still owed: a request makes its target pending (coalesced as
 * live); a skip without a retry ends it; a heartbeat run taken at or after the newest request
 * of a targeted wake serves it; an unscoped wake is served once every enabled agent has run.
 */
export function evolveWakeRestore(state: WakeRestoreState, event: LedgerEvent): WakeRestoreState {
  switch (event._tag) {
    case "AgentConfigured":
      return { ...state, config: evolveGatewayConfig(state.config, event) }
    case "HeartbeatWakeRequested": {
      const next = toPendingWake(event, event.at, [event.wakeId])
      const key = wakeTargetKey(next)
      const current = new Map([...state.pending].map(([k, entry]) => [k, entry.wake]))
      const merged = queuePendingWake(current, next).get(key) as PendingWake
      const pending = new Map(state.pending)
      // A new request owes a fresh run of every agent.
      pending.set(key, { wake: merged, ranAgents: new Set() })
      return { ...state, pending, keyOfWake: new Map(state.keyOfWake).set(event.wakeId, key) }
    }
    case "HeartbeatWakeSkipped": {
      const key = state.keyOfWake.get(event.wakeId)
      const entry = key === undefined ? undefined : state.pending.get(key)
      if (key === undefined || entry === undefined) return state
      const pending = new Map(state.pending)
      if (event.retryAt === undefined) pending.delete(key)
      else pending.set(key, { ...entry, wake: requeueWake(entry.wake, event.at) })
      return { ...state, pending }
    }
    case "HeartbeatRan": {
      let pending: Map<string, RestoringWake> | undefined
      for (const [key, entry] of state.pending) {
        if (entry.wake.lastRequestedAt > event.at) continue
        pending ??= new Map(state.pending)
        if (isTargetedWake(entry.wake)) {
          if (servesTargeted(entry.wake, event.agentId, event.forcedSessionKey)) pending.delete(key)
        } else if (event.forcedSessionKey === undefined) {
          const ranAgents = new Set([...entry.ranAgents, event.agentId])
          // Served once every agent enabled now has run; a later request starts afresh.
          if (enabledAgentIds(state.config).every((agentId) => ranAgents.has(agentId))) pending.delete(key)
          else pending.set(key, { ...entry, ranAgents })
        }
      }
      return pending === undefined ? state : { ...state, pending }
    }
    default:
      return state
  }
}

/** The wakes a restarted scheduler owes, oldest request first. */
export function pendingWakesAfterRestore(state: WakeRestoreState): PendingWake[] {
  const enabled = enabledAgentIds(state.config)
  return [...state.pending.values()]
    .filter((entry) => isTargetedWake(entry.wake) || enabled.some((agentId) => !entry.ranAgents.has(agentId)))
    .map((entry) => entry.wake)
    .sort((a, b) => a.requestedAt - b.requestedAt)
}

export function restorePendingWakes(events: Iterable<LedgerEvent>): PendingWake[] {
  let state = emptyWakeRestoreState
  for (const event of events) state = evolveWakeRestore(state, event)
  return pendingWakesAfterRestore(state)
}
