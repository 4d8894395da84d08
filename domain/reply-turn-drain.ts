/**
 * The reply-turn drain (OpenClaw's `drainFormattedSystemEvents`, src/auto-reply/reply/
 * session-system-events.ts): before a normal (non-heartbeat) reply turn, the session's queued
 * system events are shown to the model as `System:` lines and consumed. Exec completions are
 * left queued for the heartbeat, which gives them a prompt of their own; heartbeat chatter is
 * consumed but not shown; untrusted events are marked `System (untrusted)`.
 *
 * Not modelled: the channel summary OpenClaw prepends on the first turn of a new main session
 * (it reads the channels' configuration, which we do not hold).
 */
import { isExecCompletionEvent } from "./system-event-text.ts"

export interface ReplyTurnEvent {
  readonly text: string
  readonly ts: number
  readonly trusted?: boolean | undefined
}

/** What a reply turn consumes of what it inspected: everything but exec completions, in order. */
export const selectReplyTurnEvents = <E extends ReplyTurnEvent>(inspected: ReadonlyArray<E>): E[] =>
  inspected.filter((event) => !isExecCompletionEvent(event.text))

/** The line a consumed event shows as, or null when it is consumed unseen (heartbeat noise). */
export function compactReplyTurnLine(text: string): string | null {
  const trimmed = text.trim()
  if (!trimmed) return null
  const lower = trimmed.toLowerCase()
  if (lower.includes("reason periodic")) return null
  if (lower.startsWith("read heartbeat.md")) return null
  if (lower.includes("heartbeat poll") || lower.includes("heartbeat wake")) return null
  // Node presence lines carry a volatile "last input" age that would defeat prompt caching.
  if (trimmed.startsWith("Node:")) return trimmed.replace(/ · last input [^·]+/i, "").trim()
  return trimmed
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0")

/** `envelopeTimezone: "utc"`: `2026-05-12T09:48:01Z`. */
export function formatUtcSystemEventTimestamp(ts: number): string {
  const date = new Date(ts)
  if (Number.isNaN(date.getTime())) return "unknown-time"
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}Z`
  )
}

export interface ReplyTurnDrain<E> {
  /** Consumed from the queue (exec completions stay for the heartbeat). */
  readonly consumed: ReadonlyArray<E>
  /** The `System:` block shown to the model, or undefined when nothing is shown. */
  readonly block: string | undefined
}

/**
 * One reply turn's drain of the events it inspected. Each shown event's first line carries its
 * timestamp (formatted by the configured envelope timezone); a multi-line event continues on
 * further `System:` lines.
 */
export function planReplyTurnDrain<E extends ReplyTurnEvent>(
  inspected: ReadonlyArray<E>,
  formatTimestamp: (ts: number) => string = formatUtcSystemEventTimestamp,
): ReplyTurnDrain<E> {
  const consumed = selectReplyTurnEvents(inspected)
  const lines: string[] = []
  for (const event of consumed) {
    const compacted = compactReplyTurnLine(event.text)
    if (compacted === null) continue
    const prefix = event.trusted === false ? "System (untrusted)" : "System"
    compacted.split("\n").forEach((subline, index) => {
      lines.push(`${prefix}: ${index === 0 ? `[${formatTimestamp(event.ts)}] ` : ""}${subline}`)
    })
  }
  return { consumed, block: lines.length === 0 ? undefined : lines.join("\n") }
}
