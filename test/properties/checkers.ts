/**
 * The properties of domain.md §8 as checkers: pure functions from what a run produced (its
 * trace, its log, its audit report) to a list of violations. An empty list means the property
 * holds for that run. Keeping them separate from the tests lets each one be run against a
 * deliberately broken input, to show that it can fail.
 *
 * The oracles here are written from domain.md, not from the implementation: session keys are
 * parsed by a small parser of their own, the expected queue is built from the captured policy,
 * and accounting is recomputed from the ledger's return values with plain arrays.
 */
import { isDeepStrictEqual } from "node:util"
import { Effect } from "effect"
import { foldPage, type LogFold } from "../../application/decoded-log.ts"
import type { EventStoreShape, RecordedEvent } from "../../application/event-store.ts"
import { UndecodableEvent } from "../../application/event-store-errors.ts"
import { type Invariant, invariantsOfLog } from "../../application/invariants.ts"
import type { LedgerView } from "../../application/ledger-view.ts"
import type { AuditReport } from "../../application/projections/audit.ts"
import {
  applyRecords,
  type Checkpointed,
  catchUpProjection,
  initial,
  type Projection,
} from "../../application/projections/projection.ts"
import { queuesProjection } from "../../application/projections/queues.ts"
import type { LedgerEvent, RejectionReason } from "../../domain/events.ts"
import { resolveHeartbeatSession, resolveWakeRuns } from "../../domain/heartbeat.ts"
import { buildAgentMainSessionKey } from "../../domain/session-key.ts"
import type { SessionPolicy } from "../../domain/session-policy.ts"
import { normalizeJSON } from "./harness.ts"
import { CANONICAL_AGENTS, isCronRunKind, policyKey, type Trace } from "./workload.ts"

// ── small independent oracles (domain.md §2, §5) ───────────────────────────────────────────

/** §2 normalizeAgentId: lower-cased; characters outside `[a-z0-9_-]` collapse to "-"; `main` if empty. */
export function agentIdOf(value: string): string {
  const id = value.trim().toLowerCase()
  if (/^[a-z0-9][a-z0-9_-]{0,63}$/.test(id)) return id
  return (
    id
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 64) || "main"
  )
}

/**
 * §2: the (normalised) agent of `agent:<agentId>:<rest>` — trimmed, lower-cased, empty parts
 * dropped, three parts at least.
 */
export function agentOfKey(key: string): string | undefined {
  const parts = key.trim().toLowerCase().split(":").filter(Boolean)
  if (parts.length < 3 || parts[0] !== "agent") return undefined
  const agentId = parts[1]?.trim()
  return agentId ? agentIdOf(agentId) : undefined
}

/** §2: a cron run (and, by the fixed rule, its descendants); the legacy rule counts the run alone. */
export function isCronRunKey(key: string, rule: "fixed" | "legacy"): boolean {
  const parts = key.trim().toLowerCase().split(":").filter(Boolean)
  if (parts.length < 3 || parts[0] !== "agent") return false
  const rest = parts.slice(2).join(":")
  return rule === "fixed" ? /^cron:[^:]+:run:[^:]+(?::|$)/.test(rest) : /^cron:[^:]+:run:[^:]+$/.test(rest)
}

/** §2 normalizeMainKey. */
const mainKeyOf = (mainKey: string | undefined): string => mainKey?.trim().toLowerCase() || "main"

/** §3/§5: the queue an agent's heartbeat drains under a policy (no `heartbeat.session` set). */
export const drainedQueueOf = (agentId: string, policy: SessionPolicy): string =>
  policy.scope === "global" ? "global" : `agent:${agentId}:${mainKeyOf(policy.mainKey)}`

/** §5 isExecCompletionEvent. */
const isExecCompletion = (text: string): boolean => {
  const t = text.toLowerCase().trimStart()
  return (
    /^exec finished(?::|\s*\()/.test(t) ||
    /^exec (completed|failed) \([a-z0-9_-]{1,64}, (code -?\d+|signal [^)]+)\)( :: .*)?$/.test(t)
  )
}

/** §5 heartbeat noise. */
const isNoise = (text: string): boolean => {
  const t = text.trim().toLowerCase()
  return /^heartbeat_ok(?![a-z0-9_])/.test(t) || t.includes("heartbeat poll") || t.includes("heartbeat wake")
}

