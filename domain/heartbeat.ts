/**
 * The heartbeat (domain.md §5): which queue an agent's heartbeat runs on, which agents a
 * wake runs, and what a run shows and consumes.
 */
import type { WakeTarget } from "./routing.ts"
import {
  buildAgentMainSessionKey,
  DEFAULT_AGENT_ID,
  GLOBAL_SESSION_KEY,
  isCronRunSessionKey,
  isSubagentSessionKey,
  normalizeAgentId,
  parseAgentSessionKey,
  resolveAgentIdFromSessionKey,
  scopeLegacySessionKeyToAgent,
  toAgentStoreSessionKey,
} from "./session-key.ts"
import type { SessionScope } from "./session-policy.ts"
import { isCronSystemEvent, isExecCompletionEvent } from "./system-event-text.ts"

export interface HeartbeatSessionConfig {
  readonly session?:
    | { readonly mainKey?: string | undefined; readonly scope?: SessionScope | undefined }
    | undefined
}

export interface HeartbeatSettings {
  /** `heartbeat.session`: a preferred session for scheduled heartbeats. */
  readonly session?: string | undefined
}

/**
 * OpenClaw's `resolveHeartbeatSession(cfg, agentId, heartbeat, forcedSessionKey)`, returning
 * the queue key the run peeks and consumes.
 *
 * One deliberate addition (docs/domain-choices.md): a forced cron-run key resolves to the
 * agent's main key, because the heartbeat never runs inside an ephemeral cron run; OpenClaw's
 * current runner does the same through its main-scoped event routing.
 */
export function resolveHeartbeatSession(
  cfg: HeartbeatSessionConfig,
  agentId?: string,
  heartbeat?: HeartbeatSettings,
  forcedSessionKey?: string,
): { readonly sessionKey: string } {
  const scope = cfg.session?.scope ?? "per-sender"
  if (scope === "global") return { sessionKey: GLOBAL_SESSION_KEY }
  const mainKey = cfg.session?.mainKey
  const resolvedAgentId = normalizeAgentId(agentId ?? DEFAULT_AGENT_ID)
  const main = { sessionKey: buildAgentMainSessionKey({ agentId: resolvedAgentId, mainKey }) }
  const belongsHere = (candidate: string) =>
    candidate.toLowerCase() !== GLOBAL_SESSION_KEY &&
    !isSubagentSessionKey(candidate) &&
    resolveAgentIdFromSessionKey(candidate) === resolvedAgentId

  const forced = forcedSessionKey?.trim()
  if (forced) {
    if (isSubagentSessionKey(forced)) return main
    // `global` is the unscoped queue, never this agent's session: do not scope it to `agent:<id>:global`.
    const candidate =
      forced.toLowerCase() === GLOBAL_SESSION_KEY
        ? undefined
        : scopeLegacySessionKeyToAgent({ agentId: resolvedAgentId, sessionKey: forced, mainKey })
    if (candidate !== undefined && belongsHere(candidate)) {
      return isCronRunSessionKey(candidate) ? main : { sessionKey: candidate }
    }
  }

  const preferred = heartbeat?.session?.trim() ?? ""
  const lowered = preferred.toLowerCase()
  if (!preferred || lowered === "main" || lowered === GLOBAL_SESSION_KEY || isSubagentSessionKey(preferred))
    return main
  const candidate = toAgentStoreSessionKey({ agentId: resolvedAgentId, requestKey: preferred, mainKey })
  return belongsHere(candidate) ? { sessionKey: candidate } : main
}

/** One agent's heartbeat run asked for by a wake. */
export interface HeartbeatRunTarget {
  readonly agentId: string
  readonly forcedSessionKey?: string | undefined
}

export const isTargetedWake = (wake: WakeTarget): boolean =>
  Boolean(wake.agentId?.trim() || wake.sessionKey?.trim())

/**
 * A targeted wake runs one agent (agentId wins; else the agent of sessionKey; else `main`),
 * forced to its sessionKey. An unscoped wake runs every enabled agent on its own queue.
 */
export function resolveWakeRuns(
  wake: WakeTarget,
  enabledAgentIds: ReadonlyArray<string>,
): HeartbeatRunTarget[] {
  if (!isTargetedWake(wake)) return enabledAgentIds.map((agentId) => ({ agentId }))
  const sessionKey = wake.sessionKey?.trim() || undefined
  const agentId = wake.agentId?.trim()
    ? normalizeAgentId(wake.agentId)
    : normalizeAgentId(parseAgentSessionKey(sessionKey)?.agentId ?? DEFAULT_AGENT_ID)
  return [{ agentId, forcedSessionKey: sessionKey }]
}

export type HeartbeatPrompt = "exec" | "cron" | "plain" | "empty"

export interface HeartbeatRunPlan<E> {
  readonly prompt: HeartbeatPrompt
  /** What the run shows the model; it consumes exactly this. */
  readonly shown: ReadonlyArray<E>
}

/**
 * Exec completions get a dedicated prompt and are consumed alone; otherwise cron events;
 * otherwise everything inspected (only heartbeat noise is left then).
 */
export function planHeartbeatRun<E extends { readonly text: string }>(
  inspected: ReadonlyArray<E>,
): HeartbeatRunPlan<E> {
  if (inspected.length === 0) return { prompt: "empty", shown: [] }
  const execs = inspected.filter((event) => isExecCompletionEvent(event.text))
  if (execs.length > 0) return { prompt: "exec", shown: execs }
  const crons = inspected.filter((event) => isCronSystemEvent(event.text))
  if (crons.length > 0) return { prompt: "cron", shown: crons }
  return { prompt: "plain", shown: inspected }
}
