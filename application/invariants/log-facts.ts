/**
 * The facts of the log the invariants are judged on, gathered in one pass with O(1) work per
 * event and compact state: the ids seen (fingerprints, id-table.ts), the events still queued,
 * each queue's depth, the one decision still open, the sweep records not yet matched, and the
 * violations found so far (bounded lists). Independent of the audit projection and of the
 * ledger's view, so that each can be checked against it.
 *
 * What one decision writes together (application/ledger.ts, domain/queue.ts): an enqueue
 * attempt's `SystemEventEnqueued`/`Rejected`, then the `SystemEventEvicted` its arrival caused
 * (when the queue held 20) and the `HeartbeatWakeRequested` sent with it — one append, so
 * consecutive in the log; a sweep's `QueuePruned` per queue and its `SessionsPruned` summary
 * naming the same events; a heartbeat run's one `HeartbeatRan`, which consumes what it shows.
 */
import type { LedgerEvent } from "../../domain/events.ts"
import { MAX_QUEUED_EVENTS } from "../../domain/queue.ts"
import type { RecordedEvent } from "../event-store.ts"
import { IdTable } from "./id-table.ts"
import { type Violation, Violations } from "./invariant.ts"
import { agentOf, type Leak, leaksOf, leakViolation } from "./no-cross-agent-leakage.ts"

/**
 * What the log says of an attempt id (the mark kept in `attempts`): rejected, or accepted. Whether
 * an accepted one is still queued is `pending`'s to say; its later fate is not marked (one more
 * table write per event, and "queued once, not any more" is all a second fate needs).
 */
const REJECTED = 1
const ACCEPTED = 2
type Fate = "consumed" | "evicted" | "pruned"
const MARK_NAMES = ["never recorded", "rejected", "accepted"]

/** The record fields the facts need: where it is, and its store id. */
export type RecordFacts = Pick<RecordedEvent, "id" | "streamId" | "position">

interface Queued {
  readonly queueKey: string
  readonly position: number
  /** The agent whose per-sender work it is (no other agent's heartbeat may consume it), if any. */
  readonly owner?: string | undefined
}

/** A sweep record waiting for its counterpart (a queue's prune, or the summary naming it). */
interface PruneRecord {
  readonly sessionKey: string
  readonly position: number
  readonly streamId: string
}

/** The enqueue decision whose eviction and wake may still follow. Reused: one per log, not per event. */
interface OpenDecision {
  active: boolean
  eventId: string
  queueKey: string
  position: number
  streamId: string
  expectsWake: boolean
  expectsEviction: boolean
  wakeSeen: boolean
  evictionSeen: boolean
}

export interface LogFactsOptions {
  /** The store promises positions 1, 2, 3… with no holes (`EventStoreShape.holeFreePositions`). */
  readonly positionsWithoutHoles: boolean
  /** How many events the log holds, when known: the id tables are sized once for it. */
  readonly expectedEvents?: number | undefined
}

export class LogFacts {
  lastPosition = 0
  events = 0
  readonly positionsWithoutHoles: boolean
  readonly positions = new Violations()
  recordIds: IdTable
  readonly doubledIds = new Violations()
  attempts: IdTable
  readonly repeatedAttempts = new Violations()
  readonly fates = new Violations()
  readonly pending = new Map<string, Queued>()
  readonly depth = new Map<string, number>()
  readonly open: OpenDecision = {
    active: false,
    eventId: "",
    queueKey: "",
    position: 0,
    streamId: "",
    expectsWake: false,
    expectsEviction: false,
    wakeSeen: false,
    evictionSeen: false,
  }
  readonly halfRecorded = new Violations()
  readonly prunedAwaitingSummary = new Map<string, PruneRecord>()
  readonly summaryAwaitingPrune = new Map<string, PruneRecord>()
  readonly leaks = new Violations()
  firstLeak: Leak | undefined

  constructor(options: LogFactsOptions) {
    this.positionsWithoutHoles = options.positionsWithoutHoles
    this.recordIds = new IdTable(options.expectedEvents)
    // Only enqueue attempts go in: grown as they come, not sized for every event of the log.
    this.attempts = new IdTable()
  }
}