/**
 * §5 and OpenClaw 2026.5.12's runner: a run looks at its queue only for an exec-event or cron
 * wake, a wake payload (hook, ACP spawn, reason `wake`), or a `cron:`-tagged event; it then
 * shows exec completions alone, else cron texts (tagged, or any on a cron wake), else all. Its
 * agent turn also drains every event but exec completions, as a reply turn does.
 */
const expectedRun = (
  queue: ReadonlyArray<ModelEvent>,
  wake: { readonly source?: string | undefined; readonly reason?: string | undefined },
): { shown: string[]; consumed: string[] } => {
  const reason = (wake.reason ?? "").trim()
  const fromReason =
    reason === "exec-event"
      ? "exec-event"
      : reason.startsWith("cron:")
        ? "cron"
        : reason === "wake" || reason.startsWith("hook:")
          ? "hook"
          : reason.startsWith("acp:spawn:")
            ? "acp-spawn"
            : undefined
  const source = wake.source ?? fromReason
  const tagged = (event: ModelEvent) => event.contextKey?.startsWith("cron:") === true
  const looks =
    ["exec-event", "cron", "hook", "acp-spawn"].includes(source ?? "") ||
    reason === "wake" ||
    queue.some(tagged)
  const execs = queue.filter((event) => isExecCompletion(event.text))
  const crons = queue.filter(
    (event) => (source === "cron" || tagged(event)) && event.text.trim() !== "" && !isNoise(event.text),
  )
  const shown = !looks ? [] : execs.length > 0 ? execs : crons.length > 0 ? crons : queue
  const consumed = queue.filter((event) => shown.includes(event) || !isExecCompletion(event.text))
  return { shown: shown.map((event) => event.id), consumed: consumed.map((event) => event.id) }
}

const ledgerEvents: LogFold<LedgerEvent[]> = {
  init: () => [],
  ledger: (events, event) => {
    events.push(event)
    return events
  },
}

/** The records' ledger events, through the one read path; an undecodable one throws. */
export const decodeLog = (records: ReadonlyArray<RecordedEvent>): LedgerEvent[] => {
  const folded = foldPage(ledgerEvents, { state: [], position: 0, records: 0 }, records, {
    positions: "as-stored",
  })
  if (folded instanceof UndecodableEvent) throw new Error(folded.message)
  return folded.state
}

// ── P1: nothing stranded ───────────────────────────────────────────────────────────────────

/**
 * Every source call whose work ran under a cron-run key (or a descendant) enqueues into the
 * queue its agent's heartbeat drains under the policy captured at the work's start — the
 * agent's main key for per-sender, `global` for global scope — and sends a wake that reaches
 * that agent (and, per-sender, that queue). After the final heartbeats, none of those events is
 * still queued, let alone stranded. `report` is the audit report taken after the final drain.
 */
