/**
 * Session keys (domain.md §2): parsing, classification and normalisation, under OpenClaw's
 * names and signatures so that gateway authors recognise them.
 */

export const DEFAULT_AGENT_ID = "main"
export const DEFAULT_MAIN_KEY = "main"
/** The literal queue drained by every agent's heartbeat in global scope. */
export const GLOBAL_SESSION_KEY = "global"

export type SessionKeyShape = "missing" | "agent" | "legacy_or_alias" | "malformed_agent"

export interface ParsedAgentSessionKey {
  readonly agentId: string
  readonly rest: string
}

const VALID_ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/i
const INVALID_CHARS_RE = /[^a-z0-9_-]+/g
const LEADING_DASH_RE = /^-+/
const TRAILING_DASH_RE = /-+$/
const CRON_RUN_RE = /^cron:[^:]+:run:[^:]+(?::|$)/
// Before OpenClaw PR #80214 only the run itself counted, not its descendants.
const LEGACY_CRON_RUN_RE = /^cron:[^:]+:run:[^:]+$/

const lower = (value: string | undefined | null): string => (value ?? "").trim().toLowerCase()

/** `agent:<agentId>:<rest>`: trimmed, lower-cased, empty parts dropped, at least three parts. */
export function parseAgentSessionKey(sessionKey: string | undefined | null): ParsedAgentSessionKey | null {
  const raw = lower(sessionKey)
  if (!raw) return null
  const parts = raw.split(":").filter(Boolean)
  if (parts.length < 3 || parts[0] !== "agent") return null
  const agentId = parts[1]?.trim() ?? ""
  const rest = parts.slice(2).join(":")
  if (!agentId || !rest) return null
  return { agentId, rest }
}

/** A cron run or any of its descendants (`…:run:r1:subagent:w`), by the fixed rule. */
export function isCronRunSessionKey(sessionKey: string | undefined | null): boolean {
  const parsed = parseAgentSessionKey(sessionKey)
  return parsed !== null && CRON_RUN_RE.test(parsed.rest)
}

/** The pre-fix rule: only the run itself (`…:cron:<job>:run:<id>`), descendants excluded. */
export function isLegacyCronRunSessionKey(sessionKey: string | undefined | null): boolean {
  const parsed = parseAgentSessionKey(sessionKey)
  return parsed !== null && LEGACY_CRON_RUN_RE.test(parsed.rest)
}

/** The rest is trimmed before the prefix test (`agent:x: cron:j` is a cron key), as in OpenClaw. */
const restStartsWith = (sessionKey: string, prefix: string): boolean =>
  lower(parseAgentSessionKey(sessionKey)?.rest).startsWith(prefix)

export function isCronSessionKey(sessionKey: string | undefined | null): boolean {
  return restStartsWith(lower(sessionKey), "cron:")
}

export function isSubagentSessionKey(sessionKey: string | undefined | null): boolean {
  const raw = lower(sessionKey)
  if (!raw) return false
  return raw.startsWith("subagent:") || restStartsWith(raw, "subagent:")
}

export function getSubagentDepth(sessionKey: string | undefined | null): number {
  const raw = lower(sessionKey)
  return raw ? raw.split(":subagent:").length - 1 : 0
}

export function isAcpSessionKey(sessionKey: string | undefined | null): boolean {
  const raw = lower(sessionKey)
  if (!raw) return false
  return raw.startsWith("acp:") || restStartsWith(raw, "acp:")
}

/** `global` and `unknown` (any case) name unscoped queues, not agent sessions. */
export function isUnscopedSessionKeySentinel(sessionKey: string | undefined | null): boolean {
  const lowered = lower(sessionKey)
  return lowered === "global" || lowered === "unknown"
}

export function classifySessionKeyShape(sessionKey: string | undefined | null): SessionKeyShape {
  const raw = (sessionKey ?? "").trim()
  if (!raw) return "missing"
  if (parseAgentSessionKey(raw)) return "agent"
  return raw.toLowerCase().startsWith("agent:") ? "malformed_agent" : "legacy_or_alias"
}

export function normalizeMainKey(value: string | undefined | null): string {
  const trimmed = (value ?? "").trim()
  return trimmed ? trimmed.toLowerCase() : DEFAULT_MAIN_KEY
}

export function normalizeAgentId(value: string | undefined | null): string {
  const trimmed = (value ?? "").trim()
  if (!trimmed) return DEFAULT_AGENT_ID
  if (VALID_ID_RE.test(trimmed)) return trimmed.toLowerCase()
  // Keep ids path-safe and shell-friendly: collapse anything else to "-".
  return (
    trimmed
      .toLowerCase()
      .replace(INVALID_CHARS_RE, "-")
      .replace(LEADING_DASH_RE, "")
      .replace(TRAILING_DASH_RE, "")
      .slice(0, 64) || DEFAULT_AGENT_ID
  )
}

export function isValidAgentId(value: string | undefined | null): boolean {
  const trimmed = (value ?? "").trim()
  return trimmed.length > 0 && VALID_ID_RE.test(trimmed)
}

export function buildAgentMainSessionKey(params: { agentId: string; mainKey?: string | undefined }): string {
  return `agent:${normalizeAgentId(params.agentId)}:${normalizeMainKey(params.mainKey)}`
}

/** The agent the key belongs to, or the default agent `main` when it is not an agent key. */
export function resolveAgentIdFromSessionKey(sessionKey: string | undefined | null): string {
  return normalizeAgentId(parseAgentSessionKey(sessionKey)?.agentId ?? DEFAULT_AGENT_ID)
}

/** A request key (`main`, `hook:x`, `agent:a:b`) as the agent-scoped key a session store uses. */
export function toAgentStoreSessionKey(params: {
  agentId: string
  requestKey: string | undefined | null
  mainKey?: string | undefined
}): string {
  const raw = (params.requestKey ?? "").trim()
  if (!raw || raw.toLowerCase() === DEFAULT_MAIN_KEY) {
    return buildAgentMainSessionKey({ agentId: params.agentId, mainKey: params.mainKey })
  }
  const parsed = parseAgentSessionKey(raw)
  if (parsed) return `agent:${parsed.agentId}:${parsed.rest}`
  const lowered = raw.toLowerCase()
  if (lowered.startsWith("agent:")) return lowered
  return `agent:${normalizeAgentId(params.agentId)}:${lowered}`
}

/** Adds the agent prefix to legacy keys (`main`, `Incident-42`); scoped keys are left as they are. */
export function scopeLegacySessionKeyToAgent(params: {
  agentId?: string | undefined
  sessionKey?: string | undefined
  mainKey?: string | undefined
}): string | undefined {
  const raw = (params.sessionKey ?? "").trim()
  if (!raw) return undefined
  const agentId = params.agentId?.trim()
  if (!agentId || classifySessionKeyShape(raw) !== "legacy_or_alias") return raw
  return toAgentStoreSessionKey({ agentId, requestKey: raw, mainKey: params.mainKey })
}
