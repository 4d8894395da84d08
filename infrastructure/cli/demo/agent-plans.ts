/**
 * The demo's agents: per-sender and global scope, some with a custom mainKey, two reconfigured
 * during the day; and where each one's non-cron work runs at a given moment.
 */
import { GLOBAL_SESSION_KEY } from "../../../domain/session-key.ts"
import type { SessionScope } from "../../../domain/session-policy.ts"
import { HOUR, MINUTE } from "./demo-day.ts"
import type { Prng } from "./prng.ts"
import { AGENT_NAMES, CRON_JOBS, type CronJob, JOBS_BY_AGENT } from "./texts.ts"

export interface ConfigChange {
  readonly at: number
  readonly mainKey?: string | undefined
  readonly scope?: SessionScope | undefined
}

export interface AgentPlan {
  readonly agentId: string
  readonly mainKey?: string | undefined
  readonly scope?: SessionScope | undefined
  readonly jobs: ReadonlyArray<CronJob>
  readonly changes: ReadonlyArray<ConfigChange>
}

const jobById = (id: string): CronJob => CRON_JOBS.find((job) => job.id === id) ?? CRON_JOBS[0]!

export function planAgents(prng: Prng, count: number): AgentPlan[] {
  return Array.from({ length: count }, (_, index): AgentPlan => {
    const agentId = AGENT_NAMES[index] ?? `agent-${index + 1}`
    const jobIds = JOBS_BY_AGENT[agentId] ?? [prng.pick(CRON_JOBS).id, prng.pick(CRON_JOBS).id]
    const jobs = [...new Set(jobIds)].map(jobById)
    switch (index) {
      case 0:
        return { agentId, jobs, changes: [] }
      case 1:
        // A custom mainKey, renamed at noon while a run is in flight.
        return { agentId, mainKey: "Work", jobs, changes: [{ at: 12 * HOUR, mainKey: "Desk" }] }
      case 2:
        return { agentId, scope: "global", jobs, changes: [] }
      case 3:
        return { agentId, mainKey: "desk", jobs, changes: [{ at: 15 * HOUR + 30 * MINUTE }] }
      default: {
        const roll = prng.next()
        if (roll < 0.2) return { agentId, scope: "global", jobs, changes: [] }
        if (roll < 0.55)
          return { agentId, mainKey: prng.pick(["inbox", "home", "Ops-Desk"]), jobs, changes: [] }
        return { agentId, jobs, changes: [] }
      }
    }
  })
}

/** The agent's config in force at `offset` (ms into the day) as the plan has it. */
const configAt = (plan: AgentPlan, offset: number): Omit<ConfigChange, "at"> => {
  let config: Omit<ConfigChange, "at"> = { mainKey: plan.mainKey, scope: plan.scope }
  for (const change of plan.changes) if (change.at <= offset) config = change
  return config
}

/** Where non-cron work of the agent runs: its main session, or `global` in global scope. */
export const mainOriginAt = (plan: AgentPlan, offset: number): string => {
  const config = configAt(plan, offset)
  if (config.scope === "global") return GLOBAL_SESSION_KEY
  return `agent:${plan.agentId}:${(config.mainKey ?? "main").trim().toLowerCase() || "main"}`
}
