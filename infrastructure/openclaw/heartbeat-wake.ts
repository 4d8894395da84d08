/**
 * OpenClaw's heartbeat-wake vocabulary (src/infra/heartbeat-wake.ts at 2026.5.12): its skip
 * reasons, intents, sources, and the exact wake object its handler receives. What each agent's
 * run would show is ours: it is kept off the wake object, in a WeakMap read by
 * `heartbeatRunsOf`, so that a handler comparing the wake with OpenClaw's sees the same keys.
 */
import type { HeartbeatRunPreview, HeartbeatWake } from "../../application/wake-scheduler.ts"
import type { HeartbeatRunResult } from "../../domain/wake.ts"
import { isRetryableBusySkip } from "../../domain/wake.ts"
import { type SystemEvent, toSystemEvent } from "./system-event-entry.ts"

export const HEARTBEAT_SKIP_REQUESTS_IN_FLIGHT = "requests-in-flight"
export const HEARTBEAT_SKIP_CRON_IN_PROGRESS = "cron-in-progress"
export const HEARTBEAT_SKIP_LANES_BUSY = "lanes-busy"

export type RetryableHeartbeatBusySkipReason =
  | typeof HEARTBEAT_SKIP_REQUESTS_IN_FLIGHT
  | typeof HEARTBEAT_SKIP_CRON_IN_PROGRESS
  | typeof HEARTBEAT_SKIP_LANES_BUSY

/** A busy skip: the wake is queued again and retried after 1000 ms. */
export const isRetryableHeartbeatBusySkipReason = (reason: string): boolean => isRetryableBusySkip(reason)

export type HeartbeatWakeIntent = "scheduled" | "event" | "immediate" | "manual"
export type HeartbeatWakeSource =
  | "interval"
  | "manual"
  | "exec-event"
  | "notifications-event"
  | "cron"
  | "hook"
  | "background-task"
  | "background-task-blocked"
  | "acp-spawn"
  | "cli-watchdog"
  | "restart-sentinel"
  | "retry"
  | "other"

/** Exactly what OpenClaw's handler is called with (its type, exactly). */
export interface HeartbeatWakeRequest {
  source: HeartbeatWakeSource
  intent: HeartbeatWakeIntent
  reason?: string
  agentId?: string
  sessionKey?: string
  heartbeat?: HeartbeatWakeOverride
}

/** OpenClaw's heartbeat runner; a plain (non-promise) result is accepted too. */
export type HeartbeatWakeHandler = (
  opts: HeartbeatWakeRequest,
) => Promise<HeartbeatRunResult> | HeartbeatRunResult

export type { HeartbeatRunResult }

/** OpenClaw's per-wake heartbeat override (its type, exactly). */
export interface HeartbeatWakeOverride {
  target?: string
  to?: string | undefined
  accountId?: string | undefined
}

/** What one agent's heartbeat shows for a wake, as OpenClaw entries. */
export type HeartbeatRunView = Omit<HeartbeatRunPreview, "shown" | "consumed"> & {
  readonly shown: SystemEvent[]
  readonly consumed: SystemEvent[]
}

const runsOfWake = new WeakMap<object, ReadonlyArray<HeartbeatRunView>>()
const runsAskedFor = new WeakSet<object>()

/**
 * What each agent's heartbeat shows and consumes for a wake the handler received (empty for a
 * wake built elsewhere), decided by OpenClaw's rule for the wake's source and reason. On a `ran`
 * result exactly these are recorded as shown and consumed.
 */
export const heartbeatRunsOf = (wake: HeartbeatWakeRequest): ReadonlyArray<HeartbeatRunView> => {
  runsAskedFor.add(wake)
  return runsOfWake.get(wake) ?? []
}

/**
 * Whether the handler asked what the runs show. One that did not is OpenClaw's own runner,
 * which consumes through the queue calls: its `ran` must not consume anything more.
 */
export const runsWereAskedFor = (wake: HeartbeatWakeRequest): boolean => runsAskedFor.has(wake)

/** OpenClaw's wake object: `source`, `intent`, `reason` always; targets and override when set. */
export function toHeartbeatWakeRequest(wake: HeartbeatWake): HeartbeatWakeRequest {
  const request: HeartbeatWakeRequest = {
    source: wake.source as HeartbeatWakeSource,
    intent: wake.intent as HeartbeatWakeIntent,
    reason: wake.reason,
    ...(wake.agentId ? { agentId: wake.agentId } : {}),
    ...(wake.sessionKey ? { sessionKey: wake.sessionKey } : {}),
    ...(wake.heartbeat ? { heartbeat: wake.heartbeat as HeartbeatWakeOverride } : {}),
  }
  runsOfWake.set(
    request,
    wake.runs.map((run) => {
      // One entry object per event, so that a shown entry is also the consumed one (`includes`).
      const entries = new Map(run.consumed.map((event) => [event, toSystemEvent(event)]))
      const entryOf = (event: (typeof run.shown)[number]) => entries.get(event) ?? toSystemEvent(event)
      return { ...run, shown: run.shown.map(entryOf), consumed: run.consumed.map(entryOf) }
    }),
  )
  return request
}
