/**
 * A small simulated gateway embedding heartbeat-ledger's OpenClaw-compatible API
 * (`npm run example`; set HEARTBEAT_LEDGER_STORE=sqlite:<file> to keep the log).
 *
 * Two agents do background work — a build in a direct session, a nightly cron run whose
 * subagent runs a backup, an ACP coding child, a CLI back-end that stalls in a weekly cron run,
 * a command on a paired node — and a heartbeat handler prints what each agent sees. At the
 * end, every event's fate is read back from the log with the audit projection.
 *
 * An embedder imports from "heartbeat-ledger/openclaw"; this file uses the source tree.
 */
import { Effect, Stream } from "effect"
import { auditProjection, auditReport } from "../../application/projections/audit.ts"
import { catchUpProjection } from "../../application/projections/projection.ts"
import {
  createSystemEvents,
  cronEmission,
  type HeartbeatWakeRequest,
  heartbeatRunsOf,
} from "../../infrastructure/openclaw/index.ts"

const store = process.env.HEARTBEAT_LEDGER_STORE?.trim() || "memory:"
const gateway = createSystemEvents({ store })
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const say = (line: string) => process.stdout.write(`${line}\n`)

say(`heartbeat-ledger example gateway — store ${gateway.storeDescription}\n`)

// ── config: what sources snapshot when their work starts ─────────────────────────────────────
gateway.configureAgent({ agentId: "ops" })
gateway.configureAgent({ agentId: "research", mainKey: "lab" })

// ── the heartbeat: the gateway's runner, called with what each agent's run shows ─────────────
let inFlight = 0
let opsBusyOnce = true
gateway.setHeartbeatWakeHandler(async (wake: HeartbeatWakeRequest) => {
  inFlight++
  try {
    const target = wake.sessionKey ?? (wake.agentId ? `agent ${wake.agentId}` : "every agent")
    // What each agent's run shows is ours, beside OpenClaw's wake object.
    const runs = heartbeatRunsOf(wake)
    if (opsBusyOnce && runs.some((run) => run.agentId === "ops" && run.shown.length > 0)) {
      opsBusyOnce = false
      say(`  ⏸  heartbeat for ${target} skipped: lanes-busy (retried in 1 s)`)
      return { status: "skipped", reason: "lanes-busy" }
    }
    for (const run of runs) {
      say(`  ♥  ${run.agentId} heartbeat on ${run.queueKey} (${wake.reason}): ${run.prompt} prompt`)
      for (const event of run.shown) say(`       • ${event.text.replace(/\n/g, " ⏎ ")}`)
      // The run's agent turn drains the rest as a reply turn does (all but exec completions).
      for (const event of run.consumed.filter((event) => !run.shown.includes(event)))
        say(`       ◦ ${event.text.replace(/\n/g, " ⏎ ")} (drained by the run's turn)`)
    }
    return { status: "ran", durationMs: 1 }
  } finally {
    inFlight--
  }
})

// ── 1. a background exec in a direct session ────────────────────────────────────────────────
say("ops: a background build exits")
gateway.notifyExecExit({
  sessionKey: "agent:ops:main",
  processId: "build-5f2c9e01",
  exitCode: 0,
  output: "webpack 5.90 compiled successfully in 12.3 s",
})
await pause(300)

// ── 2. a nightly cron run whose subagent runs a backup ──────────────────────────────────────
const cronRun = "agent:ops:cron:nightly:run:r1"
const nightlyPolicy = gateway.snapshotSessionPolicy(cronRun) // captured when the run starts
say(`ops: cron run ${cronRun} starts a subagent; its backup exits`)
gateway.notifyExecExit(
  {
    sessionKey: `${cronRun}:subagent:worker`,
    processId: "backup-77aa01",
    exitCode: 1,
    output: "rsync: connection reset by peer",
  },
  { policy: nightlyPolicy },
)
gateway.recordSourceEvent(
  cronEmission({ sessionKey: "agent:ops:main", jobId: "nightly", text: "Nightly run finished." }),
)
say("ops: the same exit routed the pre-fix (legacy) way, for comparison")
gateway.notifyExecExit(
  {
    sessionKey: `${cronRun}:subagent:worker`,
    processId: "backup-legacy",
    exitCode: 1,
    output: "rsync failed",
  },
  { policy: nightlyPolicy, routing: "legacy" },
)
await pause(1600)

