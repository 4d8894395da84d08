/**
 * What can be asked of the ledger: every call a gateway, an import or the demo makes, as data.
 * Ids and time are part of each command: the caller makes them before deciding (the domain
 * reads no clock and makes no ids), so deciding the same command on the same state twice gives
 * the same events.
 */
import { Schema } from "effect"
import { DeliveryContextSchema, HeartbeatSkipReasonSchema, Millis, WakeRequestSchema } from "./events.ts"
import { ConfigureAgentFields } from "./gateway-config.ts"
import { RoutingNameSchema } from "./routing.ts"
import { SessionPolicySnapshotSchema } from "./session-policy.ts"
import { SourceEmissionSchema } from "./sources.ts"

/** A source's emission: routed, enqueued, and the wake it sends recorded with it. */
export const RecordEmission = Schema.TaggedStruct("RecordEmission", {
  emission: SourceEmissionSchema,
  /** Absent: the origin agent's recorded config. */
  policy: Schema.optional(SessionPolicySnapshotSchema),
  routing: RoutingNameSchema,
  /** Kept on the queued event; absent: the emission's own. */
  deliveryContext: Schema.optional(DeliveryContextSchema),
  eventId: Schema.String,
  /** The id the wake gets if one is sent. */
  wakeId: Schema.String,
  at: Millis,
})
export type RecordEmission = typeof RecordEmission.Type

/** The low-level queue call: never remaps, sends no wake; a blank key is recorded and refused. */
export const Enqueue = Schema.TaggedStruct("Enqueue", {
  text: Schema.String,
  sessionKey: Schema.String,
  contextKey: Schema.optional(Schema.String),
  deliveryContext: Schema.optional(DeliveryContextSchema),
  trusted: Schema.optional(Schema.Boolean),
  eventId: Schema.String,
  at: Millis,
})
export type Enqueue = typeof Enqueue.Type

/** Removes inspected events: if they still head the queue (`prefix`) or wherever they are (`selected`). */
export const Consume = Schema.TaggedStruct("Consume", {
  sessionKey: Schema.String,
  inspected: Schema.Array(Schema.String),
  mode: Schema.Literals(["prefix", "selected"]),
  at: Millis,
})
export type Consume = typeof Consume.Type

export const Drain = Schema.TaggedStruct("Drain", { sessionKey: Schema.String, at: Millis })
export type Drain = typeof Drain.Type

/** The heartbeat run(s) a wake asks for: one per agent it names, or every enabled agent's. */
export const RunHeartbeat = Schema.TaggedStruct("RunHeartbeat", {
  agentId: Schema.optional(Schema.String),
  sessionKey: Schema.optional(Schema.String),
  source: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String),
  /** The event ids the runner's preview saw: when given, a run shows and consumes only these. */
  inspected: Schema.optional(Schema.Array(Schema.String)),
  /** With `inspected`: the queues whose preview inspected its events. */
  inspecting: Schema.optional(Schema.Array(Schema.String)),
  /** One id per run, in the order the wake's runs resolve (`wakeRunsOf`). */
  runIds: Schema.Array(Schema.String),
  at: Millis,
})
export type RunHeartbeat = typeof RunHeartbeat.Type

/** A wake that came with no system event (a manual or scheduled wake). */
export const RequestWake = Schema.TaggedStruct("RequestWake", {
  wake: WakeRequestSchema,
  wakeId: Schema.String,
  at: Millis,
})
export type RequestWake = typeof RequestWake.Type

export const SkipWake = Schema.TaggedStruct("SkipWake", {
  wakeId: Schema.String,
  agentId: Schema.String,
  sessionKey: Schema.optional(Schema.String),
  reason: HeartbeatSkipReasonSchema,
  retryAt: Schema.optional(Millis),
  at: Millis,
})
export type SkipWake = typeof SkipWake.Type

/** The retention reaper's sweep: prunes idle cron-run sessions, recording what they lose. */
export const SweepRetention = Schema.TaggedStruct("SweepRetention", {
  /** `cron.sessionRetention` as configured (`parseSessionRetention` reads it). */
  retention: Schema.optional(Schema.Union([Schema.String, Schema.Number, Schema.Boolean])),
  force: Schema.Boolean,
  routing: RoutingNameSchema,
  at: Millis,
})
export type SweepRetention = typeof SweepRetention.Type

export const ConfigureAgent = Schema.TaggedStruct("ConfigureAgent", ConfigureAgentFields)
export type ConfigureAgent = typeof ConfigureAgent.Type

export const LedgerCommandSchema = Schema.Union([
  RecordEmission,
  Enqueue,
  Consume,
  Drain,
  RunHeartbeat,
  RequestWake,
  SkipWake,
  SweepRetention,
  ConfigureAgent,
])
export type LedgerCommand = typeof LedgerCommandSchema.Type
export type LedgerCommandTag = LedgerCommand["_tag"]