/** Folds one decoded event in. Mutates and returns `facts` (a replay must not copy maps). */
export function evolveLogFacts(facts: LogFacts, event: LedgerEvent, record: RecordFacts): LogFacts {
  const { position, streamId } = record
  facts.events++
  checkRecord(facts, event._tag, record)
  const open = facts.open
  const joins = open.active && joinsOpenDecision(open, event)
  if (open.active && !joins) closeDecision(facts)
  switch (event._tag) {
    case "SystemEventEnqueued":
    case "SystemEventRejected":
      recordAttempt(facts, event, record)
      break
    case "SystemEventEvicted":
      if (joins) open.evictionSeen = true
      if (!joins || !open.expectsEviction) {
        if (!facts.halfRecorded.counted())
          facts.halfRecorded.add({
            reason: joins
              ? `${event.eventId} is evicted by ${event.byEventId}, but ${event.queueKey} held fewer than ${MAX_QUEUED_EVENTS}`
              : `${event.eventId} is evicted by ${event.byEventId}, but that event's enqueue is not recorded with the eviction`,
            eventId: event.eventId,
            position,
            streamId,
          })
      }
      settle(facts, event.eventId, event.queueKey, "evicted", record)
      break
    case "SystemEventsConsumed":
    case "SystemEventsDrained":
      for (const eventId of event.eventIds) settle(facts, eventId, event.queueKey, "consumed", record)
      break
    case "HeartbeatRan": {
      const { shown, consumed } = event
      // The runner consumes what it showed; its reply turn may drain more (domain/heartbeat.ts),
      // so a run that shows an event it does not consume is a decision recorded in part.
      // At most 20 each: a scan, and the missing ones listed only when there are some.
      const unconsumed = shown.every((eventId) => consumed.includes(eventId))
        ? []
        : shown.filter((eventId) => !consumed.includes(eventId))
      if (unconsumed.length > 0) {
        if (!facts.halfRecorded.counted())
          facts.halfRecorded.add({
            reason: `heartbeat run ${event.runId} of ${event.agentId} showed ${shown.length} event(s) but records consuming only ${shown.length - unconsumed.length} of them (${unconsumed[0]} is missing)`,
            eventId: event.runId,
            position,
            streamId,
          })
      }
      for (const eventId of consumed) {
        const owner = settle(facts, eventId, event.queueKey, "consumed", record)?.owner
        if (owner !== undefined && owner !== event.agentId) {
          const leak: Leak = {
            eventId,
            origin: `agent ${owner}'s work`,
            landed: `agent ${event.agentId}'s heartbeat`,
            kind: "heartbeat",
          }
          if (!facts.leaks.counted()) facts.leaks.add(leakViolation(leak, position, streamId))
          facts.firstLeak ??= leak
        }
      }
      break
    }
    case "QueuePruned":
      for (const eventId of event.eventIds) {
        settle(facts, eventId, event.queueKey, "pruned", record)
        matchPrune(facts, facts.summaryAwaitingPrune, facts.prunedAwaitingSummary, eventId, {
          sessionKey: event.sessionKey,
          position,
          streamId,
        })
      }
      break
    // A large sweep's summary continues in bounded parts (decideSweepRecord): each names its own sessions.
    case "SessionsPruned":
    case "SessionsPrunedContinued":
      for (const session of event.sessions) {
        for (const eventId of session.lostEventIds) {
          matchPrune(facts, facts.prunedAwaitingSummary, facts.summaryAwaitingPrune, eventId, {
            sessionKey: session.sessionKey,
            position,
            streamId,
          })
        }
      }
      break
    case "HeartbeatWakeRequested":
      if (joins) open.wakeSeen = true
      else if (event.eventId !== undefined) {
        if (!facts.halfRecorded.counted())
          facts.halfRecorded.add({
            reason: `wake ${event.wakeId} was sent with event ${event.eventId}, but that event's enqueue attempt is not recorded with it`,
            eventId: event.eventId,
            position,
            streamId,
          })
      }
      break
    default:
      break
  }
  return facts
}

/**
 * An observed fact (a gateway plugin's, in a shared store) is no decision of the ledger, but it
 * is a record of the log: its position and its store id count for the log's own integrity.
 */
export function evolveLogFactsObserved(facts: LogFacts, type: string, record: RecordFacts): LogFacts {
  checkRecord(facts, type, record)
  return facts
}