// ── 3. an ACP coding child relays its progress to the parent session ────────────────────────
say("research: an ACP child (codex) is spawned from agent:research:lab")
const relay = { parentSessionKey: "agent:research:lab", runId: "acp-9", label: "codex" } as const
gateway.relayAcpSpawnEvent({ ...relay, phase: "start" })
gateway.relayAcpSpawnEvent({ ...relay, phase: "progress", snippet: "wrote src/parser.ts, running tests" })
gateway.relayAcpSpawnEvent({ ...relay, phase: "done", seconds: 41 })
await pause(400)

// ── 4. a CLI back-end stalls inside a weekly cron run ───────────────────────────────────────
say("research: the claude CLI stalls in cron run agent:research:cron:weekly:run:w7")
gateway.notifyCliWatchdogStall({
  sessionKey: "agent:research:cron:weekly:run:w7",
  provider: "claude",
  seconds: 300,
})
await pause(400)

// ── 5. a paired node finishes a command (its default session: agent:main:node-<id>) ─────────
say("node mac-mini: a command fails")
gateway.handleNodeExecEvent({
  event: "exec.finished",
  nodeId: "mac-mini",
  runId: "n-17",
  exitCode: 2,
  output: "brew: command not found",
})
gateway.handleNodeExecEvent({
  event: "exec.finished",
  nodeId: "mac-mini",
  runId: "n-17",
  exitCode: 2,
  output: "brew: command not found",
})

// Quiet: no wake owed, no timer armed, no heartbeat in flight.
while (
  inFlight > 0 ||
  Effect.runSync(gateway.scheduler.pending).length > 0 ||
  Effect.runSync(gateway.scheduler.timer) !== undefined
)
  await pause(50)
await gateway.flush()

// ── every event's fate, from the log ────────────────────────────────────────────────────────
const records = await Effect.runPromise(Stream.runCollect(gateway.store.readAll()))
const audit = auditReport((await Effect.runPromise(catchUpProjection(auditProjection, gateway.store))).state)
const stranded = new Set(audit.stranded.map((event) => event.eventId))
const fates = new Map<string, { queueKey: string; text: string; fate: string }>()
for (const record of records) {
  const data = record.data as {
    eventId?: string
    eventIds?: string[]
    consumed?: string[]
    queueKey?: string
    text?: string
    reason?: string
  }
  const settle = (ids: ReadonlyArray<string> | undefined, fate: string) => {
    for (const id of ids ?? []) {
      const known = fates.get(id)
      if (known !== undefined) known.fate = fate
    }
  }
  switch (record.type) {
    case "SystemEventEnqueued":
      fates.set(data.eventId ?? "", { queueKey: data.queueKey ?? "", text: data.text ?? "", fate: "pending" })
      break
    case "SystemEventRejected":
      fates.set(data.eventId ?? "", {
        queueKey: data.queueKey ?? "",
        text: data.text ?? "",
        fate: `rejected (${data.reason})`,
      })
      break
    case "HeartbeatRan":
      settle(data.consumed, "consumed by a heartbeat")
      break
    case "SystemEventsConsumed":
    case "SystemEventsDrained":
      settle(data.eventIds, "consumed")
      break
    case "SystemEventEvicted":
      settle(data.eventId === undefined ? [] : [data.eventId], "evicted by the cap")
      break
  }
}
say("\nFate of every event")
for (const [eventId, { queueKey, text, fate }] of fates) {
  const label =
    fate === "pending" && stranded.has(eventId) ? "STRANDED (no heartbeat drains this queue)" : fate
  say(`  ${label.padEnd(42)} ${queueKey.padEnd(36)} ${text.replace(/\n/g, " ⏎ ").slice(0, 60)}`)
}
const t = audit.totals
say(
  `\nTotals: ${t.attempts} attempts, ${t.accepted} accepted, ${t.rejected} rejected, ${t.consumed} consumed, ` +
    `${t.pending} pending, ${t.stranded} stranded, ${t.evicted} evicted, ${t.pruned} pruned`,
)
await gateway.close()
