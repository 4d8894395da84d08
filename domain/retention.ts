/**
 * Retention (domain.md §7): the reaper prunes cron-run sessions (descendants included)
 * idle for longer than `cron.sessionRetention`, at most once per five minutes unless forced.
 * Their still-queued events would be lost; the ledger records them as pruned.
 */
import type { PrunedSession, ReaperEvent } from "./events.ts"

export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000
export const REAPER_MIN_INTERVAL_MS = 5 * 60 * 1000

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

/**
 * OpenClaw's duration grammar (`parseDurationMs`): trimmed, case-insensitive; one number with an
 * optional unit (`500ms`, `30s`, `5m`, `2h`, `7d`; `defaultUnit` without one), or segments that
 * each carry a unit (`1h30m`); decimals allowed, no signs, no spaces inside. Rounded to whole
 * milliseconds; null when invalid.
 */
export function parseDurationMs(raw: string, defaultUnit = "ms"): number | null {
  const text = raw.trim().toLowerCase()
  if (!text) return null
  const single = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text)
  if (single) {
    const ms = Math.round(Number(single[1]) * UNIT_MS[single[2] ?? defaultUnit]!)
    return Number.isFinite(ms) ? ms : null
  }
  let total = 0
  let consumed = 0
  for (const segment of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    if (segment.index !== consumed) return null
    total += Number(segment[1]) * UNIT_MS[segment[2]!]!
    consumed += segment[0].length
  }
  if (consumed === 0 || consumed !== text.length) return null
  const ms = Math.round(total)
  return Number.isFinite(ms) ? ms : null
}

/**
 * `cron.sessionRetention` as the reaper reads it (src/cron/session-reaper.ts): `false` disables
 * (→ null); a non-blank string is a duration whose bare numbers are hours (`0` too: it prunes
 * every idle cron run); anything else — missing, blank, invalid, a JSON number, `true` — is the
 * 24 h default. (OpenClaw's config schema accepts only a string or `false` here.)
 */
export function parseSessionRetention(value: string | number | boolean | null | undefined): number | null {
  if (value === false) return null
  if (typeof value !== "string" || !value.trim()) return DEFAULT_RETENTION_MS
  return parseDurationMs(value, "h") ?? DEFAULT_RETENTION_MS
}

export interface SessionActivity {
  /** Canonical (trimmed, lower-cased) session key. */
  readonly sessionKey: string
  readonly lastUpdatedAt: number
}

export interface SweepCommand {
  readonly now: number
  /** null: retention disabled. */
  readonly retentionMs: number | null
  readonly force: boolean
  /** When the last sweep (or disabled check) ran; never → 0, as OpenClaw starts its clock. */
  readonly lastSweepAt?: number | undefined
  /** Which sessions are cron runs (the fixed rule, or the legacy one for what-if audits). */
  readonly isCronRun: (sessionKey: string) => boolean
}

export type SweepDecision =
  | { readonly _tag: "Throttled"; readonly nextSweepAt: number }
  | { readonly _tag: "Disabled" }
  | { readonly _tag: "Sweep"; readonly expired: ReadonlyArray<SessionActivity> }

/**
 * Which sessions a sweep prunes. Durable job keys and other sessions are never pruned. The
 * throttle comes first, as in OpenClaw: a disabled retention is only noticed by a sweep that
 * may run (and that check counts as the sweep for the next throttle).
 */
export function decideSweep(sessions: Iterable<SessionActivity>, command: SweepCommand): SweepDecision {
  if (!command.force) {
    const nextSweepAt = (command.lastSweepAt ?? 0) + REAPER_MIN_INTERVAL_MS
    if (command.now < nextSweepAt) return { _tag: "Throttled", nextSweepAt }
  }
  if (command.retentionMs === null) return { _tag: "Disabled" }
  const cutoff = command.now - command.retentionMs
  const expired: SessionActivity[] = []
  for (const session of sessions) {
    if (command.isCronRun(session.sessionKey) && session.lastUpdatedAt < cutoff) expired.push(session)
  }
  return { _tag: "Sweep", expired }
}

/** Queues are keyed case-preserved; sessions canonically. A queue belongs to the session it spells. */
export const canonicalSessionKey = (key: string): string => key.trim().toLowerCase()

/**
 * The most a sweep's part lists, in UTF-8 bytes of its sessions' JSON: well under the store's
 * 256 KiB per event (application/event-store.ts), whatever the ids and keys are.
 */
export const SWEEP_PART_MAX_BYTES = 128 * 1024

/** UTF-8 length of a string, counted without encoding it (the domain does no I/O). */
const utf8Length = (text: string): number => {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}

const entryBytes = (session: PrunedSession): number => utf8Length(JSON.stringify(session)) + 1

/**
 * A session's entry, cut so that each piece fits a part on its own: its lost event ids shared
 * out over as many entries as needed (a session whose key alone is too large stays whole).
 */
function* piecesOf(session: PrunedSession, maxBytes: number): Generator<PrunedSession> {
  if (entryBytes(session) <= maxBytes || session.lostEventIds.length <= 1) {
    yield session
    return
  }
  let ids: string[] = []
  let bytes = entryBytes({ ...session, lostEventIds: [] })
  for (const id of session.lostEventIds) {
    const idBytes = utf8Length(JSON.stringify(id)) + 1
    if (ids.length > 0 && bytes + idBytes > maxBytes) {
      yield { ...session, lostEventIds: ids }
      ids = []
      bytes = entryBytes({ ...session, lostEventIds: [] })
    }
    ids.push(id)
    bytes += idBytes
  }
  yield { ...session, lostEventIds: ids }
}

/**
 * What a sweep records: one SessionsPruned, and when its sessions do not fit one bounded event,
 * SessionsPrunedContinued events after it for the rest — appended together, in this order, so a
 * sweep of any size is recordable. Sessions keep their order; nothing is dropped or repeated.
 */
export function decideSweepRecord(
  sweep: {
    readonly retentionMs: number
    readonly forced: boolean
    readonly sessions: ReadonlyArray<PrunedSession>
    readonly at: number
  },
  maxBytes: number = SWEEP_PART_MAX_BYTES,
): ReadonlyArray<ReaperEvent> {
  const parts: PrunedSession[][] = [[]]
  let bytes = 0
  for (const session of sweep.sessions) {
    for (const piece of piecesOf(session, maxBytes)) {
      const pieceBytes = entryBytes(piece)
      const current = parts[parts.length - 1]!
      if (current.length > 0 && bytes + pieceBytes > maxBytes) {
        parts.push([piece])
        bytes = pieceBytes
      } else {
        current.push(piece)
        bytes += pieceBytes
      }
    }
  }
  const [first = [], ...rest] = parts
  return [
    {
      _tag: "SessionsPruned",
      retentionMs: sweep.retentionMs,
      forced: sweep.forced,
      sessions: first,
      at: sweep.at,
    },
    ...rest.map((sessions): ReaperEvent => ({ _tag: "SessionsPrunedContinued", sessions, at: sweep.at })),
  ]
}
