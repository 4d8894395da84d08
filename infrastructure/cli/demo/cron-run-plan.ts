/**
 * One cron run of the demo day and the work under it: exec exits and notices, coding-agent
 * relays, node execs, subagents, threads, CLI watchdogs and raw plugin notices, each planned
 * at its moment with the work whose session policy it was started under.
 */
import {
  acpRelayEmission,
  cliWatchdogEmission,
  execExitEmission,
  execNoticeEmission,
  hookEmission,
  nodeEventEmission,
} from "../../../domain/sources.ts"
import type { AgentPlan } from "./agent-plans.ts"
import type { DayPlanner } from "./day-actions.ts"
import { HOUR, MINUTE, SECOND } from "./demo-day.ts"
import {
  ACP_ERRORS,
  ACP_LABELS,
  ACP_PROGRESS,
  CLI_HINTS,
  CLI_PROVIDERS,
  type CronJob,
  EXEC_NOTICES,
  NODE_DENIALS,
  NODE_SCRIPTS,
  NODES,
  RAW_PLUGIN_NOTICES,
  THREAD_REPLIES,
} from "./texts.ts"

function planExecExit(planner: DayPlanner, at: number, workId: string, origin: string, job: CronJob) {
  const { prng } = planner
  const script = prng.pick(job.execs)
  const roll = prng.next()
  const signalled = roll >= 0.94
  const failed = !signalled && roll >= 0.74
  planner.emit(
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
  planner: DayPlanner,
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
    planner.emit(at, workId, acpRelayEmission({ parentSessionKey: parent, runId, label, phase, ...extra }))
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

function planNodeExec(planner: DayPlanner, start: number, end: number, workId: string, origin: string) {
  const { prng } = planner
  const nodeId = prng.pick(NODES)
  const runId = prng.hex(6)
  const script = prng.pick(NODE_SCRIPTS)
  const base = { nodeId, sessionKey: origin, runId, command: script.command }
  if (prng.chance(0.12)) {
    planner.emit(
      start,
      workId,
      nodeEventEmission({ ...base, event: "exec.denied", reason: prng.pick(NODE_DENIALS) }),
    )
    return
  }
  planner.emit(start, workId, nodeEventEmission({ ...base, event: "exec.started" }))
  const roll = prng.next()
  planner.emit(
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
export function planCronRun(
  planner: DayPlanner,
  plan: AgentPlan,
  job: CronJob,
  start: number,
  durationMs: number,
  burst: boolean,
) {
  const { prng } = planner
  const runKey = `agent:${plan.agentId}:cron:${job.id}:run:${prng.hex(8)}`
  const end = start + durationMs
  const during = () => start + Math.round(durationMs * (0.15 + 0.8 * prng.next()))
  planner.add(start, { kind: "start", workId: runKey, origin: runKey })

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
    planner.emit(at, runKey, notice)
    // The same notice sent twice in one tick: the queue refuses the repeat as a duplicate (a
    // second later the exec wake's run would have consumed the first, and it would be accepted).
    if (prng.chance(0.4)) planner.emit(at, runKey, notice)
  }
  if (!burst && prng.chance(0.4)) {
    const parent = prng.chance(0.5)
      ? runKey
      : `${runKey}:subagent:${prng.pick(["worker", "reviewer", "fixer"])}`
    if (parent !== runKey) planner.add(start + 30 * SECOND, { kind: "start", workId: parent, origin: parent })
    planAcpRelay(planner, start + MINUTE, parent, parent, prng.int(1, 4), 20 * SECOND)
  }
  if (prng.chance(0.35)) {
    const subagent = `${runKey}:subagent:${prng.pick(["worker", "reviewer", "fixer"])}`
    planner.add(start + 2 * MINUTE, { kind: "start", workId: subagent, origin: subagent })
    for (let count = prng.int(1, 2); count > 0; count--)
      planExecExit(planner, during(), subagent, subagent, job)
  }
  if (prng.chance(0.2)) {
    const thread = `${runKey}:thread:${prng.pick(["reply", "followup"])}`
    planner.add(start + MINUTE, { kind: "start", workId: thread, origin: thread })
    planner.emit(
      during(),
      thread,
      hookEmission({ sessionKey: thread, name: "slack", text: prng.pick(THREAD_REPLIES) }),
    )
  }
  if (prng.chance(0.08)) {
    planner.emit(
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
    planner.add(during(), {
      kind: "raw",
      sessionKey: runKey,
      text: prng.pick(RAW_PLUGIN_NOTICES),
      contextKey: "plugin:usage-meter",
    })
  }
}
