/**
 * A deterministic gateway day for the demo: several agents (per-sender and global scope, some
 * with a custom mainKey), cron jobs whose runs and descendants (subagents, threads) emit every
 * kind of system event, config changes while work is running, heartbeats driven by the wakes
 * the sources send (with busy skips and retries), and hourly retention sweeps. Everything is
 * recorded through the Ledger; the seed and a fixed start time make it reproducible.
 */
import { Effect } from "effect"
import { Ledger, type LedgerError } from "../../../application/ledger.ts"
import type { WakeTarget } from "../../../domain/routing.ts"
import { GLOBAL_SESSION_KEY, parseAgentSessionKey } from "../../../domain/session-key.ts"
import type { SessionPolicy, SessionScope } from "../../../domain/session-policy.ts"
import {
  acpRelayEmission,
  cliWatchdogEmission,
  cronEmission,
  execExitEmission,
  execNoticeEmission,
  hookEmission,
  nodeEventEmission,
  type SourceEmission,
  taskEmission,
} from "../../../domain/sources.ts"
import { makePrng, type Prng } from "./prng.ts"
import {
  ACP_ERRORS,
  ACP_LABELS,
  ACP_PROGRESS,
  AGENT_NAMES,
  CLI_HINTS,
  CLI_PROVIDERS,
  CRON_JOBS,
  type CronJob,
  EXEC_NOTICES,
  HOOK_TEXTS,
  JOBS_BY_AGENT,
  NODE_DENIALS,
  NODE_SCRIPTS,
  NODES,
  RAW_PLUGIN_NOTICES,
  TASK_TEXTS,
  THREAD_REPLIES,
} from "./texts.ts"
import { Timeline } from "./timeline.ts"

/** The demo day starts at a fixed instant so that two runs with one seed record the same log. */
export const DEMO_DAY_START = Date.UTC(2025, 5, 2, 0, 0, 0)
const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
export const DEMO_DAY_LENGTH = 24 * HOUR
/** `cron.sessionRetention` for the demo's sweeps. */
export const DEMO_RETENTION = "6h"
const RETRY_MS = 1000

export interface DemoOptions {
  readonly agents: number
  /** Cron runs per agent over the day. */
  readonly runs: number
  readonly seed: number
  readonly onProgress?: ((elapsedMs: number, dayMs: number) => void) | undefined
}