/** The record's place in the log: its position in order, its store id recorded once. */
function checkRecord(facts: LogFacts, type: string, record: RecordFacts): void {
  const { position, streamId } = record
  checkPosition(facts, record)
  if (facts.recordIds.set(record.id, 1) !== 0) {
    if (!facts.doubledIds.counted())
      facts.doubledIds.add({
        reason: `store event id ${record.id} is recorded again at position ${position} (${type} on ${streamId})`,
        eventId: record.id,
        position,
        streamId,
      })
  }
}

function checkPosition(facts: LogFacts, record: RecordFacts): void {
  const { position } = record
  const last = facts.lastPosition
  if (position <= last) {
    if (!facts.positions.counted())
      facts.positions.add({
        reason: `position ${position} comes after position ${last}: positions must increase`,
        eventId: record.id,
        position,
        streamId: record.streamId,
      })
    return
  }
  if (facts.positionsWithoutHoles && position !== last + 1) {
    if (!facts.positions.counted())
      facts.positions.add({
        reason:
          position === last + 2
            ? `position ${last + 1} is missing, and this store never leaves holes`
            : `positions ${last + 1}–${position - 1} are missing, and this store never leaves holes`,
        eventId: record.id,
        position,
        streamId: record.streamId,
      })
  }
  facts.lastPosition = position
}

const joinsOpenDecision = (open: OpenDecision, event: LedgerEvent): boolean =>
  event._tag === "SystemEventEvicted"
    ? event.byEventId === open.eventId && event.queueKey === open.queueKey && !open.evictionSeen
    : event._tag === "HeartbeatWakeRequested" && event.eventId === open.eventId && !open.wakeSeen

/** The open decision is over: whatever it should have written and did not is half-recorded. */
function closeDecision(facts: LogFacts): void {
  const open = facts.open
  open.active = false
  const { halfRecorded } = facts
  if (open.expectsWake && !open.wakeSeen && !halfRecorded.counted()) halfRecorded.add(missingWake(open))
  if (open.expectsEviction && !open.evictionSeen && !halfRecorded.counted())
    halfRecorded.add(missingEviction(open))
}

const missingWake = (open: OpenDecision): Violation => ({
  reason: `event ${open.eventId} was accepted into ${open.queueKey} with a wake, but no wake is recorded with it`,
  eventId: open.eventId,
  position: open.position,
  streamId: open.streamId,
})

const missingEviction = (open: OpenDecision): Violation => ({
  reason: `event ${open.eventId} was accepted into ${open.queueKey}, which held ${MAX_QUEUED_EVENTS} already, but no eviction is recorded with it`,
  eventId: open.eventId,
  position: open.position,
  streamId: open.streamId,
})

/** What the decision still open would lack if the log ended here (judged at the end, without closing it). */
export function missingFromOpenDecision(facts: LogFacts): Violations {
  const open = facts.open
  const missing = new Violations()
  if (!open.active) return missing
  if (open.expectsWake && !open.wakeSeen) missing.add(missingWake(open))
  if (open.expectsEviction && !open.evictionSeen) missing.add(missingEviction(open))
  return missing
}

function recordAttempt(
  facts: LogFacts,
  event: Extract<LedgerEvent, { _tag: "SystemEventEnqueued" | "SystemEventRejected" }>,
  record: RecordFacts,
): void {
  const { position, streamId } = record
  const accepted = event._tag === "SystemEventEnqueued"
  const previous = facts.attempts.set(event.eventId, accepted ? ACCEPTED : REJECTED)
  if (previous !== 0) {
    // Keep what is known of the first: a rejected repeat must not hide that it was accepted.
    if (!accepted && previous === ACCEPTED) facts.attempts.set(event.eventId, previous)
    if (!facts.repeatedAttempts.counted())
      facts.repeatedAttempts.add({
        reason: `enqueue attempt ${event.eventId} is recorded again at position ${position} (first ${MARK_NAMES[previous]})`,
        eventId: event.eventId,
        position,
        streamId,
      })
  }
  const originAgent = agentOf(event.provenance.origin)
  if (originAgent !== undefined) {
    for (const leak of leaksOf(event, originAgent)) {
      if (!facts.leaks.counted()) facts.leaks.add(leakViolation(leak, position, streamId))
      facts.firstLeak ??= leak
    }
  }
  let depth = 0
  if (accepted) {
    depth = facts.depth.get(event.queueKey) ?? 0
    facts.depth.set(event.queueKey, depth + 1)
    facts.pending.set(event.eventId, {
      queueKey: event.queueKey,
      position,
      owner: ownerOf(event, originAgent),
    })
  }
  const open = facts.open
  open.active = true
  open.eventId = event.eventId
  open.queueKey = event.queueKey
  open.position = position
  open.streamId = streamId
  open.expectsWake = accepted && event.provenance.wake !== undefined
  open.expectsEviction = accepted && depth >= MAX_QUEUED_EVENTS
  open.wakeSeen = false
  open.evictionSeen = false
}

