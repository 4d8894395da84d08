/**
 * The event catalogue: every fact the ledger records, as Effect Schemas. The store holds the
 * encoded JSON plus `type` and `version`; `event-codec.ts` decodes it and upcasts older
 * versions. docs/events.md describes each event and who emits and reads it.
 */
import { Schema } from "effect"
import { SessionScopeSchema } from "./session-policy.ts"
import { SOURCE_KINDS } from "./source-kind.ts"

/** Epoch milliseconds. The domain never reads a clock: commands carry the time. */
export const Millis = Schema.Number.check(Schema.isInt())

export const SessionPolicySchema = Schema.Struct({
  mainKey: Schema.optionalKey(Schema.String),
  scope: Schema.optionalKey(SessionScopeSchema),
})

/** Where a reply goes (OpenClaw's normalized DeliveryContext: a numeric thread id stays a number). */
export const DeliveryContextSchema = Schema.Struct({
  channel: Schema.optionalKey(Schema.String),
  to: Schema.optionalKey(Schema.String),
  accountId: Schema.optionalKey(Schema.String),
  threadId: Schema.optionalKey(Schema.Union([Schema.String, Schema.Number])),
})
export type DeliveryContext = typeof DeliveryContextSchema.Type

/** The wake a source sends with its event (OpenClaw's wake options after scoping). */
export const WakeRequestSchema = Schema.Struct({
  agentId: Schema.optionalKey(Schema.String),
  sessionKey: Schema.optionalKey(Schema.String),
  source: Schema.String,
  reason: Schema.String,
  intent: Schema.optionalKey(Schema.String),
  coalesceMs: Schema.optionalKey(Schema.Number),
})
export type WakeRequest = typeof WakeRequestSchema.Type

/** Where an enqueue attempt came from and how it was routed. */
export const ProvenanceSchema = Schema.Struct({
  source: Schema.Literals(SOURCE_KINDS),
  /** The session the work ran under, as the source gave it. */
  origin: Schema.String,
  /** The session policy snapshotted when the work started. */
  policy: SessionPolicySchema,
  /** `raw`: enqueued through the low-level API, which never remaps (as in OpenClaw). */
  routing: Schema.Literals(["fixed", "legacy", "raw"]),
  wake: Schema.optionalKey(WakeRequestSchema),
  /** A node's `exec.finished`: the run it reported (the repeated-run rule's memory). */
  finishedRunId: Schema.optionalKey(Schema.String),
})
export type Provenance = typeof ProvenanceSchema.Type

export const RejectionReasonSchema = Schema.Literals(["blank-text", "duplicate", "missing-session-key"])
export type RejectionReason = typeof RejectionReasonSchema.Type

// ── queue streams ──────────────────────────────────────────────────────────────────────────

export const SystemEventEnqueued = Schema.TaggedStruct("SystemEventEnqueued", {
  queueKey: Schema.String,
  eventId: Schema.String,
  text: Schema.String,
  contextKey: Schema.optionalKey(Schema.String),
  trusted: Schema.Boolean,
  deliveryContext: Schema.optionalKey(DeliveryContextSchema),
  at: Millis,
  provenance: ProvenanceSchema,
})

export const SystemEventRejected = Schema.TaggedStruct("SystemEventRejected", {
  queueKey: Schema.String,
  eventId: Schema.String,
  reason: RejectionReasonSchema,
  text: Schema.String,
  /** For duplicates: the normalized contextKey (recorded for audits; it does not become the last one). */
  contextKey: Schema.optionalKey(Schema.String),
  at: Millis,
  provenance: ProvenanceSchema,
})

export const SystemEventEvicted = Schema.TaggedStruct("SystemEventEvicted", {
  queueKey: Schema.String,
  eventId: Schema.String,
  /** The accepted event whose arrival pushed the queue past its cap. */
  byEventId: Schema.String,
  at: Millis,
})

export const SystemEventsConsumed = Schema.TaggedStruct("SystemEventsConsumed", {
  queueKey: Schema.String,
  eventIds: Schema.Array(Schema.String),
  at: Millis,
})

export const SystemEventsDrained = Schema.TaggedStruct("SystemEventsDrained", {
  queueKey: Schema.String,
  eventIds: Schema.Array(Schema.String),
  at: Millis,
})

export const HeartbeatPromptSchema = Schema.Literals(["exec", "cron", "plain", "empty"])

export const HeartbeatRan = Schema.TaggedStruct("HeartbeatRan", {
  queueKey: Schema.String,
  agentId: Schema.String,
  runId: Schema.String,
  /** The forced session key of a targeted wake, as given. */
  forcedSessionKey: Schema.optionalKey(Schema.String),
  /** The wake's source; absent on runs recorded before it was kept (the reason's is inferred). */
  source: Schema.optionalKey(Schema.String),
  reason: Schema.String,
  prompt: HeartbeatPromptSchema,
  shown: Schema.Array(Schema.String),
  consumed: Schema.Array(Schema.String),
  at: Millis,
})

