/**
 * "No doubled event id": the store's idempotency key of an event (its store event id) appears at
 * one position only. The same id twice means one fact was recorded twice — a re-import or a
 * concurrent writer the store did not deduplicate, or a copied row.
 */
import { type Invariant, invariantOf } from "./invariant.ts"
import type { LogFacts } from "./log-facts.ts"

export const judgeNoDoubledEventId = (facts: LogFacts): Invariant =>
  invariantOf(
    "no-doubled-event-id",
    [facts.doubledIds],
    "every store event id is recorded at one position only",
    (count, first) =>
      `${count} event(s) recorded again under an id already in the log, e.g. ${first?.reason}`,
  )