/** Per-sender work routed by a source belongs to its origin's agent; raw calls and global scope to none. */
const ownerOf = (
  event: Extract<LedgerEvent, { _tag: "SystemEventEnqueued" | "SystemEventRejected" }>,
  originAgent: string | undefined,
): string | undefined =>
  event.provenance.routing === "raw" || (event.provenance.policy.scope ?? "per-sender") !== "per-sender"
    ? undefined
    : originAgent

/** One terminal fate for `eventId`: it must be queued, in this very queue. Returns it when it was. */
function settle(
  facts: LogFacts,
  eventId: string,
  queueKey: string,
  fate: Fate,
  record: RecordFacts,
): Queued | undefined {
  const queued = facts.pending.get(eventId)
  if (queued !== undefined && queued.queueKey === queueKey) {
    facts.pending.delete(eventId)
    const depth = (facts.depth.get(queueKey) ?? 1) - 1
    if (depth === 0) facts.depth.delete(queueKey)
    else facts.depth.set(queueKey, depth)
    return queued
  }
  const mark = queued === undefined ? facts.attempts.get(eventId) : ACCEPTED
  const what = fate
  if (!facts.fates.counted())
    facts.fates.add({
      reason:
        queued !== undefined
          ? `event ${eventId} is ${what} from ${queueKey}, but it was accepted into ${queued.queueKey}`
          : mark === 0
            ? `event ${eventId} is ${what} from ${queueKey}, but no enqueue attempt with that id is recorded before`
            : mark === REJECTED
              ? `event ${eventId} is ${what} from ${queueKey}, but it was rejected, never queued`
              : `event ${eventId} is ${what} from ${queueKey} after it had left its queue (consumed, evicted or pruned before): a second fate`,
      eventId,
      position: record.position,
      streamId: record.streamId,
    })
  return undefined
}

/** Matches a sweep record with its counterpart by event id, or leaves it waiting in `mine`. */
function matchPrune(
  facts: LogFacts,
  theirs: Map<string, PruneRecord>,
  mine: Map<string, PruneRecord>,
  eventId: string,
  record: PruneRecord,
): void {
  const counterpart = theirs.get(eventId)
  if (counterpart === undefined) {
    mine.set(eventId, record)
    return
  }
  theirs.delete(eventId)
  if (counterpart.sessionKey !== record.sessionKey) {
    if (!facts.halfRecorded.counted())
      facts.halfRecorded.add({
        reason: `event ${eventId} is pruned with session ${counterpart.sessionKey} at position ${counterpart.position}, but the sweep records it lost from ${record.sessionKey}`,
        eventId,
        position: record.position,
        streamId: record.streamId,
      })
  }
}

/** The sweep records still unmatched at the end of the log, as violations. */
export function unmatchedPrunes(facts: LogFacts): Violations {
  const violations = new Violations()
  for (const [eventId, record] of facts.prunedAwaitingSummary) {
    violations.add({
      reason: `event ${eventId} was pruned from session ${record.sessionKey}'s queue, but no sweep summary (SessionsPruned) names it`,
      eventId,
      position: record.position,
      streamId: record.streamId,
    })
  }
  for (const [eventId, record] of facts.summaryAwaitingPrune) {
    violations.add({
      reason: `the sweep summary says session ${record.sessionKey} lost event ${eventId}, but no queue records pruning it`,
      eventId,
      position: record.position,
      streamId: record.streamId,
    })
  }
  return violations
}
