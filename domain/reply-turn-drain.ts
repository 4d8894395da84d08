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
export const selectReplyTurnEvents = <E extends { readonly text: string }>(
  inspected: ReadonlyArray<E>,
): E[] => inspected.filter((event) => !isExecCompletionEvent(event.text))

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

const DAY_MS = 86_400_000
/** The range of a JavaScript date: beyond it OpenClaw formats "unknown-time". */
const MAX_TIME_MS = 8.64e15

/** Year, month, day of a day count since 1970-01-01 (proleptic Gregorian, Hinnant's algorithm). */
function civilFromDays(days: number): readonly [number, number, number] {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day]
}

/** `envelopeTimezone: "utc"`: `2026-05-12T09:48:01Z` (computed, not read from a clock). */
export function formatUtcSystemEventTimestamp(ts: number): string {
  if (!Number.isFinite(ts) || Math.abs(ts) > MAX_TIME_MS) return "unknown-time"
  const ms = Math.trunc(ts)
  const days = Math.floor(ms / DAY_MS)
  const seconds = Math.floor((ms - days * DAY_MS) / 1000)
  const [year, month, day] = civilFromDays(days)
  return (
    `${pad(year, 4)}-${pad(month)}-${pad(day)}` +
    `T${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}Z`
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
