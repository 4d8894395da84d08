/** domain.md §5, wake coalescing: priorities, the one timer, retries, and the wakes a log still owes. */
import { describe, expect, it } from "vitest"
import type { LedgerEvent } from "../../domain/events.ts"
import {
  DEFAULT_COALESCE_MS,
  DEFAULT_RETRY_MS,
  decideTimer,
  decideWakeOutcome,
  isRetryableBusySkip,
  normalizeWakeReason,
  type PendingWake,
  queuePendingWake,
  recordedSkipReason,
  resolveCoalesceMs,
  restorePendingWakes,
  timerSleepMs,
  toPendingWake,
  WAKE_PRIORITY,
  wakePriority,
  wakeTargetKey,
} from "../../domain/wake.ts"

const MAIN = "agent:ops:main"

const pendingOf = (...wakes: PendingWake[]) => {
  let pending = new Map<string, PendingWake>()
  for (const wake of wakes) pending = queuePendingWake(pending, wake)
  return pending
}

describe("wakePriority", () => {
  it("ranks retry 0 < interval 1 < default 2 < manual/immediate 3", () => {
    expect(wakePriority({ source: "retry", intent: "event" })).toBe(WAKE_PRIORITY.retry)
    expect(wakePriority({ source: "interval", intent: "scheduled" })).toBe(WAKE_PRIORITY.interval)
    expect(wakePriority({ source: "exec-event", intent: "event", reason: "exec-event" })).toBe(
      WAKE_PRIORITY.default,
    )
    expect(wakePriority({ source: "manual", intent: "manual" })).toBe(WAKE_PRIORITY.action)
    expect(wakePriority({ source: "other", intent: "immediate" })).toBe(WAKE_PRIORITY.action)
    expect([0, 1, 2, 3]).toEqual([
      WAKE_PRIORITY.retry,
      WAKE_PRIORITY.interval,
      WAKE_PRIORITY.default,
      WAKE_PRIORITY.action,
    ])
  })

  it("puts the intent first: a manual wake with reason retry is still an action", () => {
    expect(wakePriority({ source: "retry", intent: "manual", reason: "retry" })).toBe(WAKE_PRIORITY.action)
    expect(wakePriority({ source: "cron", intent: "event", reason: "retry" })).toBe(WAKE_PRIORITY.retry)
    expect(wakePriority({ source: "cron", intent: "scheduled", reason: "cron:nightly" })).toBe(
      WAKE_PRIORITY.interval,
    )
  })

  it("ranks reason-only requests (no intent) as 2026.5.12 does: a reason alone is never an action", () => {
    expect(wakePriority({ reason: "retry" })).toBe(WAKE_PRIORITY.retry)
    expect(wakePriority({ reason: "interval" })).toBe(WAKE_PRIORITY.interval)
    expect(wakePriority({ reason: "manual" })).toBe(WAKE_PRIORITY.default)
    expect(wakePriority({ reason: "exec-event" })).toBe(WAKE_PRIORITY.default)
    expect(wakePriority({ reason: "hook:gmail" })).toBe(WAKE_PRIORITY.default)
    expect(wakePriority({ reason: "acp:spawn:stream" })).toBe(WAKE_PRIORITY.default)
    expect(wakePriority({})).toBe(WAKE_PRIORITY.default)
  })
})

describe("normalization", () => {
  it("trims reasons; a blank reason is `requested`", () => {
    expect(normalizeWakeReason("  cron:nightly ")).toBe("cron:nightly")
    expect(normalizeWakeReason("   ")).toBe("requested")
    expect(normalizeWakeReason(undefined)).toBe("requested")
  })

  it("keys pending wakes agentId::sessionKey, trimmed, case kept", () => {
    expect(wakeTargetKey({ agentId: " ops ", sessionKey: " Agent:Ops:Main " })).toBe("ops::Agent:Ops:Main")
    expect(wakeTargetKey({ sessionKey: MAIN })).toBe(`::${MAIN}`)
    expect(wakeTargetKey({ agentId: "  " })).toBe("::")
  })

  it("keeps a finite coalescing window, at least 0; anything else is the default (2026.5.12)", () => {
    expect(resolveCoalesceMs(0)).toBe(0)
    expect(resolveCoalesceMs(12.9)).toBe(12.9)
    expect(resolveCoalesceMs(-5)).toBe(0)
    expect(resolveCoalesceMs(Number.NaN)).toBe(DEFAULT_COALESCE_MS)
    expect(resolveCoalesceMs(undefined)).toBe(250)
    expect(resolveCoalesceMs(1e12)).toBe(1e12)
  })

  it("sleeps as Node's setTimeout does: under 1 ms or over 2^31-1 ms is 1 ms", () => {
    expect(timerSleepMs(0)).toBe(1)
    expect(timerSleepMs(250)).toBe(250)
    expect(timerSleepMs(2_147_483_647)).toBe(2_147_483_647)
    expect(timerSleepMs(3e9)).toBe(1)
  })
})

