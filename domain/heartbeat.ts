/**
 * The heartbeat (domain.md §5): which queue an agent's heartbeat runs on, which agents a
 * wake runs, and what a run shows and consumes.
 */
import type { HeartbeatPromptSchema } from "./events.ts"
import { selectReplyTurnEvents } from "./reply-turn-drain.ts"
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
 * agent's main key, because the heartbeat never runs inside an ephemeral cron run. OpenClaw's
 * own function returns it unchanged in 2026.5.7 and 2026.5.12 alike; 2026.5.12 instead stops
 * its built-in sources from forcing a run's key (docs/domain-choices.md says where).
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

export type HeartbeatPrompt = typeof HeartbeatPromptSchema.Type

/** What a run's event selection needs of its wake (the wake's intent plays no part in it). */
export interface HeartbeatRunWake {
  readonly source?: string | undefined
  readonly reason?: string | undefined
}

/**
 * OpenClaw's `inferHeartbeatWakeSourceFromReason` (src/infra/heartbeat-runner.ts): the source a
 * wake without one is read as, from its reason.
 */
export function inferHeartbeatWakeSourceFromReason(reason: string | undefined): string | undefined {
  const trimmed = (reason ?? "").trim()
  if (trimmed === "exec-event") return "exec-event"
  if (trimmed.startsWith("cron:")) return "cron"
  if (trimmed === "wake" || trimmed.startsWith("hook:")) return "hook"
  if (trimmed.startsWith("acp:spawn:")) return "acp-spawn"
  return undefined
}

export interface HeartbeatWakeFlags {
  readonly isExecEventWake: boolean
  readonly isCronWake: boolean
  /** A wake that carries a payload (a hook, an ACP spawn, `/hooks/wake`). */
  readonly isWakePayload: boolean
}

/** OpenClaw's `resolveHeartbeatWakePayloadFlags`: a given source wins over the reason's. */
export function resolveHeartbeatWakePayloadFlags(wake: HeartbeatRunWake): HeartbeatWakeFlags {
  const source = wake.source ?? inferHeartbeatWakeSourceFromReason(wake.reason)
  const reason = (wake.reason ?? "").trim()
  return {
    isExecEventWake: source === "exec-event",
    isCronWake: source === "cron",
    isWakePayload: source === "hook" || source === "acp-spawn" || reason === "wake",
  }
}

export interface HeartbeatRunEvent {
  readonly text: string
  readonly contextKey?: string | undefined
}

export interface HeartbeatRunPlan<E> {
  readonly prompt: HeartbeatPrompt
  /** Whether the run looks at the pending events at all (OpenClaw's `shouldInspectPendingEvents`). */
  readonly inspects: boolean
  /** What the runner selects for its prompt, and consumes after the reply. */
  readonly shown: ReadonlyArray<E>
  /**
   * Everything the run removes, in queue order: `shown`, and what the run's own agent turn
   * drains as a reply turn does (every event but exec completions, `selectReplyTurnEvents`).
   */
  readonly consumed: ReadonlyArray<E>
}

const isTaggedCron = (event: HeartbeatRunEvent): boolean => event.contextKey?.startsWith("cron:") === true

/**
 * OpenClaw 2026.5.12's heartbeat run (src/infra/heartbeat-runner.ts; 2026.5.7 is the same).
 *
 * The runner's selection (`resolveHeartbeatPreflight`, `resolveHeartbeatRunPrompt`,
 * `selectSystemEventsConsumedByHeartbeat`): a run inspects the pending events only for an
 * exec-event or cron wake, a wake payload, or when one of them is tagged `cron:`. An inspecting
 * run selects exec completions alone if there are any; else its cron events (texts that pass
 * `isCronSystemEvent` and are tagged `cron:`, or any such text on a cron wake); else everything
 * pending. A run that does not inspect (an interval heartbeat over untagged events) selects
 * nothing.
 *
 * The run's agent turn (`getReplyFromConfig` with `isHeartbeat`) is a reply turn: before the
 * model answers, `drainFormattedSystemEvents` consumes the session's events but exec
 * completions. So a heartbeat that does not inspect still consumes the untagged notices, and
 * leaves exec completions for a run that does (an exec-event wake, a tagged cron event).
 *
 * `inspects` forces the decision: the ledger records a run over exactly the events its preview
 * saw, whose own tags no longer tell why the run looked.
 *
 * Not modelled: `heartbeat.isolatedSession` (a wake payload then inspects only when the run's
 * session is the isolated one, and the turn drains the isolated session), HEARTBEAT.md tasks and
 * runs skipped before the agent turn (no delivery target with alerts off).
 */
export function planHeartbeatRun<E extends HeartbeatRunEvent>(
  wake: HeartbeatRunWake,
  pending: ReadonlyArray<E>,
  options: { readonly inspects?: boolean | undefined } = {},
): HeartbeatRunPlan<E> {
  const flags = resolveHeartbeatWakePayloadFlags(wake)
  const inspects =
    options.inspects ??
    (flags.isExecEventWake || flags.isCronWake || flags.isWakePayload || pending.some(isTaggedCron))
  const withTurn = (prompt: HeartbeatPrompt, shown: ReadonlyArray<E>): HeartbeatRunPlan<E> => {
    const drained = new Set(selectReplyTurnEvents(pending))
    const consumed = pending.filter((event) => drained.has(event) || shown.includes(event))
    return { prompt, inspects, shown, consumed }
  }
  if (!inspects || pending.length === 0) return withTurn("empty", [])
  const execs = pending.filter((event) => isExecCompletionEvent(event.text))
  if (execs.length > 0) return withTurn("exec", execs)
  const crons = pending.filter(
    (event) => (flags.isCronWake || isTaggedCron(event)) && isCronSystemEvent(event.text),
  )
  if (crons.length > 0) return withTurn("cron", crons)
  return withTurn("plain", pending)
}
