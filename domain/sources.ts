/**
 * The sources of system events (domain.md §6). Each builder turns what the source knows into
 * the emission OpenClaw would make — the exact text, contextKey, trust and wake — or `null`
 * when the source stays silent. Routing is applied later, from the policy snapshot.
 */
import { Schema } from "effect"
import { type DeliveryContext, DeliveryContextSchema } from "./events.ts"
import type { SessionScope } from "./session-policy.ts"
import { resolveSessionStoreKey } from "./session-store-key.ts"
import { SOURCE_KINDS, type SourceKind } from "./source-kind.ts"
import { sanitizeInboundSystemTags } from "./system-event-text.ts"

/** The wake a source sends with its event, before routing scopes it. */
export const WakeOptionsSchema = Schema.Struct({
  source: Schema.String,
  reason: Schema.String,
  intent: Schema.Literal("event"),
  coalesceMs: Schema.optional(Schema.Number),
})
export type WakeOptions = typeof WakeOptionsSchema.Type

export const SourceEmissionSchema = Schema.Struct({
  source: Schema.Literals(SOURCE_KINDS),
  /** The session the work ran under (the parent session for ACP relays). */
  origin: Schema.String,
  text: Schema.String,
  contextKey: Schema.optional(Schema.String),
  trusted: Schema.Boolean,
  /** Where a reply about the event should go (OpenClaw's `deliveryContext`), kept on the entry. */
  deliveryContext: Schema.optional(DeliveryContextSchema),
  wake: WakeOptionsSchema,
  /** Node events wake only when the event was accepted; the others always wake. */
  wakeOnlyIfAccepted: Schema.Boolean,
  /**
   * A node's `exec.finished` with a run id: the run it reports, for the repeated-run rule
   * (`isNodeExecFinishedRepeat`), which the ledger decides over what it recorded.
   */
  finishedRunId: Schema.optional(Schema.String),
})
export type SourceEmission = typeof SourceEmissionSchema.Type

const EXEC_WAKE: WakeOptions = { source: "exec-event", reason: "exec-event", intent: "event", coalesceMs: 0 }