export function checkNothingStranded(trace: Trace, report: AuditReport): string[] {
  const violations: string[] = []
  const enabled = [...CANONICAL_AGENTS]
  const cronEvents = new Set<string>()
  trace.attempts.forEach((attempt, index) => {
    if (!isCronRunKind(attempt.originKind)) return
    // A node's repeated report of a run is dropped before any queue, as OpenClaw drops it: it
    // has no queue to be stranded in (the first report of the run is checked like any other).
    if (attempt.result.rejectedBecause === "repeated-run") return
    const call = `call ${index + 1} (${attempt.emission.source} from ${JSON.stringify(attempt.origin)})`
    if (policyKey(attempt.snapshot) !== policyKey(attempt.configAtStart)) {
      violations.push(
        `${call}: the policy snapshot ${policyKey(attempt.snapshot)} is not the config at the work's start ${policyKey(attempt.configAtStart)}`,
      )
    }
    const scope = attempt.snapshot.scope ?? "per-sender"
    const expected =
      scope === "global"
        ? "global"
        : buildAgentMainSessionKey({ agentId: attempt.agent, mainKey: attempt.snapshot.mainKey })
    if (attempt.result.queueKey !== expected) {
      violations.push(
        `${call}: enqueued into ${JSON.stringify(attempt.result.queueKey)}, but under the captured policy ` +
          `${attempt.agent}'s heartbeat drains ${JSON.stringify(expected)}`,
      )
    }
    if (attempt.result.accepted) cronEvents.add(attempt.result.eventId)
    const wake = attempt.result.wake
    if (wake === undefined) {
      if (attempt.result.accepted) violations.push(`${call}: accepted but sent no wake`)
      return
    }
    const runs = resolveWakeRuns(wake, enabled)
    const [first] = runs
    if (runs.length !== 1 || first === undefined || first.agentId !== attempt.agent) {
      violations.push(
        `${call}: its wake ${JSON.stringify(wake)} runs ${JSON.stringify(runs.map((r) => r.agentId))}, not just ${attempt.agent}`,
      )
      return
    }
    if (scope === "global") {
      if (
        wake.agentId === undefined ||
        agentIdOf(wake.agentId) !== attempt.agent ||
        wake.sessionKey !== undefined
      ) {
        violations.push(
          `${call}: in global scope the wake must name agent ${attempt.agent} only, got ${JSON.stringify(wake)}`,
        )
      }
      return
    }
    const reached = resolveHeartbeatSession(
      { session: attempt.snapshot },
      attempt.agent,
      undefined,
      first.forcedSessionKey,
    ).sessionKey
    if (reached !== expected) {
      violations.push(
        `${call}: its wake ${JSON.stringify(wake)} runs ${attempt.agent}'s heartbeat on ${JSON.stringify(reached)}, not ${JSON.stringify(expected)}`,
      )
    }
  })
  for (const event of report.stranded) {
    if (cronEvents.has(event.eventId)) {
      violations.push(
        `event ${JSON.stringify(event.text)} from ${JSON.stringify(event.origin)} is stranded in ${JSON.stringify(event.queueKey)}`,
      )
    }
  }
  for (const event of report.pending) {
    if (cronEvents.has(event.eventId)) {
      violations.push(
        `event ${JSON.stringify(event.text)} from ${JSON.stringify(event.origin)} is still queued in ${JSON.stringify(event.queueKey)} after the final heartbeats`,
      )
    }
  }
  return violations
}

// ── P2: no cross-agent leakage ─────────────────────────────────────────────────────────────

/** The product's invariants of a store's log (application/invariants.ts): the one implementation. */
const invariantsOf = (store: EventStoreShape): Promise<ReadonlyArray<Invariant>> =>
  Effect.runPromise(invariantsOfLog(store))

const violationsOf = (invariant: Invariant | undefined): string[] =>
  invariant === undefined || invariant.holds
    ? []
    : (invariant.violations ?? [{ reason: invariant.detail }]).map(
        (violation) =>
          `${invariant.name}: ${violation.position === undefined ? "" : `position ${violation.position}: `}${violation.reason}`,
      )

/**
 * Under per-sender scope (as captured by the work), an event from agent A's work never lands in
 * another agent's queue, its wake never targets another agent, and no other agent's heartbeat
 * consumes it. Judged on the log alone, by the product's "no-cross-agent-leakage" invariant.
 */
export async function checkNoLeakage(store: EventStoreShape): Promise<string[]> {
  const invariants = await invariantsOf(store)
  return violationsOf(invariants.find((invariant) => invariant.name === "no-cross-agent-leakage"))
}

// ── P3: accounting ─────────────────────────────────────────────────────────────────────────

export type Fate = "rejected" | "consumed" | "evicted" | "pruned" | "pending" | "stranded"

export interface ReferenceCounts {
  attempts: number
  accepted: number
  rejected: number
  rejectedByReason: Record<RejectionReason, number>
  consumed: number
  evicted: number
  pruned: number
  pending: number
  stranded: number
}

interface ModelEvent {
  readonly id: string
  readonly text: string
  readonly contextKey: string | undefined
  readonly trusted: boolean
  readonly agent: string
}

interface ModelQueue {
  events: ModelEvent[]
}

/**
 * OpenClaw 2026.5.12's duplicate rule: without a contextKey a text repeats only the newest
 * queued event; with one, any queued event (same text, contextKey and trust).
 */
const isDuplicate = (queue: ModelQueue, incoming: Omit<ModelEvent, "id" | "agent">): boolean => {
  const repeats = (event: ModelEvent | undefined) =>
    event !== undefined &&
    event.text === incoming.text &&
    event.contextKey === incoming.contextKey &&
    event.trusted === incoming.trusted
  return incoming.contextKey === undefined
    ? repeats(queue.events[queue.events.length - 1])
    : queue.events.some(repeats)
}

