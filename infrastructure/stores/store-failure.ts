/**
 * One shape for every adapter's failures: what was being done, what failed, and what the
 * operator should check — the last part being each store's own advice.
 */
import { StoreUnavailable } from "../../application/event-store-errors.ts"

export const storeFailure =
  (store: string, advice: string) =>
  (cause: unknown, doing: string): StoreUnavailable =>
    new StoreUnavailable({
      store,
      reason: `${doing} failed (${cause instanceof Error ? cause.message : String(cause)}); ${advice}`,
      cause,
    })