interface ConfigChange {
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

export interface DemoSummary {
  readonly agents: ReadonlyArray<AgentPlan>
  readonly sourceCalls: number
  /** Source calls whose builder stayed silent (e.g. an empty successful exec): nothing recorded. */
  readonly silentCalls: number
  readonly rawCalls: number
  readonly heartbeatRuns: number
  readonly wakeSkips: number
  readonly sweeps: number
  readonly prunedSessions: number
  readonly configChanges: number
  readonly from: number
  readonly to: number
}

type Action =
  | {
      readonly kind: "configure"
      readonly agentId: string
      readonly mainKey?: string | undefined
      readonly scope?: SessionScope | undefined
    }
  | { readonly kind: "start"; readonly workId: string; readonly origin: string }
  | { readonly kind: "emit"; readonly workId: string | undefined; readonly emission: SourceEmission }
  | { readonly kind: "raw"; readonly sessionKey: string; readonly text: string; readonly contextKey: string }
  | { readonly kind: "wake"; readonly key: string }
  | { readonly kind: "interval" }
  | { readonly kind: "prune" }

interface PendingWake {
  readonly target: WakeTarget
  /** The first wake's: the run's event selection depends on it (`planHeartbeatRun`). */
  readonly source: string
  readonly reason: string
  readonly wakeIds: string[]
}

// ── planning ──────────────────────────────────────────────────────────────────────────────

const jobById = (id: string): CronJob => CRON_JOBS.find((job) => job.id === id) ?? CRON_JOBS[0]!

function planAgents(prng: Prng, count: number): AgentPlan[] {
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
const mainOriginAt = (plan: AgentPlan, offset: number): string => {
  const config = configAt(plan, offset)
  if (config.scope === "global") return GLOBAL_SESSION_KEY
  return `agent:${plan.agentId}:${(config.mainKey ?? "main").trim().toLowerCase() || "main"}`
}

interface Planner {
  readonly prng: Prng
  readonly timeline: Timeline<Action>
  silent: number
}

const emitAt = (
  planner: Planner,
  at: number,
  workId: string | undefined,
  emission: SourceEmission | null,
) => {
  if (emission === null) planner.silent++
  else planner.timeline.add(at, { kind: "emit", workId, emission })
}

function planExecExit(planner: Planner, at: number, workId: string, origin: string, job: CronJob) {
  const { prng } = planner
  const script = prng.pick(job.execs)
  const roll = prng.next()
  const signalled = roll >= 0.94
  const failed = !signalled && roll >= 0.74
  emitAt(
    planner,
    at,
    workId,
    execExitEmission({
      sessionKey: origin,
      processId: prng.hex(16),
      exitCode: signalled ? null : failed ? script.failCode : 0,
      signal: signalled ? prng.pick(["SIGTERM", "SIGKILL"]) : null,
      output: signalled ? "" : failed ? script.fail : script.ok,
      manualCancel: signalled && prng.chance(0.5),
      notifyOnEmptySuccess: prng.chance(0.3),
    }),
  )
}

function planAcpRelay(
  planner: Planner,
  start: number,
  workId: string,
  parent: string,
  progressLines: number,
  spacingMs: number,
) {
  const { prng } = planner
  const runId = prng.hex(8)
  const label = prng.pick(ACP_LABELS)
  const relay = (at: number, phase: Parameters<typeof acpRelayEmission>[0]["phase"], extra = {}) =>
    emitAt(planner, at, workId, acpRelayEmission({ parentSessionKey: parent, runId, label, phase, ...extra }))
  let at = start
  const offset = prng.int(0, ACP_PROGRESS.length - 1)
  relay(at, "start")
  for (let line = 0; line < progressLines; line++) {
    at += spacingMs
    // Consecutive snippets differ, so none is refused as a duplicate of the previous one.
    const snippet = ACP_PROGRESS[(line * 3 + offset) % ACP_PROGRESS.length]
    relay(at, "progress", {
      snippet: progressLines > ACP_PROGRESS.length ? `[${line + 1}/${progressLines}] ${snippet}` : snippet,
    })
  }
  if (prng.chance(0.2)) {
    at += 3 * MINUTE
    relay(at, "stall", { seconds: 180 })
    at += 40 * SECOND
    relay(at, "resumed")
  }
  at += 30 * SECOND
  const roll = prng.next()
  if (roll < 0.8) relay(at, "done", { seconds: (at - start) / SECOND })
  else if (roll < 0.9) relay(at, "error", { snippet: prng.pick(ACP_ERRORS) })
  else relay(at, "timeout", { seconds: 900 })
}

function planNodeExec(planner: Planner, start: number, end: number, workId: string, origin: string) {
  const { prng } = planner
  const nodeId = prng.pick(NODES)
  const runId = prng.hex(6)
  const script = prng.pick(NODE_SCRIPTS)
  const base = { nodeId, sessionKey: origin, runId, command: script.command }
  if (prng.chance(0.12)) {
    emitAt(
      planner,
      start,
      workId,
      nodeEventEmission({ ...base, event: "exec.denied", reason: prng.pick(NODE_DENIALS) }),
    )
    return
  }
  emitAt(planner, start, workId, nodeEventEmission({ ...base, event: "exec.started" }))
  const roll = prng.next()
  emitAt(
    planner,
    end,
    workId,
    nodeEventEmission(
      roll < 0.6
        ? { ...base, event: "exec.finished", exitCode: 0, output: script.output }
        : roll < 0.75
          ? { ...base, event: "exec.finished", exitCode: 0, output: "" }
          : roll < 0.92
            ? { ...base, event: "exec.finished", exitCode: 1, output: script.failOutput }
            : { ...base, event: "exec.finished", timedOut: true, output: "" },
    ),
  )
}

/** One cron run: the run itself and, sometimes, a subagent and a thread under it. */
function planCronRun(
  planner: Planner,
  plan: AgentPlan,
  job: CronJob,
  start: number,
  durationMs: number,
  burst: boolean,
) {
  const { prng, timeline } = planner
  const runKey = `agent:${plan.agentId}:cron:${job.id}:run:${prng.hex(8)}`
  const end = start + durationMs
  const during = () => start + Math.round(durationMs * (0.15 + 0.8 * prng.next()))
  timeline.add(start, { kind: "start", workId: runKey, origin: runKey })

  if (burst) {
    // A chatty coding agent floods the run's queue while the agent's lanes are busy.
    planAcpRelay(planner, start + 150, runKey, runKey, 26, 150)
  }
  for (let count = prng.int(1, 2); count > 0; count--) planExecExit(planner, during(), runKey, runKey, job)
  // And one more as the run ends.
  planExecExit(planner, end, runKey, runKey, job)

  if (prng.chance(0.25)) {
    const at = during()
    const notice = execNoticeEmission({
      sessionKey: runKey,
      text: prng.pick(EXEC_NOTICES),
      contextKey: `exec:approval:${prng.hex(6)}`,
    })
    emitAt(planner, at, runKey, notice)
    // The same notice sent twice: the queue refuses the repeat as a duplicate.
    if (prng.chance(0.4)) emitAt(planner, at + 2 * SECOND, runKey, notice)
  }
  if (!burst && prng.chance(0.4)) {
    const parent = prng.chance(0.5)
      ? runKey
      : `${runKey}:subagent:${prng.pick(["worker", "reviewer", "fixer"])}`
    if (parent !== runKey)
      timeline.add(start + 30 * SECOND, { kind: "start", workId: parent, origin: parent })
    planAcpRelay(planner, start + MINUTE, parent, parent, prng.int(1, 4), 20 * SECOND)
  }
  if (prng.chance(0.35)) {
    const subagent = `${runKey}:subagent:${prng.pick(["worker", "reviewer", "fixer"])}`
    timeline.add(start + 2 * MINUTE, { kind: "start", workId: subagent, origin: subagent })
    for (let count = prng.int(1, 2); count > 0; count--)
      planExecExit(planner, during(), subagent, subagent, job)
  }
  if (prng.chance(0.2)) {
    const thread = `${runKey}:thread:${prng.pick(["reply", "followup"])}`
    timeline.add(start + MINUTE, { kind: "start", workId: thread, origin: thread })
    emitAt(
      planner,
      during(),
      thread,
      hookEmission({ sessionKey: thread, name: "slack", text: prng.pick(THREAD_REPLIES) }),
    )
  }
  if (prng.chance(0.08)) {
    emitAt(
      planner,
      during(),
      runKey,
      cliWatchdogEmission({
        sessionKey: runKey,
        provider: prng.pick(CLI_PROVIDERS),
        seconds: prng.pick([300, 600]),
        hint: prng.pick(CLI_HINTS),
      }),
    )
  }
  if (prng.chance(0.3)) planNodeExec(planner, start + 30 * SECOND, during(), runKey, runKey)
  // Plugins that call the low-level queue API directly are not remapped (as in OpenClaw): their
  // notices sit in the run's own queue until retention prunes the session.
  if (start < 9 * HOUR && prng.chance(0.3)) {
    timeline.add(during(), {
      kind: "raw",
      sessionKey: runKey,
      text: prng.pick(RAW_PLUGIN_NOTICES),
      contextKey: "plugin:usage-meter",
    })
  }
}

function planDay(prng: Prng, options: DemoOptions) {
  const planner: Planner = { prng, timeline: new Timeline<Action>(), silent: 0 }
  const { timeline } = planner
  const plans = planAgents(prng, options.agents)
  const busy = new Map<string, Array<readonly [number, number]>>()

  for (const plan of plans) {
    timeline.add(0, { kind: "configure", agentId: plan.agentId, mainKey: plan.mainKey, scope: plan.scope })
    for (const change of plan.changes) {
      timeline.add(change.at, {
        kind: "configure",
        agentId: plan.agentId,
        mainKey: change.mainKey,
        scope: change.scope,
      })
      // A run that starts before the change and ends after it: its events use the old policy.
      planCronRun(planner, plan, plan.jobs[0]!, change.at - 4 * MINUTE, 10 * MINUTE, false)
    }
    const slot = (22 * HOUR) / Math.max(1, options.runs)
    for (let run = 0; run < options.runs; run++) {
      const start = 30 * MINUTE + Math.round(run * slot + prng.next() * Math.min(slot / 2, 10 * MINUTE))
      planCronRun(planner, plan, plan.jobs[run % plan.jobs.length]!, start, prng.int(3, 25) * MINUTE, false)
    }
    // Non-cron work: webhooks, cron main-session jobs and background tasks.
    for (let count = prng.int(2, 4); count > 0; count--) {
      const at = 7 * HOUR + prng.int(0, 15 * 60) * MINUTE
      const hook = prng.pick(HOOK_TEXTS)
      const main = mainOriginAt(plan, at)
      const origin =
        main !== GLOBAL_SESSION_KEY && prng.chance(0.5)
          ? `agent:${plan.agentId}:hook:${hook.name}:${prng.int(1, 99)}`
          : main
      emitAt(planner, at, undefined, hookEmission({ sessionKey: origin, name: hook.name, text: hook.text }))
    }
    for (const job of plan.jobs) {
      const at = 8 * HOUR + prng.int(0, 10 * 60) * MINUTE
      emitAt(
        planner,
        at,
        undefined,
        cronEmission({ sessionKey: mainOriginAt(plan, at), jobId: job.id, text: job.notice }),
      )
    }
    const taskAt = 10 * HOUR + prng.int(0, 8 * 60) * MINUTE
    emitAt(
      planner,
      taskAt,
      undefined,
      taskEmission({
        sessionKey: mainOriginAt(plan, taskAt),
        taskId: prng.hex(6),
        text: prng.pick(TASK_TEXTS),
      }),
    )
  }

  // The eviction burst: one agent's lanes are busy while a coding agent floods its queue.
  const burstPlan = plans[1] ?? plans[0]!
  const burstAt = 13 * HOUR + 30 * MINUTE
  busy.set(burstPlan.agentId, [[burstAt, burstAt + 6500]])
  planCronRun(planner, burstPlan, burstPlan.jobs[0]!, burstAt, 8 * MINUTE, true)

  // Attempts the queue refuses: a blank text, a hook that lost its session key, a repeat.
  const first = plans[0]!
  const flapping = hookEmission({
    sessionKey: mainOriginAt(first, 11 * HOUR),
    name: "uptime",
    text: "Uptime: status.example.com is DOWN (HTTP 503) for 2m from 3 regions",
  })
  emitAt(planner, 11 * HOUR + 2 * MINUTE, undefined, flapping)
  emitAt(planner, 11 * HOUR + 2 * MINUTE + 30 * SECOND, undefined, flapping)
  emitAt(
    planner,
    9 * HOUR + 15 * MINUTE,
    undefined,
    hookEmission({ sessionKey: mainOriginAt(first, 9 * HOUR), name: "uptime", text: "   " }),
  )
  emitAt(
    planner,
    10 * HOUR + 40 * MINUTE,
    undefined,
    hookEmission({ sessionKey: "   ", name: "calendar", text: "Calendar: invite accepted" }),
  )

  for (let at = 15 * MINUTE; at < DEMO_DAY_LENGTH; at += 30 * MINUTE) timeline.add(at, { kind: "interval" })
  timeline.add(DEMO_DAY_LENGTH - 30 * SECOND, { kind: "interval" })
  for (let at = 65 * MINUTE; at < DEMO_DAY_LENGTH; at += HOUR) timeline.add(at, { kind: "prune" })
  return { plans, planner, busy }
}

// ── playing the day through the ledger ────────────────────────────────────────────────────

export const recordGatewayDay = (options: DemoOptions): Effect.Effect<DemoSummary, LedgerError, Ledger> =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const prng = makePrng(options.seed)
    const { plans, planner, busy } = planDay(prng, options)
    const { timeline } = planner
    const snapshots = new Map<string, SessionPolicy>()
    const pending = new Map<string, PendingWake>()
    const counts = {
      sourceCalls: 0,
      rawCalls: 0,
      heartbeatRuns: 0,
      wakeSkips: 0,
      sweeps: 0,
      prunedSessions: 0,
    }
    let configChanges = 0
    let last = 0

    const isBusy = (agentId: string, offset: number) =>
      (busy.get(agentId) ?? []).some(([from, to]) => offset >= from && offset < to)

    const schedule = (target: WakeTarget, source: string, reason: string, wakeId: string, due: number) => {
      const key = `${target.agentId ?? ""}::${target.sessionKey ?? ""}`
      const existing = pending.get(key)
      if (existing !== undefined) {
        existing.wakeIds.push(wakeId)
        return
      }
      pending.set(key, { target, source, reason, wakeIds: [wakeId] })
      timeline.add(due, { kind: "wake", key })
    }

    const run = (action: Action, offset: number) =>
      Effect.gen(function* () {
        const at = DEMO_DAY_START + offset
        switch (action.kind) {
          case "configure":
            if (offset > 0) configChanges++
            return yield* ledger.configureAgent({
              agentId: action.agentId,
              mainKey: action.mainKey,
              scope: action.scope,
              at,
            })
          case "start":
            // The source snapshots the session policy when its work starts.
            snapshots.set(action.workId, yield* ledger.snapshotPolicy(action.origin))
            return
          case "emit": {
            counts.sourceCalls++
            const policy = action.workId === undefined ? undefined : snapshots.get(action.workId)
            const result = yield* ledger.record(action.emission, { policy, at })
            if (result.wake !== undefined && result.wakeId !== undefined) {
              const target = { agentId: result.wake.agentId, sessionKey: result.wake.sessionKey }
              // The wake is picked up after its coalescing window and a lane's pick-up delay.
              schedule(
                target,
                result.wake.source,
                result.wake.reason,
                result.wakeId,
                offset + (result.wake.coalesceMs ?? 250) + prng.int(300, 2500),
              )
            }
            return
          }
          case "raw":
            counts.rawCalls++
            yield* Effect.ignore(
              ledger.enqueue(
                action.text,
                { sessionKey: action.sessionKey, contextKey: action.contextKey },
                { at },
              ),
            )
            return
          case "wake": {
            const wake = pending.get(action.key)
            if (wake === undefined) return
            pending.delete(action.key)
            const agentId = wake.target.agentId ?? parseAgentSessionKey(wake.target.sessionKey)?.agentId
            const busyNow = agentId !== undefined && isBusy(agentId, offset)
            if (agentId !== undefined && (busyNow || prng.chance(0.04))) {
              const reason = busyNow
                ? "lanes-busy"
                : prng.pick(["requests-in-flight", "cron-in-progress"] as const)
              for (const wakeId of wake.wakeIds) {
                counts.wakeSkips++
                yield* ledger.recordWakeSkipped({
                  wakeId,
                  agentId,
                  sessionKey: wake.target.sessionKey,
                  reason,
                  retryAt: at + RETRY_MS,
                  at,
                })
              }
              // Busy skips are retried after a second; wakes that came meanwhile join the retry.
              const again = pending.get(action.key)
              if (again !== undefined) again.wakeIds.push(...wake.wakeIds)
              else {
                pending.set(action.key, wake)
                timeline.add(offset + RETRY_MS, { kind: "wake", key: action.key })
              }
              return
            }
            const runs = yield* ledger.runHeartbeat({
              ...wake.target,
              source: wake.source,
              reason: wake.reason,
              at,
            })
            counts.heartbeatRuns += runs.length
            return
          }
          case "interval": {
            const runs = yield* ledger.runHeartbeat({ source: "interval", reason: "interval", at })
            counts.heartbeatRuns += runs.length
            return
          }
          case "prune": {
            const swept = yield* ledger.prune({ retention: DEMO_RETENTION, at })
            if (swept.outcome === "swept") {
              counts.sweeps++
              counts.prunedSessions += swept.prunedSessions.length
            }
            return
          }
        }
      })

    for (let next = timeline.take(); next !== undefined; next = timeline.take()) {
      yield* run(next.action, next.at)
      last = next.at
      options.onProgress?.(Math.min(next.at, DEMO_DAY_LENGTH), DEMO_DAY_LENGTH)
    }
    return {
      agents: plans,
      ...counts,
      silentCalls: planner.silent,
      configChanges,
      from: DEMO_DAY_START,
      to: DEMO_DAY_START + last,
    }
  })
