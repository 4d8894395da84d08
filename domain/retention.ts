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
  w: 604_800_000,
}

/**
 * `cron.sessionRetention`: a duration (`30m`, `1h`, `7d`), a plain number of hours, or
 * `false` to disable (→ null). Anything invalid falls back to the 24 h default.
 */
export function parseSessionRetention(value: string | number | boolean | null | undefined): number | null {
  if (value === false) return null
  if (typeof value === "number")
    return Number.isFinite(value) && value > 0 ? value * UNIT_MS.h! : DEFAULT_RETENTION_MS
  if (typeof value !== "string") return DEFAULT_RETENTION_MS
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/i.exec(value.trim())
  if (!match) return DEFAULT_RETENTION_MS
  const amount = Number(match[1])
  const unit = UNIT_MS[(match[2] ?? "h").toLowerCase()] ?? UNIT_MS.h!
  return amount > 0 ? amount * unit : DEFAULT_RETENTION_MS
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
  readonly lastSweepAt?: number | undefined
  /** Which sessions are cron runs (the fixed rule, or the legacy one for what-if audits). */
  readonly isCronRun: (sessionKey: string) => boolean
}

export type SweepDecision =
  | { readonly _tag: "Throttled"; readonly nextSweepAt: number }
  | { readonly _tag: "Disabled" }
  | { readonly _tag: "Sweep"; readonly expired: ReadonlyArray<SessionActivity> }

/** Which sessions a sweep prunes. Durable job keys and other sessions are never pruned. */
export function decideSweep(sessions: Iterable<SessionActivity>, command: SweepCommand): SweepDecision {
  if (command.retentionMs === null) return { _tag: "Disabled" }
  if (!command.force && command.lastSweepAt !== undefined) {
    const nextSweepAt = command.lastSweepAt + REAPER_MIN_INTERVAL_MS
    if (command.now < nextSweepAt) return { _tag: "Throttled", nextSweepAt }
  }
  const cutoff = command.now - command.retentionMs
  const expired: SessionActivity[] = []
  for (const session of sessions) {
    if (command.isCronRun(session.sessionKey) && session.lastUpdatedAt < cutoff) expired.push(session)
  }
  return { _tag: "Sweep", expired }
}

/** Queues are keyed case-preserved; sessions canonically. A queue belongs to the session it spells. */
export const canonicalSessionKey = (key: string): string => key.trim().toLowerCase()
