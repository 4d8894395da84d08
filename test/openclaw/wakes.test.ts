/**
 * Wakes through the embedded API: a source's wake reaches the handler with what each agent's
 * heartbeat shows, a `ran` result consumes exactly that, and a thrown handler is retried.
 * Waits are on the handler's own calls, never on elapsed time.
 */
import { Effect, Stream } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import {
  createSystemEvents,
  cronEmission,
  type HeartbeatRunView,
  type HeartbeatWakeRequest,
  heartbeatRunsOf,
  type SystemEvents,
} from "../../infrastructure/openclaw/index.ts"

const MAIN = "agent:ops:main"
const CRON_RUN = "agent:ops:cron:nightly:run:r1"

const instances: SystemEvents[] = []
afterEach(async () => {
  await Promise.all(instances.splice(0).map((instance) => instance.close()))
})

/**
 * A handler that answers from `answers` (then `ran`) and lets a test await its n-th call. It
 * reads what each run shows, so a `ran` consumes exactly that (heartbeatRunsOf).
 */
function recordingHandler(answers: ReadonlyArray<"throw" | "busy"> = []) {
  const calls: HeartbeatWakeRequest[] = []
  const runs: Array<ReadonlyArray<HeartbeatRunView>> = []
  const waiters: Array<{ readonly count: number; readonly resolve: () => void }> = []
  const handler = async (wake: HeartbeatWakeRequest) => {
    const answer = answers[calls.length]
    calls.push(wake)
    runs.push(heartbeatRunsOf(wake))
    for (const waiter of waiters.filter((w) => calls.length >= w.count)) waiter.resolve()
    if (answer === "throw") throw new Error("runner crashed")
    if (answer === "busy") return { status: "skipped", reason: "lanes-busy" } as const
    return { status: "ran", durationMs: 1 } as const
  }
  const called = (count: number) =>
    new Promise<void>((resolve) => {
      if (calls.length >= count) resolve()
      else waiters.push({ count, resolve })
    })
  return { calls, runs, handler, called }
}

const logTypes = async (se: SystemEvents) =>
  (await Effect.runPromise(Stream.runCollect(se.store.readAll()))).map((record) => record.type)

/** Until the scheduler has recorded what the handler's run came to. */
const settled = async (se: SystemEvents, type: string, count: number) => {
  while ((await logTypes(se)).filter((t) => t === type).length < count)
    await new Promise((r) => setTimeout(r, 5))
}