describe("queuePendingWake", () => {
  const interval = toPendingWake({ source: "interval", intent: "scheduled", sessionKey: MAIN }, 100, ["w1"])
  const event = toPendingWake({ source: "cron", intent: "event", reason: "cron:a", sessionKey: MAIN }, 200, [
    "w2",
  ])
  const manual = toPendingWake({ source: "manual", intent: "manual", sessionKey: MAIN }, 300, ["w3"])

  it("keeps one wake per target; other targets are separate", () => {
    const other = toPendingWake({ source: "cron", intent: "event", sessionKey: "agent:b:main" }, 150, ["w4"])
    const pending = pendingOf(interval, other)
    expect([...pending.keys()]).toEqual([`::${MAIN}`, "::agent:b:main"])
  })

  it("a higher priority replaces", () => {
    const pending = pendingOf(interval, event)
    expect(pending.get(`::${MAIN}`)).toMatchObject({ source: "cron", reason: "cron:a", priority: 2 })
  })

  it("a lower priority never downgrades, even when newer", () => {
    const later = toPendingWake({ source: "interval", intent: "scheduled", sessionKey: MAIN }, 999, ["w5"])
    const pending = pendingOf(manual, later)
    expect(pending.get(`::${MAIN}`)).toMatchObject({ source: "manual", priority: 3, requestedAt: 300 })
  })

  it("an equal priority replaces when not older, and never when older", () => {
    const newer = toPendingWake(
      { source: "hook", intent: "event", reason: "hook:b", sessionKey: MAIN },
      250,
      [],
    )
    expect(pendingOf(event, newer).get(`::${MAIN}`)?.reason).toBe("hook:b")
    const older = toPendingWake(
      { source: "hook", intent: "event", reason: "hook:c", sessionKey: MAIN },
      150,
      [],
    )
    expect(pendingOf(event, older).get(`::${MAIN}`)?.reason).toBe("cron:a")
  })

  it("remembers every coalesced request and the newest request time, kept or not", () => {
    const later = toPendingWake({ source: "interval", intent: "scheduled", sessionKey: MAIN }, 999, ["w5"])
    const wake = pendingOf(manual, later).get(`::${MAIN}`)
    expect(wake?.wakeIds).toEqual(["w3", "w5"])
    expect(wake?.lastRequestedAt).toBe(999)
  })

  it("keeps a heartbeat override when the replacement brings none", () => {
    const withOverride = toPendingWake(
      { source: "cron", intent: "event", sessionKey: MAIN, heartbeat: { target: "slack" } },
      100,
    )
    const pending = pendingOf(withOverride, manual)
    expect(pending.get(`::${MAIN}`)).toMatchObject({ source: "manual", heartbeat: { target: "slack" } })
  })

  it("does not mutate the map it is given", () => {
    const before = pendingOf(interval)
    queuePendingWake(before, manual)
    expect(before.get(`::${MAIN}`)?.source).toBe("interval")
  })
})

describe("decideTimer: one timer", () => {
  it("arms when none is armed", () => {
    expect(decideTimer(undefined, { now: 1000, delayMs: 250, kind: "normal" })).toEqual({
      _tag: "Arm",
      timer: { dueAt: 1250, kind: "normal", delayMs: 250, sleepMs: 250 },
      preempts: false,
    })
  })

  it("keeps an armed timer that fires no later", () => {
    const armed = { dueAt: 1250, kind: "normal" as const, delayMs: 250, sleepMs: 250 }
    expect(decideTimer(armed, { now: 1000, delayMs: 250, kind: "normal" })._tag).toBe("Keep")
    expect(decideTimer(armed, { now: 1100, delayMs: 250, kind: "normal" })._tag).toBe("Keep")
  })

  it("is preempted only by a sooner due time", () => {
    const armed = { dueAt: 1250, kind: "normal" as const, delayMs: 250, sleepMs: 250 }
    expect(decideTimer(armed, { now: 1000, delayMs: 0, kind: "normal" })).toEqual({
      _tag: "Arm",
      timer: { dueAt: 1000, kind: "normal", delayMs: 0, sleepMs: 1 },
      preempts: true,
    })
  })

  it("never preempts a retry cooldown, not even with a zero window", () => {
    const retry = {
      dueAt: 2000,
      kind: "retry" as const,
      delayMs: DEFAULT_RETRY_MS,
      sleepMs: DEFAULT_RETRY_MS,
    }
    expect(decideTimer(retry, { now: 1000, delayMs: 0, kind: "normal" })._tag).toBe("Keep")
  })
})

