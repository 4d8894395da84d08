/**
 * The demo's gateway day as a plan: every agent's config and changes, cron runs (one spanning
 * each config change), hooks, cron main-session jobs and tasks, the eviction burst while one
 * agent's lanes are busy, attempts the queue refuses, the heartbeat runner's interval timer and
 * the hourly retention sweeps. Planned up front from the seed; wakes are the scheduler's.
 */
import { GLOBAL_SESSION_KEY } from "../../../domain/session-key.ts"
import { cronEmission, hookEmission, taskEmission } from "../../../domain/sources.ts"
import { type AgentPlan, mainOriginAt, planAgents } from "./agent-plans.ts"
import type { BusyLanes } from "./busy-heartbeat-runner.ts"
import { planCronRun } from "./cron-run-plan.ts"
import { DayPlanner, type TimedAction } from "./day-actions.ts"
import { DEMO_DAY_LENGTH, HOUR, MINUTE, SECOND } from "./demo-day.ts"
import type { Prng } from "./prng.ts"
import { HOOK_TEXTS, TASK_TEXTS } from "./texts.ts"

export interface DayPlan {
  readonly agents: ReadonlyArray<AgentPlan>
  /** Every action by time (ms into the day). */
  readonly actions: ReadonlyArray<TimedAction>
  /** Source calls whose builder stayed silent (e.g. an empty successful exec): nothing recorded. */
  readonly silentCalls: number
  readonly busyLanes: BusyLanes
}

export function planDay(prng: Prng, options: { readonly agents: number; readonly runs: number }): DayPlan {
  const planner = new DayPlanner(prng)
  const plans = planAgents(prng, options.agents)
  for (const plan of plans) {
    planConfig(planner, plan)
    planCronRuns(planner, plan, options.runs)
    planMainSessionWork(planner, plan)
  }
  planEvictionBurst(planner, plans[1] ?? plans[0]!)
  planRefusedAttempts(planner, plans[0]!)
  planTimers(planner)
  return {
    agents: plans,
    actions: planner.actions(),
    silentCalls: planner.silent,
    busyLanes: planner.busyLanes,
  }
}

/** The agent's config at the start of the day and its changes, each with a run spanning it. */
function planConfig(planner: DayPlanner, plan: AgentPlan) {
  planner.add(0, { kind: "configure", agentId: plan.agentId, mainKey: plan.mainKey, scope: plan.scope })
  for (const change of plan.changes) {
    planner.add(change.at, {
      kind: "configure",
      agentId: plan.agentId,
      mainKey: change.mainKey,
      scope: change.scope,
    })
    // A run that starts before the change and ends after it: its events use the old policy.
    planCronRun(planner, plan, plan.jobs[0]!, change.at - 4 * MINUTE, 10 * MINUTE, false)
  }
}

/** `runs` cron runs spread over the day, one per slot, cycling through the agent's jobs. */
function planCronRuns(planner: DayPlanner, plan: AgentPlan, runs: number) {
  const { prng } = planner
  const slot = (22 * HOUR) / Math.max(1, runs)
  for (let run = 0; run < runs; run++) {
    const start = 30 * MINUTE + Math.round(run * slot + prng.next() * Math.min(slot / 2, 10 * MINUTE))
    planCronRun(planner, plan, plan.jobs[run % plan.jobs.length]!, start, prng.int(3, 25) * MINUTE, false)
  }
}

/** Non-cron work: webhooks, cron main-session jobs and background tasks. */
function planMainSessionWork(planner: DayPlanner, plan: AgentPlan) {
  const { prng } = planner
  for (let count = prng.int(2, 4); count > 0; count--) {
    const at = 7 * HOUR + prng.int(0, 15 * 60) * MINUTE
    const hook = prng.pick(HOOK_TEXTS)
    const main = mainOriginAt(plan, at)
    const origin =
      main !== GLOBAL_SESSION_KEY && prng.chance(0.5)
        ? `agent:${plan.agentId}:hook:${hook.name}:${prng.int(1, 99)}`
        : main
    planner.emit(at, undefined, hookEmission({ sessionKey: origin, name: hook.name, text: hook.text }))
  }
  for (const job of plan.jobs) {
    const at = 8 * HOUR + prng.int(0, 10 * 60) * MINUTE
    planner.emit(
      at,
      undefined,
      cronEmission({ sessionKey: mainOriginAt(plan, at), jobId: job.id, text: job.notice }),
    )
  }
  const taskAt = 10 * HOUR + prng.int(0, 8 * 60) * MINUTE
  planner.emit(
    taskAt,
    undefined,
    taskEmission({
      sessionKey: mainOriginAt(plan, taskAt),
      taskId: prng.hex(6),
      text: prng.pick(TASK_TEXTS),
    }),
  )
}

/** One agent's lanes are busy while a coding agent floods its queue: the queue evicts. */
function planEvictionBurst(planner: DayPlanner, plan: AgentPlan) {
  const burstAt = 13 * HOUR + 30 * MINUTE
  planner.busy(plan.agentId, burstAt, burstAt + 6500)
  planCronRun(planner, plan, plan.jobs[0]!, burstAt, 8 * MINUTE, true)
}

/**
 * Attempts the queue refuses: a blank text, a hook that lost its session key, a repeat. The
 * uptime monitor repeats its alert while the agent's lanes are busy: the first is still queued.
 */
function planRefusedAttempts(planner: DayPlanner, plan: AgentPlan) {
  const flapAt = 11 * HOUR + 2 * MINUTE
  planner.busy(plan.agentId, flapAt, flapAt + 45 * SECOND)
  const flapping = hookEmission({
    sessionKey: mainOriginAt(plan, 11 * HOUR),
    name: "uptime",
    text: "Uptime: status.example.com is DOWN (HTTP 503) for 2m from 3 regions",
  })
  planner.emit(flapAt, undefined, flapping)
  planner.emit(flapAt + 30 * SECOND, undefined, flapping)
  planner.emit(
    9 * HOUR + 15 * MINUTE,
    undefined,
    hookEmission({ sessionKey: mainOriginAt(plan, 9 * HOUR), name: "uptime", text: "   " }),
  )
  planner.emit(
    10 * HOUR + 40 * MINUTE,
    undefined,
    hookEmission({ sessionKey: "   ", name: "calendar", text: "Calendar: invite accepted" }),
  )
}

/** The heartbeat runner's interval (every 30 minutes, and once just before the day ends) and the hourly sweeps. */
function planTimers(planner: DayPlanner) {
  for (let at = 15 * MINUTE; at < DEMO_DAY_LENGTH; at += 30 * MINUTE) planner.add(at, { kind: "interval" })
  planner.add(DEMO_DAY_LENGTH - 30 * SECOND, { kind: "interval" })
  for (let at = 65 * MINUTE; at < DEMO_DAY_LENGTH; at += HOUR) planner.add(at, { kind: "prune" })
}