export interface Reference {
  readonly agents: ReadonlyMap<string, ReferenceCounts>
  readonly totals: ReferenceCounts
  readonly fates: ReadonlyMap<string, Fate>
  /** Queue key → ids still queued, oldest first. */
  readonly queues: ReadonlyMap<string, ReadonlyArray<string>>
  /** Where the ledger's answers contradict §4/§5 as the reference reads them. */
  readonly problems: ReadonlyArray<string>
}

const zeroCounts = (): ReferenceCounts => ({
  attempts: 0,
  accepted: 0,
  rejected: 0,
  rejectedByReason: { "blank-text": 0, duplicate: 0, "missing-session-key": 0 },
  consumed: 0,
  evicted: 0,
  pruned: 0,
  pending: 0,
  stranded: 0,
})

const MAX_QUEUED = 20
const RETENTION_MS = 3_600_000
const UNSCOPED = "(unscoped)"

/**
 * Recomputes every attempt's fate from the ledger's return values alone (RecordResults,
 * heartbeat runs, prune results) with plain arrays, predicting acceptance, eviction and what
 * each heartbeat shows from domain.md, and flags every answer that contradicts the prediction.
 */
export function referenceAccounting(trace: Trace): Reference {
  const problems: string[] = []
  const queues = new Map<string, ModelQueue>()
  const fates = new Map<string, Fate>()
  const attributedAgent = new Map<string, string>()
  /** Canonical session key (the origin, trimmed and lower-cased) → its last enqueue attempt. */
  const sessions = new Map<string, number>()
  const queueOf = (key: string): ModelQueue => {
    let queue = queues.get(key)
    if (queue === undefined) {
      queue = { events: [] }
      queues.set(key, queue)
    }
    return queue
  }
  const settle = (id: string, fate: Fate) => {
    const previous = fates.get(id)
    if (previous !== undefined) problems.push(`event ${id} has two fates: ${previous} and ${fate}`)
    fates.set(id, fate)
  }
  for (const item of trace.items) {
    switch (item.kind) {
      case "attempt": {
        const { result, emission } = item
        const agent = agentOfKey(emission.origin) ?? agentOfKey(result.queueKey) ?? UNSCOPED
        attributedAgent.set(result.eventId, agent)
        const session = emission.origin.trim().toLowerCase()
        sessions.set(session, Math.max(item.at, sessions.get(session) ?? item.at))
        const queue = queueOf(result.queueKey)
        const text = emission.text.trim()
        const contextKey = emission.contextKey?.trim().toLowerCase() || undefined
        const probe = { text, contextKey, trusted: emission.trusted }
        const predicted = text === "" ? "blank-text" : isDuplicate(queue, probe) ? "duplicate" : "accepted"
        const actual = result.accepted ? "accepted" : (result.rejectedBecause ?? "rejected without a reason")
        if (predicted !== actual) {
          problems.push(
            `${JSON.stringify(emission.text)} into ${JSON.stringify(result.queueKey)}: expected ${predicted}, ledger said ${actual}`,
          )
        }
        if (!result.accepted) {
          settle(result.eventId, "rejected")
          break
        }
        queue.events.push({ id: result.eventId, ...probe, agent })
        const evicted = queue.events.length > MAX_QUEUED ? queue.events.shift() : undefined
        if (evicted?.id !== result.evictedEventId) {
          problems.push(
            `accepting ${result.eventId} should evict ${evicted?.id ?? "nothing"}, ledger evicted ${result.evictedEventId ?? "nothing"}`,
          )
        }
        if (evicted !== undefined) settle(evicted.id, "evicted")
        break
      }
      case "heartbeat":
        for (const run of item.runs) {
          const queue = queueOf(run.queueKey)
          const got = {
            shown: run.shown.map((event) => event.eventId),
            consumed: run.consumed.map((event) => event.eventId),
          }
          const expected = expectedRun(queue.events, item.wake)
          if (!isDeepStrictEqual(got, expected)) {
            problems.push(
              `${run.agentId}'s heartbeat on ${JSON.stringify(run.queueKey)} showed/consumed ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`,
            )
          }
          for (const id of got.consumed) settle(id, "consumed")
          const consumed = new Set(got.consumed)
          queue.events = queue.events.filter((event) => !consumed.has(event.id))
          // An emptied queue is forgotten (§4: drained queues are; OpenClaw does the same on consume).
          if (queue.events.length === 0) queues.delete(run.queueKey)
        }
        break
      case "prune": {
        // §7: cron-run sessions (by the routing's rule) idle for longer than the retention (1 h
        // in these workloads; sweeps are hours apart, so never throttled) lose their queues,
        // whatever case the queue key is spelled in.
        const cutoff = item.at - RETENTION_MS
        const expired = new Set(
          [...sessions]
            .filter(([key, last]) => isCronRunKey(key, item.routing) && last < cutoff)
            .map(([key]) => key),
        )
        const expectedLost = [...queues]
          .filter(([key]) => expired.has(key.trim().toLowerCase()))
          .flatMap(([, queue]) => queue.events.map((event) => event.id))
        const lost = [...item.result.lostEventIds]
        if (!isDeepStrictEqual(new Set(lost), new Set(expectedLost))) {
          problems.push(
            `the sweep at ${item.at} lost ${JSON.stringify(lost)}, expected ${JSON.stringify(expectedLost)}`,
          )
        }
        if (!isDeepStrictEqual(new Set(item.result.prunedSessions), expired)) {
          problems.push(
            `the sweep at ${item.at} pruned sessions ${JSON.stringify(item.result.prunedSessions)}, expected ${JSON.stringify([...expired])}`,
          )
        }
        const lostSet = new Set(lost)
        for (const [key, queue] of queues) {
          if (!queue.events.some((event) => lostSet.has(event.id))) continue
          for (const event of queue.events) {
            if (!lostSet.has(event.id)) problems.push(`pruning ${JSON.stringify(key)} kept ${event.id}`)
          }
          queues.delete(key)
        }
        for (const id of lost) settle(id, "pruned")
        for (const key of expired) sessions.delete(key)
        break
      }
      case "config":
        break
    }
  }
  const drained = new Set([...trace.finalConfig].map(([agent, policy]) => drainedQueueOf(agent, policy)))
  const remaining = new Map<string, ReadonlyArray<string>>()
  for (const [key, queue] of queues) {
    if (queue.events.length === 0) continue
    remaining.set(
      key,
      queue.events.map((event) => event.id),
    )
    for (const event of queue.events) settle(event.id, drained.has(key) ? "pending" : "stranded")
  }
  const agents = new Map<string, ReferenceCounts>()
  const totals = zeroCounts()
  for (const agent of CANONICAL_AGENTS) agents.set(agent, zeroCounts())
  const add = (counts: ReferenceCounts, fate: Fate, reason: RejectionReason | undefined) => {
    counts.attempts++
    if (fate === "rejected") {
      counts.rejected++
      if (reason !== undefined) counts.rejectedByReason[reason]++
      return
    }
    counts.accepted++
    counts[fate]++
  }
  for (const attempt of trace.attempts) {
    // A node's repeated report of a run is dropped before it is recorded (as OpenClaw drops it).
    const rejectedBecause = attempt.result.rejectedBecause
    if (rejectedBecause === "repeated-run") continue
    const id = attempt.result.eventId
    const fate = fates.get(id)
    const agent = attributedAgent.get(id) ?? UNSCOPED
    if (fate === undefined) {
      problems.push(`event ${id} has no fate`)
      continue
    }
    let counts = agents.get(agent)
    if (counts === undefined) {
      counts = zeroCounts()
      agents.set(agent, counts)
    }
    add(counts, fate, rejectedBecause)
    add(totals, fate, rejectedBecause)
  }
  return { agents, totals, fates, queues: remaining, problems }
}