/** Cuts to `max` characters, the last one an ellipsis, as OpenClaw's summaries do. */
export const truncateText = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`

/** The emission's delivery context, left out when there is none (callers compare whole objects). */
export const withDeliveryContext = (deliveryContext: DeliveryContext | undefined) =>
  deliveryContext === undefined ? {} : { deliveryContext }

const collapseWhitespace = (text: string): string => text.replace(/\s+/g, " ").trim()

// ── exec: background exit ──────────────────────────────────────────────────────────────────

/** Why the process ended, as OpenClaw's process supervisor reports it. */
export const EXEC_EXIT_REASONS = [
  "exit",
  "signal",
  "overall-timeout",
  "no-output-timeout",
  "manual-cancel",
  "spawn-error",
] as const
export type ExecExitReason = (typeof EXEC_EXIT_REASONS)[number]

export interface ExecExit {
  readonly sessionKey: string
  readonly processId: string
  readonly exitCode?: number | null | undefined
  readonly signal?: string | null | undefined
  /** Defaults to `manual-cancel` when `manualCancel`, else `signal` when signalled, else `exit`. */
  readonly exitReason?: ExecExitReason | undefined
  /** The tail of the process output. */
  readonly output?: string | undefined
  /** The user cancelled the process by hand (the same as `exitReason: "manual-cancel"`). */
  readonly manualCancel?: boolean | undefined
  /** Only a process sent to the background notifies on exit (default: it was). */
  readonly backgrounded?: boolean | undefined
  /** The exec tool's `notifyOnExit` (its default: on). */
  readonly notifyOnExit?: boolean | undefined
  readonly notifyOnEmptySuccess?: boolean | undefined
  readonly deliveryContext?: DeliveryContext | undefined
}

export const EXEC_OUTPUT_TAIL = 400
export const EXEC_OUTPUT_MAX = 180

/**
 * OpenClaw's outcome (bash-tools.exec-runtime): a run is `completed` when it exited by itself
 * with a code other than 126/127 (the shell's "not executable"/"not found") — a non-zero code
 * included; a signal, a timeout, a cancel or a spawn failure is `failed`.
 */
export function execExitStatus(exit: ExecExit): "completed" | "failed" {
  const reason = exit.exitReason ?? (exit.manualCancel ? "manual-cancel" : exit.signal ? "signal" : "exit")
  const exitCode = exit.exitCode ?? 0
  return reason === "exit" && exitCode !== 126 && exitCode !== 127 ? "completed" : "failed"
}

export function execExitEmission(exit: ExecExit): SourceEmission | null {
  if (exit.notifyOnExit === false || exit.backgrounded === false) return null
  const sessionKey = exit.sessionKey.trim()
  if (!sessionKey) return null
  const status = execExitStatus(exit)
  const manualCancel =
    (exit.exitReason ?? (exit.manualCancel ? "manual-cancel" : undefined)) === "manual-cancel"
  const label = exit.signal ? `signal ${exit.signal}` : `code ${exit.exitCode ?? 0}`
  const output = truncateText(
    collapseWhitespace((exit.output ?? "").slice(-EXEC_OUTPUT_TAIL)),
    EXEC_OUTPUT_MAX,
  )
  if (!output) {
    if (status === "failed" && manualCancel) return null
    if (status === "completed" && !exit.notifyOnEmptySuccess) return null
  }
  const head = `Exec ${status} (${exit.processId.slice(0, 8)}, ${label})`
  return {
    source: "exec-exit",
    origin: sessionKey,
    text: output ? `${head} :: ${output}` : head,
    trusted: false,
    ...withDeliveryContext(exit.deliveryContext),
    wake: EXEC_WAKE,
    wakeOnlyIfAccepted: false,
  }
}

// ── exec: notices (emitExecSystemEvent) ────────────────────────────────────────────────────

export function execNoticeEmission(notice: {
  readonly sessionKey: string
  readonly text: string
  readonly contextKey?: string | undefined
}): SourceEmission | null {
  if (!notice.sessionKey.trim()) return null
  return {
    source: "exec-notice",
    origin: notice.sessionKey,
    text: notice.text,
    contextKey: notice.contextKey,
    trusted: false,
    wake: EXEC_WAKE,
    wakeOnlyIfAccepted: false,
  }
}

// ── ACP spawn relay ────────────────────────────────────────────────────────────────────────
// The texts and contextKeys of the relay's notices; acp-relay.ts models the relay itself (its
// buffering, timers and lifetime). `acpRelayEmission` builds one notice from a given phase.

export const ACP_PHASES = ["start", "progress", "stall", "resumed", "done", "error", "timeout"] as const
export type AcpPhase = (typeof ACP_PHASES)[number]
export const ACP_SNIPPET_MAX = 220
const ACP_LABEL_MAX = 40

/** The child's agent id as every notice names it: whitespace collapsed, ≤ 40, else `ACP child`. */
export const acpRelayLabel = (agentId: string): string =>
  truncateText(collapseWhitespace(agentId), ACP_LABEL_MAX) || "ACP child"

/**
 * One notice's text. `snippet`: the buffered output (progress; whitespace collapsed, ≤ 220) or
 * the error message (error; as given). `seconds`: the stall threshold, the run time (done; none
 * → no duration) or the relay's lifetime (timeout). Null when a progress snippet is empty.
 */
export function acpRelayText(notice: {
  readonly label: string
  readonly phase: AcpPhase
  readonly childSessionKey?: string | undefined
  readonly snippet?: string | undefined
  readonly seconds?: number | undefined
}): string | null {
  const { label, seconds } = notice
  switch (notice.phase) {
    case "start":
      return `Started ${label} session ${notice.childSessionKey}. Streaming progress updates to parent session.`
    case "progress": {
      const snippet = truncateText(collapseWhitespace(notice.snippet ?? ""), ACP_SNIPPET_MAX)
      return snippet ? `${label}: ${snippet}` : null
    }
    case "stall":
      return `${label} has produced no output for ${seconds ?? 0}s. It may be waiting for interactive input.`
    case "resumed":
      return `${label} resumed output.`
    case "done":
      return seconds === undefined ? `${label} run completed.` : `${label} run completed in ${seconds}s.`
    case "error":
      return notice.snippet?.trim() ? `${label} run failed: ${notice.snippet.trim()}` : `${label} run failed.`
    case "timeout":
      return `${label} stream relay timed out after ${seconds ?? 0}s without completion.`
  }
}

export interface AcpRelay {
  /** The parent session that spawned the child agent: the relay's origin. */
  readonly parentSessionKey: string
  readonly runId: string
  /** The child's agent id (the notices' label). */
  readonly label: string
  readonly phase: AcpPhase
  /** The child's session (named by the start notice). */
  readonly childSessionKey?: string | undefined
  /** Output snippet (progress) or error message (error). */
  readonly snippet?: string | undefined
  /** Seconds without output (stall), run time (done; none: no duration) or the lifetime (timeout). */
  readonly seconds?: number | undefined
  /** With surface updates off the relay enqueues nothing. */
  readonly surfaceUpdates?: boolean | undefined
  readonly deliveryContext?: DeliveryContext | undefined
}

const ACP_WAKE: WakeOptions = { source: "acp-spawn", reason: "acp:spawn:stream", intent: "event" }

export function acpRelayEmission(relay: AcpRelay): SourceEmission | null {
  if (relay.surfaceUpdates === false) return null
  const seconds = relay.seconds === undefined ? undefined : Math.round(relay.seconds)
  const text = acpRelayText({
    label: acpRelayLabel(relay.label),
    phase: relay.phase,
    childSessionKey: relay.childSessionKey,
    snippet: relay.snippet,
    seconds:
      relay.phase === "done" || relay.phase === "timeout"
        ? seconds === undefined
          ? seconds
          : Math.max(1, seconds)
        : seconds,
  })
  if (text === null) return null
  return {
    source: "acp-relay",
    origin: relay.parentSessionKey,
    text,
    contextKey: `acp-spawn:${relay.runId}:${relay.phase}`,
    trusted: false,
    ...withDeliveryContext(relay.deliveryContext),
    wake: ACP_WAKE,
    wakeOnlyIfAccepted: false,
  }
}

// ── CLI watchdog stall ─────────────────────────────────────────────────────────────────────

/** The advice OpenClaw's CLI runner appends to every stall notice. */
export const CLI_WATCHDOG_HINT = "For Claude Code, prefer --permission-mode bypassPermissions --print."

export function cliWatchdogEmission(stall: {
  readonly sessionKey: string
  readonly provider: string
  /** The no-output timeout that fired. */
  readonly seconds: number
  /** Replaces OpenClaw's hint (`CLI_WATCHDOG_HINT`); blank: none. */
  readonly hint?: string | undefined
}): SourceEmission {
  const base =
    `CLI agent (${stall.provider}) produced no output for ${Math.round(stall.seconds)}s and was terminated. ` +
    "It may have been waiting for interactive input or an approval prompt."
  const hint = (stall.hint ?? CLI_WATCHDOG_HINT).trim()
  return {
    source: "cli-watchdog",
    origin: stall.sessionKey,
    text: hint ? `${base} ${hint}` : base,
    trusted: true,
    wake: { source: "cli-watchdog", reason: "cli:watchdog:stall", intent: "event" },
    wakeOnlyIfAccepted: false,
  }
}

// ── gateway node events ───────────────────────────────────────────────────────────────────

/** OpenClaw's cap on a node's exec output in the event text (`MAX_EXEC_EVENT_OUTPUT_CHARS`). */
export const NODE_OUTPUT_MAX = 180

export interface NodeExecEvent {
  readonly event: "exec.started" | "exec.finished" | "exec.denied"
  readonly nodeId: string
  /** Defaults to `node-<nodeId>`; filed under its gateway-canonical key (session-store-key.ts). */
  readonly sessionKey?: string | undefined
  readonly runId?: string | undefined
  readonly command?: string | undefined
  /** Anything but a finite number reads as unknown (`code ?`). */
  readonly exitCode?: number | null | undefined
  readonly timedOut?: boolean | undefined
  readonly output?: string | undefined
  readonly reason?: string | undefined
  /** The node asked for no notification (`suppressNotifyOnExit`). */
  readonly suppressNotifyOnExit?: boolean | undefined
  /** The gateway's `tools.exec.notifyOnExit` (default on) and session config, when it arrived. */
  readonly notifyOnExit?: boolean | undefined
  readonly mainKey?: string | undefined
  readonly scope?: SessionScope | undefined
}

/** Whitespace runs collapsed, cut to `max` as `max - 1` characters plus `…`. */
const compactOutput = (text: string, max: number): string => truncateText(collapseWhitespace(text), max)

const nodeText = (event: NodeExecEvent): string | null => {
  const runId = event.runId?.trim() ?? ""
  const who = `node=${event.nodeId}${runId ? ` id=${runId}` : ""}`
  const command = sanitizeInboundSystemTags(event.command?.trim() ?? "")
  const withCommand = (head: string) => (command ? `${head}: ${command}` : head)
  switch (event.event) {
    case "exec.started":
      return withCommand(`Exec started (${who})`)
    case "exec.denied": {
      const reason = sanitizeInboundSystemTags(event.reason?.trim() ?? "")
      return withCommand(`Exec denied (${who}${reason ? `, ${reason}` : ""})`)
    }
    case "exec.finished": {
      const exitCode =
        typeof event.exitCode === "number" && Number.isFinite(event.exitCode) ? event.exitCode : undefined
      const output = compactOutput(sanitizeInboundSystemTags(event.output?.trim() ?? ""), NODE_OUTPUT_MAX)
      if (!event.timedOut && exitCode === 0 && !output) return null
      const status = event.timedOut ? "timeout" : `code ${exitCode ?? "?"}`
      return `Exec finished (${who}, ${status})${output ? `\n${output}` : ""}`
    }
  }
}

/** The session a node event is filed under: its gateway-canonical key. */
export const nodeEventSessionKey = (event: NodeExecEvent): string =>
  resolveSessionStoreKey(event.sessionKey?.trim() || `node-${event.nodeId}`, event)

export function nodeEventEmission(event: NodeExecEvent): SourceEmission | null {
  if (event.notifyOnExit === false || event.suppressNotifyOnExit === true) return null
  const text = nodeText(event)
  if (text === null) return null
  const runId = event.runId?.trim()
  return {
    source: "node-event",
    origin: nodeEventSessionKey(event),
    text,
    contextKey: runId ? `exec:${runId}` : "exec",
    trusted: false,
    wake: EXEC_WAKE,
    wakeOnlyIfAccepted: true,
    ...(event.event === "exec.finished" && runId ? { finishedRunId: runId } : {}),
  }
}

/**
 * A node may report one run's `exec.finished` more than once (reconnects, retries): OpenClaw
 * drops a repeat of the same session and run id within 10 minutes, before it is enqueued.
 * `NodeExecFinishedRuns` is that memory (`<session>::<runId>` → when last reported), bounded
 * to 2000 runs as OpenClaw bounds it: expired ones go first, then the oldest.
 */
export const NODE_EXEC_FINISHED_DEDUPE_MS = 10 * 60 * 1000
export const NODE_EXEC_FINISHED_MAX_RUNS = 2000
export type NodeExecFinishedRuns = ReadonlyMap<string, number>

export interface NodeExecFinished {
  /** The event's gateway-canonical session (the emission's origin). */
  readonly sessionKey: string
  readonly runId: string
  readonly now: number
}

const fingerprintOf = (finished: NodeExecFinished) => `${finished.sessionKey}::${finished.runId}`

/** Is this `exec.finished` a repeat of one reported within the last 10 minutes? */
export const isNodeExecFinishedRepeat = (runs: NodeExecFinishedRuns, finished: NodeExecFinished): boolean => {
  const previous = runs.get(fingerprintOf(finished))
  return previous !== undefined && finished.now - previous <= NODE_EXEC_FINISHED_DEDUPE_MS
}

/**
 * Remembers a reported (not repeated) run in `runs`, in place: the ledger's view folds every
 * recorded report in, so this runs once per event of a replay and must not copy the map.
 */
export function rememberNodeExecFinished(runs: Map<string, number>, finished: NodeExecFinished): void {
  // A key seen before keeps its place in the order (Map.set), as in OpenClaw.
  runs.set(fingerprintOf(finished), finished.now)
  if (runs.size <= NODE_EXEC_FINISHED_MAX_RUNS) return
  const cutoff = finished.now - NODE_EXEC_FINISHED_DEDUPE_MS
  for (const [key, at] of runs) {
    if (at < cutoff) runs.delete(key)
    if (runs.size <= NODE_EXEC_FINISHED_MAX_RUNS) break
  }
  for (const key of runs.keys()) {
    if (runs.size <= NODE_EXEC_FINISHED_MAX_RUNS) break
    runs.delete(key)
  }
}

/** Both steps as one decision, on a copy (for callers that keep the memory as a value). */
export function decideNodeExecFinishedRepeat(
  runs: NodeExecFinishedRuns,
  finished: NodeExecFinished,
): { readonly repeat: boolean; readonly runs: NodeExecFinishedRuns } {
  if (isNodeExecFinishedRepeat(runs, finished)) return { repeat: true, runs }
  const next = new Map(runs)
  rememberNodeExecFinished(next, finished)
  return { repeat: false, runs: next }
}

// ── plain sources: cron main-session jobs, hooks, background tasks ─────────────────────────

export function cronEmission(job: {
  readonly sessionKey: string
  readonly jobId: string
  readonly text: string
}) {
  return plain("cron", job.sessionKey, job.text, `cron:${job.jobId}`, {
    source: "cron",
    reason: `cron:${job.jobId}`,
  })
}

export function hookEmission(hook: {
  readonly sessionKey: string
  readonly name: string
  readonly text: string
}) {
  return plain("hook", hook.sessionKey, hook.text, undefined, { source: "hook", reason: `hook:${hook.name}` })
}

export function taskEmission(task: {
  readonly sessionKey: string
  readonly taskId: string
  readonly text: string
}) {
  return plain("task", task.sessionKey, task.text, `task:${task.taskId}`, {
    source: "background-task",
    reason: `task:${task.taskId}`,
  })
}

const plain = (
  source: SourceKind,
  origin: string,
  text: string,
  contextKey: string | undefined,
  wake: { readonly source: string; readonly reason: string },
): SourceEmission => ({
  source,
  origin,
  text,
  contextKey,
  trusted: true,
  wake: { ...wake, intent: "event" },
  wakeOnlyIfAccepted: false,
})
