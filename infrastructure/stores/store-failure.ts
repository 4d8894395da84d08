/**
 * One shape for every adapter's failures: what was being done, what failed, and what the
 * operator should check — the last part being each store's own advice.
 */
import { Effect } from "effect"
import { StoreUnavailable } from "../../application/event-store-errors.ts"

export const storeFailure =
  (store: string, advice: string) =>
  (cause: unknown, doing: string): StoreUnavailable =>
    new StoreUnavailable({
      store,
      reason: `${doing} failed (${cause instanceof Error ? cause.message : String(cause)}); ${advice}`,
      cause,
    })

/** Runs a promise-returning driver call, turning a rejection into the store's failure. */
export const storeAttempt =
  (unavailable: ReturnType<typeof storeFailure>) =>
  <A>(doing: string, run: () => Promise<A>): Effect.Effect<A, StoreUnavailable> =>
    Effect.tryPromise({ try: run, catch: (cause) => unavailable(cause, doing) })
