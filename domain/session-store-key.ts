/**
 * The gateway's canonical session key (OpenClaw's `resolveSessionStoreKey`,
 * src/gateway/session-store-key.ts, with `canonicalizeMainSessionAlias`): the key a gateway
 * handler such as the node-event one files a session under before it routes an event. Agent
 * keys are lower-cased, main aliases (`main`, the configured main key, `agent:<id>:main`) become
 * the agent's main key (`global` in global scope), and other bare keys become keys of the
 * default agent (`node-n1` → `agent:main:node-n1`).
 *
 * Modelled for a gateway without an `agents.list` (the default agent is `main`): with a list
 * that lacks `main`, OpenClaw also remaps legacy `agent:main:*` main aliases to the default agent.
 */
import {
  buildAgentMainSessionKey,
  DEFAULT_AGENT_ID,
  normalizeAgentId,
  normalizeMainKey,
  parseAgentSessionKey,
} from "./session-key.ts"
import type { SessionScope } from "./session-policy.ts"

export interface SessionStorePolicy {
  readonly mainKey?: string | undefined
  readonly scope?: SessionScope | undefined
}

const isMainAlias = (key: string, agentId: string, policy: SessionStorePolicy): boolean => {
  const mainKey = normalizeMainKey(policy.mainKey)
  return [
    "main",
    mainKey,
    buildAgentMainSessionKey({ agentId, mainKey }),
    buildAgentMainSessionKey({ agentId, mainKey: "main" }),
    buildAgentMainSessionKey({ agentId: DEFAULT_AGENT_ID, mainKey }),
    buildAgentMainSessionKey({ agentId: DEFAULT_AGENT_ID, mainKey: "main" }),
  ].includes(key)
}

export function resolveSessionStoreKey(sessionKey: string, policy: SessionStorePolicy = {}): string {
  const raw = sessionKey.trim()
  if (!raw) return raw
  const lowered = raw.toLowerCase()
  if (lowered === "global" || lowered === "unknown") return lowered
  const parsed = parseAgentSessionKey(raw)
  if (parsed) {
    const agentId = normalizeAgentId(parsed.agentId)
    if (!isMainAlias(lowered, agentId, policy)) return lowered
    return policy.scope === "global"
      ? "global"
      : buildAgentMainSessionKey({ agentId, mainKey: normalizeMainKey(policy.mainKey) })
  }
  if (lowered === "main" || lowered === normalizeMainKey(policy.mainKey)) {
    return policy.scope === "global"
      ? "global"
      : buildAgentMainSessionKey({ agentId: DEFAULT_AGENT_ID, mainKey: policy.mainKey })
  }
  return lowered.startsWith("agent:") ? lowered : `agent:${DEFAULT_AGENT_ID}:${lowered}`
}
