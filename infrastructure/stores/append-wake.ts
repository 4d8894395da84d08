/**
 * How a catch-up subscription of a durable store learns that something was appended: an
 * in-process signal (appends through this store object, or a database notification) raced with
 * a poll of the store's head. The poll alone is correct, the signal only makes it prompt; so a
 * lost signal can delay an event by one poll interval but never lose it.
 */
import { type Duration, Effect } from "effect"
import type { StoreUnavailable } from "../../application/event-store-errors.ts"

export interface AppendWake {
  /** Wakes every subscription waiting now. */
  readonly notify: () => void
  /** Completes once the head is past `position` or a signal arrives, whichever is first. */
  readonly waitForAppend: (position: number) => Effect.Effect<void, StoreUnavailable>
}

export function makeAppendWake(
  headPosition: Effect.Effect<number, StoreUnavailable>,
  pollEvery: Duration.Input,
): AppendWake {
  let waiters = new Set<() => void>()
  const signal = Effect.callback<void>((resume) => {
    const wake = () => resume(Effect.void)
    waiters.add(wake)
    return Effect.sync(() => {
      waiters.delete(wake)
    })
  })
  const poll = (position: number) =>
    Effect.gen(function* () {
      while ((yield* headPosition) <= position) yield* Effect.sleep(pollEvery)
    })
  return {
    notify: () => {
      const woken = waiters
      waiters = new Set()
      for (const wake of woken) wake()
    },
    waitForAppend: (position) => Effect.raceFirst(signal, poll(position)),
  }
}