const COUNT_FIELDS = [
  "attempts",
  "accepted",
  "rejected",
  "consumed",
  "evicted",
  "pruned",
  "pending",
  "stranded",
] as const

/**
 * Every attempt has exactly one fate: the product's invariants hold on the log (accounting — the
 * counts add up per agent and the log's facts allow one fate per attempt — and the log's
 * integrity; "nothing stranded" is P1's business), the report's counts equal the reference's,
 * and the ledger's live queues hold exactly what the reference says is left.
 */
export async function checkAccounting(
  trace: Trace,
  report: AuditReport,
  view: LedgerView,
): Promise<string[]> {
  const reference = referenceAccounting(trace)
  const violations = [...reference.problems]
  for (const invariant of await invariantsOf(trace.env.store)) {
    if (invariant.name !== "nothing-stranded") violations.push(...violationsOf(invariant))
  }
  for (const field of COUNT_FIELDS) {
    if (report.totals[field] !== reference.totals[field]) {
      violations.push(`total ${field}: report ${report.totals[field]}, reference ${reference.totals[field]}`)
    }
  }
  const reportAgents = new Map(report.agents.map((agent) => [agent.agentId, agent]))
  for (const agentId of new Set([...reportAgents.keys(), ...reference.agents.keys()])) {
    const reported = reportAgents.get(agentId)
    const expected = reference.agents.get(agentId) ?? zeroCounts()
    if (reported === undefined) {
      if (expected.attempts > 0) violations.push(`agent ${agentId}: missing from the report`)
      continue
    }
    for (const field of COUNT_FIELDS) {
      if (reported[field] !== expected[field]) {
        violations.push(`agent ${agentId} ${field}: report ${reported[field]}, reference ${expected[field]}`)
      }
    }
    if (!isDeepStrictEqual({ ...reported.rejectedByReason }, expected.rejectedByReason)) {
      violations.push(
        `agent ${agentId} rejections: report ${JSON.stringify(reported.rejectedByReason)}, reference ${JSON.stringify(expected.rejectedByReason)}`,
      )
    }
  }
  const live = new Map<string, ReadonlyArray<string>>()
  for (const [key, queue] of view.queues) {
    if (queue.events.length > 0)
      live.set(
        key,
        queue.events.map((event) => event.eventId),
      )
  }
  if (!isDeepStrictEqual(live, reference.queues)) {
    violations.push(
      `live queues ${JSON.stringify([...live])} differ from the reference ${JSON.stringify([...reference.queues])}`,
    )
  }
  return violations
}

