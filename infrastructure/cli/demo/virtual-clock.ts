/**
 * The demo's time: effect's TestClock, moved forward by the day's plan. Each of the wake
 * scheduler's timers due on the way fires at its own instant, and the clock waits for its run
 * to be recorded (`settled`) before it moves on, so that even an asynchronous store records the
 * day exactly as a synchronous one does: one seed, one log.
 */
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import type { WakeSchedulerShape } from "../../../application/wake-scheduler.ts"
import type { WakeTimer } from "../../../domain/wake.ts"

/** When the armed timer's sleep ends: it was armed `delayMs` before `dueAt` and sleeps `sleepMs`. */
const firesAt = (timer: WakeTimer) => timer.dueAt - timer.delayMs + timer.sleepMs

/** Fires, in order and each at its instant, the scheduler's timers due by `until`. */
const fireTimersUntil = (scheduler: WakeSchedulerShape, until: number) =>
  Effect.gen(function* () {
    for (;;) {
      const armed = yield* scheduler.timer
      if (armed === undefined || firesAt(armed) > until) return
      yield* TestClock.setTime(firesAt(armed))
      yield* scheduler.settled
      // A timer that did not fire would be stepped to for ever.
      if ((yield* scheduler.timer) === armed)
        return yield* Effect.die(new Error("the wake timer did not fire at its instant"))
    }
  })

/** Moves the clock to `at`, firing the scheduler's timers due on the way. */
export const advanceTo = (scheduler: WakeSchedulerShape, at: number) =>
  Effect.andThen(fireTimersUntil(scheduler, at), TestClock.setTime(at))

/** Fires the scheduler's timers until none is armed: the wakes the day still owes. */
export const fireRemainingTimers = (scheduler: WakeSchedulerShape) =>
  fireTimersUntil(scheduler, Number.POSITIVE_INFINITY)
