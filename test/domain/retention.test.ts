/** domain.md §7: the retention of cron-run sessions and the reaper's sweeps. */
import { describe, expect, it } from "vitest"
import {
  canonicalSessionKey,
  DEFAULT_RETENTION_MS,
  decideSweep,
  parseSessionRetention,
  REAPER_MIN_INTERVAL_MS,
  type SessionActivity,
  type SweepCommand,
} from "../../domain/retention.ts"
import { isCronRunSessionKey, isLegacyCronRunSessionKey } from "../../domain/session-key.ts"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

describe("parseSessionRetention (cron.sessionRetention)", () => {
  it("defaults to 24 h", () => {
    expect(DEFAULT_RETENTION_MS).toBe(DAY)
    expect(parseSessionRetention(undefined)).toBe(DAY)
    expect(parseSessionRetention(null)).toBe(DAY)
  })

  // OpenClaw 2026.5.12's reaper (src/cron/session-reaper.ts with src/cli/parse-duration.ts).
  it.each([
    ["1h", HOUR],
    ["7d", 7 * DAY],
    ["30m", 30 * MINUTE],
    [" 2H ", 2 * HOUR],
    ["1.5h", 1.5 * HOUR],
    ["45s", 45_000],
    ["500ms", 500],
    ["1h30m", 90 * MINUTE],
    ["0", 0],
    ["0h", 0],
  ] as const)("parses the duration %j", (value, expected) => {
    expect(parseSessionRetention(value)).toBe(expected)
  })

  it("reads bare numbers in a string as hours", () => {
    expect(parseSessionRetention("12")).toBe(12 * HOUR)
  })

  it("is disabled by false", () => {
    expect(parseSessionRetention(false)).toBeNull()
  })

  it.each([
    "",
    "   ",
    "abc",
    "-1h",
    "1y",
    "2w",
    "3 d",
    "1h 30m",
    "30m1",
    "false",
    true,
    0,
    12,
    -3,
    Number.NaN,
    Infinity,
  ])("falls back to 24 h for the invalid %j (JSON numbers included: the config wants a string)", (value) => {
    expect(parseSessionRetention(value)).toBe(DAY)
  })
})

describe("decideSweep", () => {
  const NOW = 100 * DAY
  const session = (sessionKey: string, idleFor: number): SessionActivity => ({
    sessionKey,
    lastUpdatedAt: NOW - idleFor,
  })
  const sweep = (overrides: Partial<SweepCommand> = {}): SweepCommand => ({
    now: NOW,
    retentionMs: DAY,
    force: false,
    isCronRun: isCronRunSessionKey,
    ...overrides,
  })

  const expiredRun = session("agent:ops:cron:nightly:run:r1", 2 * DAY)
  const expiredSubagent = session("agent:ops:cron:nightly:run:r1:subagent:worker", 2 * DAY)
  const expiredThread = session("agent:ops:cron:nightly:run:r1:thread:reply", 2 * DAY)
  const freshRun = session("agent:ops:cron:nightly:run:r2", HOUR)
  const durableJob = session("agent:ops:cron:nightly", 30 * DAY)
  const main = session("agent:ops:main", 30 * DAY)
  const slack = session("agent:main:slack:cron:j:run:x", 30 * DAY)
  const legacy = session("cron:j:run:x", 30 * DAY)
  const all = [expiredRun, expiredSubagent, expiredThread, freshRun, durableJob, main, slack, legacy]

  it("prunes cron runs and their descendants idle for longer than the retention (the fixed rule)", () => {
    expect(decideSweep(all, sweep())).toStrictEqual({
      _tag: "Sweep",
      expired: [expiredRun, expiredSubagent, expiredThread],
    })
  })

  it("never prunes durable job keys or other sessions, however old", () => {
    const decision = decideSweep([durableJob, main, slack, legacy], sweep({ force: true }))
    expect(decision).toStrictEqual({ _tag: "Sweep", expired: [] })
  })

  it("prunes only sessions strictly older than the retention", () => {
    const atTheEdge = session("agent:ops:cron:nightly:run:r3", DAY)
    const justPast = session("agent:ops:cron:nightly:run:r4", DAY + 1)
    expect(decideSweep([atTheEdge, justPast], sweep())).toStrictEqual({ _tag: "Sweep", expired: [justPast] })
  })

  it("under the legacy rule (what-if audits) prunes the run but not its descendants", () => {
    expect(decideSweep(all, sweep({ isCronRun: isLegacyCronRunSessionKey }))).toStrictEqual({
      _tag: "Sweep",
      expired: [expiredRun],
    })
  })

  it("does nothing when retention is disabled, even when forced", () => {
    expect(decideSweep(all, sweep({ retentionMs: null }))).toStrictEqual({ _tag: "Disabled" })
    expect(decideSweep(all, sweep({ retentionMs: null, lastSweepAt: NOW - MINUTE }))._tag).toBe("Throttled")
    expect(decideSweep(all, sweep({ retentionMs: null, force: true }))).toStrictEqual({ _tag: "Disabled" })
  })

  describe("at most once per 5 minutes unless forced", () => {
    it("the interval is 5 minutes", () => {
      expect(REAPER_MIN_INTERVAL_MS).toBe(5 * MINUTE)
    })

    it("the first sweep runs (OpenClaw counts from time 0)", () => {
      expect(decideSweep(all, sweep({ lastSweepAt: undefined }))._tag).toBe("Sweep")
      expect(decideSweep([], sweep({ now: 5 * MINUTE - 1, lastSweepAt: undefined }))._tag).toBe("Throttled")
    })

    it("a sweep within 5 minutes of the last one is throttled, and says when the next may run", () => {
      expect(decideSweep(all, sweep({ lastSweepAt: NOW - 4 * MINUTE }))).toStrictEqual({
        _tag: "Throttled",
        nextSweepAt: NOW + MINUTE,
      })
    })

    it("a sweep 5 minutes after the last one runs", () => {
      expect(decideSweep(all, sweep({ lastSweepAt: NOW - 5 * MINUTE }))._tag).toBe("Sweep")
    })

    it("a forced sweep is never throttled", () => {
      expect(decideSweep(all, sweep({ lastSweepAt: NOW - 1, force: true }))).toStrictEqual({
        _tag: "Sweep",
        expired: [expiredRun, expiredSubagent, expiredThread],
      })
    })
  })
})

describe("canonicalSessionKey", () => {
  it("trims and lower-cases", () => {
    expect(canonicalSessionKey("  AGENT:Ops:Cron:Nightly:Run:R1 ")).toBe("agent:ops:cron:nightly:run:r1")
  })
})
