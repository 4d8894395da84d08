/**
 * The wake scheduler under effect's TestClock: coalescing, the one timer, busy-skip and error
 * retries, handler generations and replacement, and wakes restored from the log after a restart.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import { EventStore, type EventStoreShape } from "../../application/event-store.ts"
import { Ledger } from "../../application/ledger.ts"
import {
  type HeartbeatWake,
  layerWakeScheduler,
  type WakeHandler,
  WakeScheduler,
} from "../../application/wake-scheduler.ts"
import type { HeartbeatRunResult } from "../../domain/wake.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { ledgerOn } from "./ledger-harness.ts"

const MAIN = "agent:ops:main"
const EXEC_DONE = "Exec completed (abc12345, code 0) :: ok"

const schedulerOn = (store: EventStoreShape) => Layer.provideMerge(layerWakeScheduler, ledgerOn(store))

/** Runs `program` with a scheduler, its ledger and store; a fresh memory store unless given. */
const withScheduler = <A, E>(
  program: Effect.Effect<A, E, WakeScheduler | Ledger | EventStore>,
  store: EventStoreShape = makeMemoryEventStore({ now: () => 0 }),
) => Effect.provide(program, schedulerOn(store))

/** A handler that remembers each call and answers from a script (then `ran`). */
const scriptedHandler = (script: ReadonlyArray<HeartbeatRunResult | "fail"> = []) => {
  const calls: Array<HeartbeatWake & { readonly at: number }> = []
  let next = 0
  const handler: WakeHandler = (wake) =>
    Effect.gen(function* () {
      const at = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      calls.push({ ...wake, at })
      const answer = script[next++] ?? { status: "ran", durationMs: 1 }
      if (answer === "fail") return yield* Effect.fail(new Error("runner blew up"))
      return answer
    })
  return { calls, handler }
}

/** Moves the clock and lets woken fibers finish their (synchronous) work. */
const advance = (ms: number) =>
  Effect.gen(function* () {
    yield* TestClock.adjust(ms)
    for (let i = 0; i < 5; i++) yield* Effect.yieldNow
  })

const wakeRecords = Effect.gen(function* () {
  const store = yield* EventStore
  const records = yield* Stream.runCollect(store.readAll())
  return records
    .filter((record) => record.type.startsWith("HeartbeatWake") || record.type === "HeartbeatRan")
    .map((record) => ({ type: record.type, data: record.data as Record<string, unknown> }))
})

/** Agent ops with an exec completion and an untagged notice queued on its main key. */
const opsWithExecAndNotice = Effect.gen(function* () {
  const ledger = yield* Ledger
  const scheduler = yield* WakeScheduler
  yield* ledger.configureAgent({ agentId: "ops" })
  yield* ledger.enqueue(EXEC_DONE, { sessionKey: MAIN })
  yield* ledger.enqueue("Nightly report ready", { sessionKey: MAIN })
  return { ledger, scheduler }
})