describe("wakes through the embedded API", () => {
  it("a cron run's exec completion wakes its agent: the exec prompt shows it, the run's turn drains the rest", async () => {
    const se = createSystemEvents()
    instances.push(se)
    se.configureAgent({ agentId: "ops" })
    se.recordSourceEvent(cronEmission({ sessionKey: MAIN, jobId: "digest", text: "Daily digest is ready" }))
    se.notifyExecExit({ sessionKey: CRON_RUN, processId: "backup-77aa", exitCode: 0, output: "42 files" })
    const { calls, runs, handler, called } = recordingHandler()
    se.setHeartbeatWakeHandler(handler)
    await called(1)
    await settled(se, "HeartbeatRan", 1)
    expect(calls[0]).toMatchObject({ source: "exec-event", sessionKey: MAIN })
    expect(
      runs[0]?.map((run) => [
        run.agentId,
        run.queueKey,
        run.prompt,
        run.shown.map((e) => e.text),
        run.consumed.map((e) => e.text),
      ]),
    ).toEqual([
      [
        "ops",
        MAIN,
        "exec",
        ["Exec completed (backup-7, code 0) :: 42 files"],
        ["Daily digest is ready", "Exec completed (backup-7, code 0) :: 42 files"],
      ],
    ])
    expect(se.hasSystemEvents(MAIN)).toBe(false)

    // A manual wake does not inspect untagged events: its turn drains the note, not the exec line.
    se.enqueueSystemEvent("Exec finished: deploy", { sessionKey: MAIN })
    se.enqueueSystemEvent("Deploy window opens at 14:00", { sessionKey: MAIN })
    se.requestHeartbeat({ source: "manual", intent: "manual", agentId: "ops", coalesceMs: 0 })
    await called(2)
    await settled(se, "HeartbeatRan", 2)
    expect(runs[1]?.[0]).toMatchObject({
      inspects: false,
      prompt: "empty",
      shown: [],
      consumed: [{ text: "Deploy window opens at 14:00" }],
    })
    expect(se.peekSystemEvents(MAIN)).toEqual(["Exec finished: deploy"])
  })

  it("retries a handler that throws, and records the error", async () => {
    const se = createSystemEvents()
    instances.push(se)
    se.enqueueSystemEvent("Exec finished: deploy", { sessionKey: MAIN })
    const { calls, handler, called } = recordingHandler(["throw"])
    se.setHeartbeatWakeHandler(handler)
    se.requestHeartbeat({ source: "exec-event", intent: "event", sessionKey: MAIN, coalesceMs: 0 })
    await called(2)
    await settled(se, "HeartbeatRan", 1)
    expect(calls.map((call) => call.sessionKey)).toEqual([MAIN, MAIN])
    expect(await logTypes(se)).toEqual([
      "SystemEventEnqueued",
      "HeartbeatWakeRequested",
      "HeartbeatWakeSkipped",
      "HeartbeatRan",
    ])
    expect(se.hasSystemEvents(MAIN)).toBe(false)
  })

  it("a handler that never asks what the runs show (OpenClaw's runner) consumes nothing by its ran", async () => {
    const se = createSystemEvents()
    instances.push(se)
    se.enqueueSystemEvent("Exec finished: deploy", { sessionKey: MAIN })
    const calls: HeartbeatWakeRequest[] = []
    se.setHeartbeatWakeHandler(async (wake) => {
      calls.push(wake)
      return { status: "ran", durationMs: 1 }
    })
    se.requestHeartbeat({ source: "exec-event", intent: "event", sessionKey: MAIN, coalesceMs: 0 })
    await settled(se, "HeartbeatRan", 1)
    expect(calls).toStrictEqual([
      { source: "exec-event", intent: "event", reason: "requested", sessionKey: MAIN },
    ])
    expect(se.peekSystemEvents(MAIN)).toEqual(["Exec finished: deploy"])
  })

  it("reports a handler and a pending wake as OpenClaw's has* calls do, and resets both", async () => {
    const se = createSystemEvents()
    instances.push(se)
    expect([se.hasHeartbeatWakeHandler(), se.hasPendingHeartbeatWake()]).toEqual([false, false])
    se.requestHeartbeat({ source: "manual", intent: "manual", agentId: "ops", coalesceMs: 0 })
    expect(se.hasPendingHeartbeatWake()).toBe(true)
    const stale = se.setHeartbeatWakeHandler(async () => ({ status: "ran", durationMs: 1 }))
    const { handler, called } = recordingHandler()
    const current = se.setHeartbeatWakeHandler(handler)
    stale()
    expect(se.hasHeartbeatWakeHandler()).toBe(true)
    await called(1)
    await settled(se, "HeartbeatRan", 1)
    expect(se.hasPendingHeartbeatWake()).toBe(false)
    current()
    expect(se.hasHeartbeatWakeHandler()).toBe(false)
    se.setHeartbeatWakeHandler(handler)
    se.requestHeartbeat({ source: "manual", intent: "manual", coalesceMs: 10_000 })
    se.resetHeartbeatWakeStateForTests()
    expect([se.hasHeartbeatWakeHandler(), se.hasPendingHeartbeatWake()]).toEqual([false, false])
  })

  it("returns a disposer that clears only its own registration", async () => {
    const se = createSystemEvents()
    instances.push(se)
    const first = recordingHandler()
    const second = recordingHandler()
    const disposeFirst = se.setHeartbeatWakeHandler(first.handler)
    se.setHeartbeatWakeHandler(second.handler)
    disposeFirst()
    se.requestHeartbeat({ source: "manual", intent: "manual", coalesceMs: 0 })
    await second.called(1)
    expect(first.calls).toEqual([])
  })
})
