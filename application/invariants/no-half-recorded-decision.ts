/**
 * "No half-recorded decision": every decision's events are all in the log (log-facts.ts says what
 * one decision writes together) — an accepted enqueue with its wake and its eviction, a wake or
 * an eviction with the enqueue it belongs to, a sweep summary with the queue prunes it names and
 * each queue prune with its summary, a heartbeat run consuming what it shows.
 */
import { type Invariant, invariantOf } from "./invariant.ts"
import { type LogFacts, missingFromOpenDecision, unmatchedPrunes } from "./log-facts.ts"

export const judgeNoHalfRecordedDecision = (facts: LogFacts): Invariant =>
  invariantOf(
    "no-half-recorded-decision",
    [facts.halfRecorded, missingFromOpenDecision(facts), unmatchedPrunes(facts)],
    "every decision's events are all recorded",
    (count, first) => `${count} decision(s) recorded in part, e.g. ${first?.reason}`,
  )