describe("WakeScheduler", () => {
  it.effect(
    "coalesces requests for one target within the window into one run with the strongest reason",
    () =>
      withScheduler(
        Effect.gen(function* () {
          const scheduler = yield* WakeScheduler
          const { calls, handler } = scriptedHandler()
          yield* scheduler.setHandler(handler)
          yield* scheduler.requestHeartbeat({ source: "interval", intent: "scheduled", sessionKey: MAIN })
          yield* advance(100)
          yield* scheduler.requestHeartbeat({ source: "manual", intent: "manual", sessionKey: MAIN })
          yield* scheduler.requestHeartbeat({
            source: "cron",
            intent: "event",
            reason: "cron:a",
            sessionKey: MAIN,
          })
          yield* advance(149)
          assert.strictEqual(calls.length, 0, "the first request's 250 ms window has not elapsed")
          yield* advance(1)
          assert.deepStrictEqual(
            calls.map((call) => [call.source, call.reason, call.sessionKey, call.at]),
            [["manual", "requested", MAIN, 250]],
          )
          yield* advance(5_000)
          assert.strictEqual(calls.length, 1)
          const records = yield* wakeRecords
          assert.deepStrictEqual(
            records.map((record) => record.type),
            ["HeartbeatWakeRequested", "HeartbeatWakeRequested", "HeartbeatWakeRequested", "HeartbeatRan"],
          )
        }),
      ),
  )

  it.effect("runs every pending target of a batch in turn", () =>
    withScheduler(
      Effect.gen(function* () {
        const scheduler = yield* WakeScheduler
        const { calls, handler } = scriptedHandler()
        yield* scheduler.setHandler(handler)
        yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", sessionKey: MAIN })
        yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", agentId: "billing" })
        yield* scheduler.requestHeartbeat({ source: "hook", intent: "event" })
        yield* advance(250)
        assert.deepStrictEqual(
          calls.map((call) => [call.agentId ?? "", call.sessionKey ?? ""]),
          [
            ["", MAIN],
            ["billing", ""],
            ["", ""],
          ],
        )
      }),
    ),
  )

  it.effect(
    "a sooner due time preempts the timer: an exec wake (window 0) fires after setTimeout's 1 ms",
    () =>
      withScheduler(
        Effect.gen(function* () {
          const scheduler = yield* WakeScheduler
          const { calls, handler } = scriptedHandler()
          yield* scheduler.setHandler(handler)
          yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", sessionKey: MAIN })
          assert.strictEqual((yield* scheduler.timer)?.dueAt, 250)
          yield* advance(10)
          yield* scheduler.requestHeartbeat({
            source: "exec-event",
            intent: "event",
            reason: "exec-event",
            sessionKey: MAIN,
            coalesceMs: 0,
          })
          yield* advance(0)
          assert.strictEqual(calls.length, 0, "Node's setTimeout waits at least 1 ms")
          yield* advance(1)
          assert.deepStrictEqual(
            calls.map((call) => [call.source, call.at]),
            [["exec-event", 11]],
          )
          // A later request does not preempt a sooner timer.
          yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", agentId: "a", coalesceMs: 0 })
          yield* scheduler.requestHeartbeat({
            source: "cron",
            intent: "event",
            agentId: "b",
            coalesceMs: 500,
          })
          assert.strictEqual((yield* scheduler.timer)?.dueAt, 11)
        }),
      ),
  )

  it.effect("shows each agent its queue and consumes only what its run saw", () =>
    withScheduler(
      Effect.gen(function* () {
        const { ledger, scheduler } = yield* opsWithExecAndNotice
        let arrivedDuringRun = false
        const handler: WakeHandler = (wake) =>
          Effect.gen(function* () {
            assert.deepStrictEqual(
              wake.runs.map((run) => [
                run.agentId,
                run.queueKey,
                run.prompt,
                run.shown.map((e) => e.text),
                run.consumed.map((e) => e.text),
              ]),
              // The exec-event run selects the exec completion; its agent turn drains the rest.
              [["ops", MAIN, "exec", [EXEC_DONE], [EXEC_DONE, "Nightly report ready"]]],
            )
            // An event that arrives while the run is in flight was never seen: it must stay.
            yield* ledger.enqueue("Exec completed (def67890, code 1)", { sessionKey: MAIN })
            arrivedDuringRun = true
            return { status: "ran", durationMs: 5 } as const
          })
        yield* scheduler.setHandler(handler)
        yield* scheduler.requestHeartbeat({
          source: "exec-event",
          intent: "event",
          sessionKey: MAIN,
          coalesceMs: 0,
        })
        yield* advance(1)
        assert.isTrue(arrivedDuringRun)
        const left = yield* ledger.peek(MAIN)
        assert.deepStrictEqual(
          left.map((event) => event.text),
          ["Exec completed (def67890, code 1)"],
        )
      }),
    ),
  )

  it.effect("an interval wake's run selects no untagged event and leaves exec completions queued", () =>
    withScheduler(
      Effect.gen(function* () {
        const { ledger, scheduler } = yield* opsWithExecAndNotice
        const seen: Array<unknown> = []
        yield* scheduler.setHandler((wake) =>
          Effect.sync(() => {
            seen.push(
              wake.runs.map((run) => [
                run.inspects,
                run.prompt,
                run.shown.length,
                run.consumed.map((e) => e.text),
              ]),
            )
            return { status: "ran", durationMs: 1 } as const
          }),
        )
        yield* scheduler.requestHeartbeat({
          source: "interval",
          intent: "scheduled",
          reason: "interval",
          coalesceMs: 0,
        })
        yield* advance(1)
        assert.deepStrictEqual(seen, [[[false, "empty", 0, ["Nightly report ready"]]]])
        assert.deepStrictEqual(
          (yield* ledger.peek(MAIN)).map((event) => event.text),
          [EXEC_DONE],
        )
      }),
    ),
  )

  it.effect("retries a busy skip after a 1000 ms cooldown that nothing preempts", () =>
    withScheduler(
      Effect.gen(function* () {
        const scheduler = yield* WakeScheduler
        const { calls, handler } = scriptedHandler([{ status: "skipped", reason: "requests-in-flight" }])
        yield* scheduler.setHandler(handler)
        yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", sessionKey: MAIN })
        yield* advance(250)
        assert.strictEqual(calls.length, 1)
        assert.deepStrictEqual(yield* scheduler.timer, {
          dueAt: 1250,
          kind: "retry",
          delayMs: 1000,
          sleepMs: 1000,
        })
        // An exec wake (window 0) during the cooldown waits for it: the cooldown is a hard minimum.
        yield* scheduler.requestHeartbeat({
          source: "exec-event",
          intent: "event",
          agentId: "billing",
          coalesceMs: 0,
        })
        yield* advance(999)
        assert.strictEqual(calls.length, 1)
        yield* advance(1)
        assert.deepStrictEqual(
          calls.map((call) => [call.sessionKey ?? call.agentId, call.at]),
          [
            [MAIN, 250],
            [MAIN, 1250],
            ["billing", 1250],
          ],
        )
        const skipped = (yield* wakeRecords).filter((record) => record.type === "HeartbeatWakeSkipped")
        assert.deepStrictEqual(
          skipped.map((record) => [record.data.reason, record.data.retryAt]),
          [["requests-in-flight", 1250]],
        )
      }),
    ),
  )

  it.effect("does not retry other skips or failed runs, and records them", () =>
    withScheduler(
      Effect.gen(function* () {
        const scheduler = yield* WakeScheduler
        const { calls, handler } = scriptedHandler([
          { status: "skipped", reason: "quiet-hours" },
          { status: "failed", reason: "model unavailable" },
        ])
        yield* scheduler.setHandler(handler)
        yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", sessionKey: MAIN })
        yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", agentId: "billing" })
        yield* advance(250)
        yield* advance(10_000)
        assert.strictEqual(calls.length, 2)
        assert.deepStrictEqual(yield* scheduler.pending, [])
        const skipped = (yield* wakeRecords).filter((record) => record.type === "HeartbeatWakeSkipped")
        assert.deepStrictEqual(
          skipped.map((record) => [record.data.agentId, record.data.reason, record.data.retryAt]),
          [
            ["ops", "disabled", undefined],
            ["billing", "error", undefined],
          ],
        )
      }),
    ),
  )

  it.effect("retries the whole batch after a thrown error, once the cooldown has passed", () =>
    withScheduler(
      Effect.gen(function* () {
        const scheduler = yield* WakeScheduler
        const { calls, handler } = scriptedHandler(["fail"])
        yield* scheduler.setHandler(handler)
        yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", sessionKey: MAIN })
        yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", agentId: "billing" })
        yield* advance(250)
        assert.strictEqual(calls.length, 1, "the batch stops at the error")
        yield* advance(1000)
        assert.deepStrictEqual(
          calls.map((call) => [call.sessionKey ?? call.agentId, call.at]),
          [
            [MAIN, 250],
            [MAIN, 1250],
            ["billing", 1250],
          ],
        )
        const skipped = (yield* wakeRecords).filter((record) => record.type === "HeartbeatWakeSkipped")
        assert.deepStrictEqual(
          skipped.map((record) => [record.data.reason, record.data.retryAt]),
          [["error", 1250]],
        )
      }),
    ),
  )

  it.effect("keeps wakes while no handler is set and runs them 250 ms after one is", () =>
    withScheduler(
      Effect.gen(function* () {
        const scheduler = yield* WakeScheduler
        yield* scheduler.requestHeartbeat({
          source: "exec-event",
          intent: "event",
          sessionKey: MAIN,
          coalesceMs: 0,
        })
        yield* advance(1000)
        assert.strictEqual((yield* scheduler.pending).length, 1)
        const { calls, handler } = scriptedHandler()
        yield* scheduler.setHandler(handler)
        yield* advance(249)
        assert.strictEqual(calls.length, 0)
        yield* advance(1)
        assert.deepStrictEqual(
          calls.map((call) => call.at),
          [1250],
        )
      }),
    ),
  )

  it.effect("a stale disposer cannot remove a newer handler; the current one's disposer can", () =>
    withScheduler(
      Effect.gen(function* () {
        const scheduler = yield* WakeScheduler
        const first = scriptedHandler()
        const second = scriptedHandler()
        const disposeFirst = yield* scheduler.setHandler(first.handler)
        const disposeSecond = yield* scheduler.setHandler(second.handler)
        yield* disposeFirst
        yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", sessionKey: MAIN })
        yield* advance(250)
        assert.deepStrictEqual([first.calls.length, second.calls.length], [0, 1])
        yield* disposeSecond
        yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", sessionKey: MAIN })
        yield* advance(1000)
        assert.deepStrictEqual([first.calls.length, second.calls.length], [0, 1])
        assert.strictEqual((yield* scheduler.pending).length, 1, "kept for the next handler")
      }),
    ),
  )

  it.effect(
    "keeps a batch with the handler it fired for; the replacement gets its busy retries (2026.5.12)",
    () =>
      withScheduler(
        Effect.gen(function* () {
          const scheduler = yield* WakeScheduler
          const release = yield* Deferred.make<void>()
          const oldCalls: string[] = []
          const oldHandler: WakeHandler = (wake) =>
            Effect.gen(function* () {
              oldCalls.push(wake.sessionKey ?? wake.agentId ?? "")
              yield* Deferred.await(release)
              return { status: "skipped", reason: "lanes-busy" } as const
            })
          yield* scheduler.setHandler(oldHandler)
          yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", sessionKey: MAIN })
          yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", agentId: "billing" })
          yield* advance(250)
          assert.deepStrictEqual(oldCalls, [MAIN])
          // Replaced mid-run (an in-process restart): OpenClaw's loop goes on with the handler it took.
          const replacement = scriptedHandler()
          yield* scheduler.setHandler(replacement.handler)
          yield* Deferred.succeed(release, undefined)
          yield* advance(0)
          assert.deepStrictEqual(oldCalls, [MAIN, "billing"], "the batch stays with the handler it fired for")
          yield* advance(999)
          assert.strictEqual(replacement.calls.length, 0, "the busy skips wait for the retry cooldown")
          yield* advance(1)
          assert.deepStrictEqual(
            replacement.calls.map((call) => [call.sessionKey ?? call.agentId, call.at]),
            [
              [MAIN, 1250],
              ["billing", 1250],
            ],
          )
          yield* advance(5000)
          assert.strictEqual(replacement.calls.length, 2)
        }),
      ),
  )
})

