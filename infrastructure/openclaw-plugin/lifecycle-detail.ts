/**
 * What the observer keeps of a lifecycle hook's event: names, ids, reasons, outcomes and
 * durations, as OpenClaw's documented hook types name them (docs/plugins/hooks*.md and the
 * plugin SDK's hook types of each release) — never a tool's parameters, a result's content or
 * a message. Fields a hook does not have are simply absent.
 */

/** Scalar fields kept wherever a hook's event has them. */
const EVENT_FIELDS = [
  // session_start / session_end
  "sessionId",
  "resumedFrom",
  "reason",
  "messageCount",
  "nextSessionId",
  "nextSessionKey",
  // after_tool_call
  "toolName",
  "toolCallId",
  // cron_changed: the run's session key is the event's sessionKey (kept as the fact's own)
  "jobId",
  "action",
  "status",
  "sessionTarget",
  "deliveryStatus",
  // subagent_spawned / subagent_ended (targetKind: "subagent" or "acp")
  "childSessionKey",
  "targetSessionKey",
  "targetKind",
  "mode",
  "outcome",
  // agent_end
  "success",
  // several
  "runId",
  "durationMs",
  // observer.early-lost: how many hook calls came before the observer had loaded
  "count",
] as const

/** Of a tool result's `details` (exec: `running` with its process session, then `completed`/`failed`). */
const RESULT_DETAIL_FIELDS = [
  ["status", "resultStatus"],
  ["sessionId", "resultSessionId"],
  ["exitCode", "exitCode"],
] as const

const MAX_VALUE = 200

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {}

const scalar = (value: unknown): string | undefined =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value).slice(0, MAX_VALUE)
    : undefined

export function lifecycleDetail(event: unknown): Record<string, string> {
  const ev = record(event)
  const detail: Record<string, string> = {}
  for (const field of EVENT_FIELDS) {
    const value = scalar(ev[field])
    if (value !== undefined) detail[field] = value
  }
  // A cron event may carry its target only on the job snapshot.
  const job = record(ev.job)
  if (detail.sessionTarget === undefined) {
    const target = scalar(job.sessionTarget)
    if (target !== undefined) detail.sessionTarget = target
  }
  const details = record(record(ev.result).details)
  for (const [field, name] of RESULT_DETAIL_FIELDS) {
    const value = scalar(details[field])
    if (value !== undefined) detail[name] = value
  }
  // That it failed, never the message (it may quote the command or its output).
  if (typeof ev.error === "string" || ev.error instanceof Error) detail.failed = "true"
  return detail
}
