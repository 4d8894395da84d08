/**
 * The gateway configuration the ledger needs: per agent, its session policy, its
 * `heartbeat.session` and whether its heartbeat is enabled. Recorded as events so that an
 * audit judges every queue under the config of its time.
 */
import { Schema } from "effect"
import { type ConfigEvent, Millis } from "./events.ts"
import { resolveHeartbeatSession } from "./heartbeat.ts"
import { normalizeAgentId } from "./session-key.ts"
import { type SessionPolicy, type SessionScope, SessionScopeSchema } from "./session-policy.ts"

export interface AgentConfig {
  readonly agentId: string
  readonly mainKey?: string | undefined
  readonly scope?: SessionScope | undefined
  readonly heartbeatSession?: string | undefined
  readonly enabled: boolean
}

export interface GatewayConfig {
  readonly agents: ReadonlyMap<string, AgentConfig>
}

export const emptyGatewayConfig: GatewayConfig = { agents: new Map() }

/** What configuring an agent says (the ledger's ConfigureAgent command). */
export const ConfigureAgentFields = {
  agentId: Schema.String,
  mainKey: Schema.optional(Schema.String),
  scope: Schema.optional(SessionScopeSchema),
  heartbeatSession: Schema.optional(Schema.String),
  enabled: Schema.optional(Schema.Boolean),
  at: Millis,
}
export type ConfigureAgent = typeof ConfigureAgentSchema.Type
const ConfigureAgentSchema = Schema.Struct(ConfigureAgentFields)

const sameConfig = (a: AgentConfig | undefined, b: AgentConfig): boolean =>
  a !== undefined &&
  a.mainKey === b.mainKey &&
  a.scope === b.scope &&
  a.heartbeatSession === b.heartbeatSession &&
  a.enabled === b.enabled

/** Recording a config that is already in force changes nothing, so it records nothing. */
export function decideConfigureAgent(
  state: GatewayConfig,
  command: ConfigureAgent,
): ReadonlyArray<ConfigEvent> {
  const agentId = normalizeAgentId(command.agentId)
  const next: AgentConfig = {
    agentId,
    mainKey: command.mainKey,
    scope: command.scope,
    heartbeatSession: command.heartbeatSession,
    enabled: command.enabled ?? true,
  }
  if (sameConfig(state.agents.get(agentId), next)) return []
  return [
    {
      _tag: "AgentConfigured",
      agentId,
      enabled: next.enabled,
      at: command.at,
      ...(next.mainKey === undefined ? {} : { mainKey: next.mainKey }),
      ...(next.scope === undefined ? {} : { scope: next.scope }),
      ...(next.heartbeatSession === undefined ? {} : { heartbeatSession: next.heartbeatSession }),
    },
  ]
}

export function evolveGatewayConfig(state: GatewayConfig, event: ConfigEvent): GatewayConfig {
  const agents = new Map(state.agents)
  agents.set(event.agentId, {
    agentId: event.agentId,
    mainKey: event.mainKey,
    scope: event.scope,
    heartbeatSession: event.heartbeatSession,
    enabled: event.enabled,
  })
  return { agents }
}

/** The policy a source snapshots when work starts for this agent (defaults when unknown). */
export const sessionPolicyOf = (config: GatewayConfig, agentId: string): SessionPolicy => {
  const agent = config.agents.get(normalizeAgentId(agentId))
  return {
    ...(agent?.mainKey === undefined ? {} : { mainKey: agent.mainKey }),
    ...(agent?.scope === undefined ? {} : { scope: agent.scope }),
  }
}

export const enabledAgentIds = (config: GatewayConfig): string[] =>
  [...config.agents.values()].filter((agent) => agent.enabled).map((agent) => agent.agentId)

/** The queue an agent's scheduled heartbeat (no forced key) runs on. */
export const heartbeatQueueOf = (agent: AgentConfig, forcedSessionKey?: string): string =>
  resolveHeartbeatSession(
    { session: { mainKey: agent.mainKey, scope: agent.scope } },
    agent.agentId,
    { session: agent.heartbeatSession },
    forcedSessionKey,
  ).sessionKey

/** Queue key → the enabled agents whose scheduled heartbeat drains it. */
export function drainedQueues(config: GatewayConfig): Map<string, string[]> {
  const drained = new Map<string, string[]>()
  for (const agent of config.agents.values()) {
    if (!agent.enabled) continue
    const queueKey = heartbeatQueueOf(agent)
    drained.set(queueKey, [...(drained.get(queueKey) ?? []), agent.agentId])
  }
  return drained
}