describe("decideWakeOutcome", () => {
  it("retries a busy skip after 1000 ms", () => {
    for (const reason of ["requests-in-flight", "cron-in-progress", "lanes-busy"]) {
      expect(isRetryableBusySkip(reason)).toBe(true)
      expect(decideWakeOutcome({ status: "skipped", reason }, 5000)).toEqual({
        _tag: "Skipped",
        reason,
        retryAt: 6000,
      })
    }
  })

  it("does not retry other skips; unknown reasons are recorded as disabled", () => {
    expect(decideWakeOutcome({ status: "skipped", reason: "disabled" }, 0)).toEqual({
      _tag: "Skipped",
      reason: "disabled",
    })
    expect(decideWakeOutcome({ status: "skipped", reason: "quiet-hours" }, 0)).toEqual({
      _tag: "Skipped",
      reason: "disabled",
    })
    expect(recordedSkipReason("no-handler")).toBe("no-handler")
  })

  it("does not retry a failed run (the runner reported it) but retries a thrown error", () => {
    expect(decideWakeOutcome({ status: "failed", reason: "model down" }, 0)).toEqual({
      _tag: "Skipped",
      reason: "error",
    })
    expect(decideWakeOutcome({ status: "threw" }, 10)).toEqual({ _tag: "Threw", retryAt: 1010 })
    expect(decideWakeOutcome({ status: "ran", durationMs: 3 }, 10)).toEqual({ _tag: "Ran" })
  })
})

describe("restorePendingWakes: the wakes a log still owes", () => {
  const configured = (agentId: string, at = 0): LedgerEvent => ({
    _tag: "AgentConfigured",
    agentId,
    enabled: true,
    at,
  })
  const requested = (
    wakeId: string,
    at: number,
    target: { agentId?: string; sessionKey?: string },
    source = "exec-event",
  ): LedgerEvent => ({
    _tag: "HeartbeatWakeRequested",
    wakeId,
    source,
    reason: source,
    intent: "event",
    at,
    ...target,
  })
  const ran = (agentId: string, at: number, forcedSessionKey?: string): LedgerEvent => ({
    _tag: "HeartbeatRan",
    queueKey: `agent:${agentId}:main`,
    agentId,
    runId: `run-${at}`,
    reason: "exec-event",
    prompt: "empty",
    shown: [],
    consumed: [],
    at,
    ...(forcedSessionKey === undefined ? {} : { forcedSessionKey }),
  })

  it("owes a requested wake nobody ran", () => {
    const owed = restorePendingWakes([configured("ops"), requested("w1", 10, { sessionKey: MAIN })])
    expect(owed).toHaveLength(1)
    expect(owed[0]).toMatchObject({ sessionKey: MAIN, wakeIds: ["w1"], requestedAt: 10 })
  })

  it("a run of the target at or after the request serves it; an earlier run does not", () => {
    expect(restorePendingWakes([requested("w1", 10, { sessionKey: MAIN }), ran("ops", 10, MAIN)])).toEqual([])
    expect(
      restorePendingWakes([ran("ops", 5, MAIN), requested("w1", 10, { sessionKey: MAIN })]),
    ).toHaveLength(1)
  })

  it("a run of another target does not serve it", () => {
    const owed = restorePendingWakes([
      requested("w1", 10, { sessionKey: MAIN }),
      ran("billing", 20, "agent:billing:main"),
    ])
    expect(owed.map((wake) => wake.sessionKey)).toEqual([MAIN])
  })

  it("coalesces as live: one owed wake per target, newest request time decides", () => {
    const owed = restorePendingWakes([
      requested("w1", 10, { sessionKey: MAIN }),
      requested("w2", 30, { sessionKey: MAIN }, "interval"),
      ran("ops", 20, MAIN),
    ])
    // The run at 20 came before the (coalesced) request at 30: still owed.
    expect(owed).toHaveLength(1)
    expect(owed[0]?.wakeIds).toEqual(["w1", "w2"])
  })

  it("a skip without a retry drops the wake; a busy skip keeps it owed", () => {
    const dropped: LedgerEvent = {
      _tag: "HeartbeatWakeSkipped",
      wakeId: "w1",
      agentId: "ops",
      reason: "disabled",
      at: 20,
    }
    expect(restorePendingWakes([requested("w1", 10, { sessionKey: MAIN }), dropped])).toEqual([])
    const busy: LedgerEvent = { ...dropped, reason: "lanes-busy", retryAt: 1020 }
    expect(restorePendingWakes([requested("w1", 10, { sessionKey: MAIN }), busy])).toHaveLength(1)
  })

  it("an agent-only wake is served by that agent's run on its own queue", () => {
    expect(restorePendingWakes([requested("w1", 10, { agentId: "Ops" }), ran("ops", 11)])).toEqual([])
  })

  it("an unscoped wake is owed until every enabled agent has run", () => {
    const log = [configured("ops"), configured("billing"), requested("w1", 10, {}), ran("ops", 11)]
    expect(restorePendingWakes(log)).toHaveLength(1)
    expect(restorePendingWakes([...log, ran("billing", 12)])).toEqual([])
  })
})