describe("WakeScheduler.settled", () => {
  it.effect("waits for a firing timer's batch to be handed over and recorded, and re-armed", () =>
    withScheduler(
      Effect.gen(function* () {
        const scheduler = yield* WakeScheduler
        const release = yield* Deferred.make<void>()
        yield* scheduler.setHandler(() =>
          Deferred.await(release).pipe(
            Effect.as({ status: "skipped", reason: "lanes-busy" } satisfies HeartbeatRunResult),
          ),
        )
        yield* Fiber.join(yield* Effect.forkChild(scheduler.settled))
        yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", sessionKey: MAIN })
        yield* advance(250)
        const waiting = yield* Effect.forkChild(scheduler.settled)
        yield* advance(0)
        assert.isUndefined(waiting.pollUnsafe(), "the handler has not answered yet")
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(waiting)
        const records = yield* wakeRecords
        assert.deepStrictEqual(
          records.map((record) => record.type),
          ["HeartbeatWakeRequested", "HeartbeatWakeSkipped"],
        )
        assert.strictEqual((yield* scheduler.timer)?.kind, "retry")
      }),
    ),
  )
})

describe("WakeScheduler after a restart", () => {
  it.effect("restores the wakes the log still owes and runs them once a handler is set", () =>
    Effect.gen(function* () {
      const store = makeMemoryEventStore({ now: () => 0 })
      // First life: an event and its wake are recorded, then the process dies before the timer fires.
      yield* withScheduler(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const scheduler = yield* WakeScheduler
          yield* ledger.configureAgent({ agentId: "ops" })
          yield* ledger.enqueue(EXEC_DONE, { sessionKey: MAIN })
          yield* scheduler.requestHeartbeat({ source: "exec-event", intent: "event", sessionKey: MAIN })
          // A served wake is not owed again.
          yield* scheduler.requestHeartbeat({ source: "cron", intent: "event", agentId: "served" })
          yield* ledger.runHeartbeat({ agentId: "served", reason: "cron" })
        }),
        store,
      )
      // Second life on the same log.
      yield* withScheduler(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const scheduler = yield* WakeScheduler
          const owed = yield* scheduler.pending
          assert.deepStrictEqual(
            owed.map((wake) => [wake.source, wake.sessionKey]),
            [["exec-event", MAIN]],
          )
          const { calls, handler } = scriptedHandler()
          yield* scheduler.setHandler(handler)
          yield* advance(250)
          assert.deepStrictEqual(
            calls.map((call) => call.runs.map((run) => run.shown.map((event) => event.text))),
            [[[EXEC_DONE]]],
          )
          assert.deepStrictEqual(yield* ledger.peek(MAIN), [])
        }),
        store,
      )
      // Third life: nothing is owed any more.
      yield* withScheduler(
        Effect.gen(function* () {
          assert.deepStrictEqual(yield* (yield* WakeScheduler).pending, [])
        }),
        store,
      )
    }),
  )
})