// ── P4: replay ─────────────────────────────────────────────────────────────────────────────

export interface Batch {
  /** How many new records the batch delivers (at least one). */
  readonly size: number
  /** How many already-applied records it delivers again first (at-least-once delivery). */
  readonly redeliver: number
}

/** Applies the log in batches, checkpointing through JSON between them, as a subscriber would. */
export function applyInBatches<S>(
  projection: Projection<S>,
  records: ReadonlyArray<RecordedEvent>,
  batches: ReadonlyArray<Batch>,
): Checkpointed<S> {
  let current = initial(projection)
  let cursor = 0
  for (let index = 0; cursor < records.length; index++) {
    const batch =
      batches.length === 0 ? { size: records.length, redeliver: 0 } : batches[index % batches.length]!
    const from = Math.max(0, cursor - batch.redeliver)
    const to = Math.min(records.length, cursor + Math.max(1, batch.size))
    const next = applyRecords(projection, current, records.slice(from, to))
    if ("_tag" in next) throw new Error(next.message)
    const json = JSON.parse(JSON.stringify(projection.toJSON(next.state)))
    current = { state: projection.fromJSON(json), checkpoint: next.checkpoint }
    cursor = to
  }
  return current
}

/**
 * A full replay (catch-up from scratch) equals the incremental projection fed in batches with
 * JSON checkpoints; for the queues projection, both also equal the live ledger's view.
 */
export async function checkReplay<S>(
  projection: Projection<S>,
  store: EventStoreShape,
  records: ReadonlyArray<RecordedEvent>,
  batches: ReadonlyArray<Batch>,
  live?: S,
): Promise<string[]> {
  const violations: string[] = []
  const full = await Effect.runPromise(catchUpProjection(projection, store))
  const incremental = applyInBatches(projection, records, batches)
  const fullJSON = normalizeJSON(projection.toJSON(full.state))
  if (full.checkpoint !== incremental.checkpoint) {
    violations.push(
      `${projection.name}: full replay ends at ${full.checkpoint}, incremental at ${incremental.checkpoint}`,
    )
  }
  if (!isDeepStrictEqual(fullJSON, normalizeJSON(projection.toJSON(incremental.state)))) {
    violations.push(`${projection.name}: the incremental projection differs from a full replay`)
  }
  if (live !== undefined && !isDeepStrictEqual(fullJSON, normalizeJSON(projection.toJSON(live)))) {
    violations.push(`${projection.name}: a full replay differs from the live state`)
  }
  return violations
}

/** The queues a fresh replay of the log rebuilds, as JSON (for comparing with live ledgers). */
export async function replayedQueues(store: EventStoreShape): Promise<unknown> {
  const replay = await Effect.runPromise(catchUpProjection(queuesProjection, store))
  return normalizeJSON(queuesProjection.toJSON(replay.state))
}