export const QueuePruned = Schema.TaggedStruct("QueuePruned", {
  queueKey: Schema.String,
  /** The pruned cron-run session the queue belonged to. */
  sessionKey: Schema.String,
  eventIds: Schema.Array(Schema.String),
  at: Millis,
})

export const QueueEventSchema = Schema.Union([
  SystemEventEnqueued,
  SystemEventRejected,
  SystemEventEvicted,
  SystemEventsConsumed,
  SystemEventsDrained,
  HeartbeatRan,
  QueuePruned,
])
export type QueueEvent = typeof QueueEventSchema.Type

// ── config stream ─────────────────────────────────────────────────────────────────────────

export const AgentConfigured = Schema.TaggedStruct("AgentConfigured", {
  agentId: Schema.String,
  mainKey: Schema.optionalKey(Schema.String),
  scope: Schema.optionalKey(SessionScopeSchema),
  /** `agents.<id>.heartbeat.session`. */
  heartbeatSession: Schema.optionalKey(Schema.String),
  enabled: Schema.Boolean,
  at: Millis,
})

export const ConfigEventSchema = Schema.Union([AgentConfigured])
export type ConfigEvent = typeof ConfigEventSchema.Type

// ── wake stream ───────────────────────────────────────────────────────────────────────────

export const HeartbeatWakeRequested = Schema.TaggedStruct("HeartbeatWakeRequested", {
  wakeId: Schema.String,
  agentId: Schema.optionalKey(Schema.String),
  sessionKey: Schema.optionalKey(Schema.String),
  source: Schema.String,
  reason: Schema.String,
  intent: Schema.optionalKey(Schema.String),
  coalesceMs: Schema.optionalKey(Schema.Number),
  /** The system event the wake was sent with, if any. */
  eventId: Schema.optionalKey(Schema.String),
  at: Millis,
})

export const HeartbeatSkipReasonSchema = Schema.Literals([
  "requests-in-flight",
  "cron-in-progress",
  "lanes-busy",
  "disabled",
  "no-handler",
  "error",
])

export const HeartbeatWakeSkipped = Schema.TaggedStruct("HeartbeatWakeSkipped", {
  wakeId: Schema.String,
  agentId: Schema.String,
  sessionKey: Schema.optionalKey(Schema.String),
  reason: HeartbeatSkipReasonSchema,
  /** When the wake is retried; absent when it is not. */
  retryAt: Schema.optionalKey(Millis),
  at: Millis,
})

export const WakeEventSchema = Schema.Union([HeartbeatWakeRequested, HeartbeatWakeSkipped])
export type WakeEvent = typeof WakeEventSchema.Type

// ── reaper stream ─────────────────────────────────────────────────────────────────────────

export const PrunedSessionSchema = Schema.Struct({
  sessionKey: Schema.String,
  lastUpdatedAt: Millis,
  lostEventIds: Schema.Array(Schema.String),
})
export type PrunedSession = typeof PrunedSessionSchema.Type

/** A sweep. A large one is split (domain/retention.ts): its first part, then continuations. */
export const SessionsPruned = Schema.TaggedStruct("SessionsPruned", {
  retentionMs: Schema.Number,
  forced: Schema.Boolean,
  sessions: Schema.Array(PrunedSessionSchema),
  at: Millis,
})

/**
 * More sessions of the sweep recorded just before it, in the same append: one event may hold
 * only so much. A session may appear in several parts; its lost events are the union.
 */
export const SessionsPrunedContinued = Schema.TaggedStruct("SessionsPrunedContinued", {
  sessions: Schema.Array(PrunedSessionSchema),
  at: Millis,
})

export const ReaperEventSchema = Schema.Union([SessionsPruned, SessionsPrunedContinued])
export type ReaperEvent = typeof ReaperEventSchema.Type

// ── all ───────────────────────────────────────────────────────────────────────────────────

export const LedgerEventSchema = Schema.Union([
  ...QueueEventSchema.members,
  ...ConfigEventSchema.members,
  ...WakeEventSchema.members,
  ...ReaperEventSchema.members,
])
export type LedgerEvent = typeof LedgerEventSchema.Type
export type LedgerEventType = LedgerEvent["_tag"]

/** The current version of every event type. Bump it when a schema changes, and add an upcaster. */
export const EVENT_VERSIONS: Readonly<Record<LedgerEventType, number>> = {
  SystemEventEnqueued: 1,
  SystemEventRejected: 1,
  SystemEventEvicted: 1,
  SystemEventsConsumed: 1,
  SystemEventsDrained: 1,
  HeartbeatRan: 1,
  QueuePruned: 1,
  AgentConfigured: 1,
  HeartbeatWakeRequested: 1,
  HeartbeatWakeSkipped: 1,
  SessionsPruned: 1,
  SessionsPrunedContinued: 1,
}
