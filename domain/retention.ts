/**
 * Retention (domain.md §7): the reaper prunes cron-run sessions (descendants included)
 * idle for longer than `cron.sessionRetention`, at most once per five minutes unless forced.
 * Their still-queued events would be lost; the ledger records them as pruned.
 */

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
