/**
 * Routing (domain.md §3): which queue a system event is enqueued into and whom its wake
 * targets. `fixed` is OpenClaw after PR #80214; `legacy` is the pre-fix behaviour, kept as a
 * selectable policy so audits can compare the two and property tests can show it strands.
 */
import { Schema } from "effect"
import {
  buildAgentMainSessionKey,
  GLOBAL_SESSION_KEY,
  isCronRunSessionKey,
  isLegacyCronRunSessionKey,
  parseAgentSessionKey,
} from "./session-key.ts"
import type { SessionScope } from "./session-policy.ts"

export function resolveEventSessionKey(sessionKey: string, mainKey?: string, scope?: SessionScope): string {
  const parsed = parseAgentSessionKey(sessionKey)
  if (!parsed || !isCronRunSessionKey(sessionKey)) return sessionKey
  if (scope === "global") return GLOBAL_SESSION_KEY
  return buildAgentMainSessionKey({ agentId: parsed.agentId, mainKey })
}

export function scopedHeartbeatWakeOptions<T extends object>(
  sessionKey: string,
  wakeOptions: T,
  mainKey?: string,
  scope?: SessionScope,
): T | (T & { sessionKey: string }) | (T & { agentId: string }) {
  const parsed = parseAgentSessionKey(sessionKey)
  if (!parsed) return wakeOptions
  if (isCronRunSessionKey(sessionKey)) {
    // In global scope the agent's heartbeat resolves to `global` by itself: name only the agent.
    if (scope === "global") return { ...wakeOptions, agentId: parsed.agentId }
    return { ...wakeOptions, sessionKey: buildAgentMainSessionKey({ agentId: parsed.agentId, mainKey }) }
  }
  return { ...wakeOptions, sessionKey }
}

/** Whom a wake asks for; absent fields make an unscoped wake (every enabled agent). */
export interface WakeTarget {
  readonly agentId?: string | undefined
  readonly sessionKey?: string | undefined
}

export const RoutingNameSchema = Schema.Literals(["fixed", "legacy"])
export type RoutingName = typeof RoutingNameSchema.Type

export interface Routing {
  readonly name: RoutingName
  /** The queue key an event from `origin` is enqueued under. */
  readonly queueKey: (origin: string, mainKey?: string, scope?: SessionScope) => string
  /** The wake target sent with it. */
  readonly wakeTarget: (origin: string, mainKey?: string, scope?: SessionScope) => WakeTarget
  /** Which sessions count as cron runs (the retention reaper prunes these). */
  readonly isCronRun: (sessionKey: string) => boolean
}

export const fixedRouting: Routing = {
  name: "fixed",
  queueKey: resolveEventSessionKey,
  wakeTarget: (origin, mainKey, scope) => scopedHeartbeatWakeOptions(origin, {}, mainKey, scope),
  isCronRun: isCronRunSessionKey,
}

export const legacyRouting: Routing = {
  name: "legacy",
  queueKey: (origin) => origin,
  wakeTarget: (origin) => (parseAgentSessionKey(origin) ? { sessionKey: origin } : {}),
  isCronRun: isLegacyCronRunSessionKey,
}

export const routingByName = (name: RoutingName): Routing =>
  name === "legacy" ? legacyRouting : fixedRouting
