/**
 * Observed facts: what a real OpenClaw gateway was seen doing, recorded by our plugin
 * (infrastructure/openclaw-plugin/). They are a family of their own, never decisions of our
 * model: an observation says "the queue map held this entry at that moment", not "this event
 * was routed there". Versioned like the ledger's own events (OBSERVED_EVENT_VERSIONS);
 * application/observed-event-codec.ts encodes and decodes them.
 */
import { Schema } from "effect"
import { Millis } from "./events.ts"

/** One queue entry as the gateway's queue map held it (fields OpenClaw sets; extras named). */
export const ObservedEntrySchema = Schema.Struct({
  text: Schema.String,
  /** OpenClaw's own enqueue time of the entry. */
  ts: Millis,
  contextKey: Schema.optionalKey(Schema.String),
  trusted: Schema.optionalKey(Schema.Boolean),
  /** The delivery route the entry carries (channel, to, accountId, threadId), when it has one. */
  deliveryContext: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  /** Fields of the entry this observer does not interpret (a later release's ids, owners…). */
  otherFields: Schema.optionalKey(Schema.Array(Schema.String)),
})
export type ObservedEntry = typeof ObservedEntrySchema.Type

/** The observer started in a gateway process: which release, and what it can see there. */
export const ObserverStarted = Schema.TaggedStruct("ObserverStarted", {
  observerId: Schema.String,
  openclawVersion: Schema.String,
  pluginVersion: Schema.String,
  /** False when the queue map was missing or had a shape we do not know (then no enqueues). */
  queueMapReadable: Schema.Boolean,
  warnings: Schema.Array(Schema.String),
  at: Millis,
})

/** An entry appeared in a session's system-event queue. */
export const ObservedEnqueued = Schema.TaggedStruct("ObservedEnqueued", {
  observationId: Schema.String,
  sessionKey: Schema.String,
  entry: ObservedEntrySchema,
  at: Millis,
})

/**
 * An entry left its queue. `how` is what the map showed: the entry went while the queue
 * stayed, or the whole queue went (deleted with its session, or drained and dropped). Who took
 * it (a heartbeat that showed it, a reply turn) is found by the observed audit from the
 * prompts observed around it, not guessed here.
 */
export const ObservedRemoved = Schema.TaggedStruct("ObservedRemoved", {
  observationId: Schema.String,
  sessionKey: Schema.String,
  how: Schema.Literals(["left-queue", "queue-deleted"]),
  at: Millis,
})

/** One `System: [time] text` line of a prompt the gateway built. */
export const ShownLineSchema = Schema.Struct({ stamp: Schema.String, text: Schema.String })
export type ShownLine = typeof ShownLineSchema.Type

/** A model run the gateway prepared (before_prompt_build, llm_input), and the events it showed the model. */
export const ObservedPromptBuilt = Schema.TaggedStruct("ObservedPromptBuilt", {
  runId: Schema.String,
  agentId: Schema.optionalKey(Schema.String),
  sessionKey: Schema.optionalKey(Schema.String),
  /** `heartbeat`, `cron`, `user`… as the gateway names the run's trigger. */
  trigger: Schema.optionalKey(Schema.String),
  shown: Schema.Array(ShownLineSchema),
  at: Millis,
})

/** A lifecycle hook the gateway fired (session start/end, tool calls, cron changes…). */
export const ObservedLifecycle = Schema.TaggedStruct("ObservedLifecycle", {
  hook: Schema.String,
  sessionKey: Schema.optionalKey(Schema.String),
  agentId: Schema.optionalKey(Schema.String),
  runId: Schema.optionalKey(Schema.String),
  /** A few named string fields of the hook's event (reason, toolName, jobId…). */
  detail: Schema.Record(Schema.String, Schema.String),
  at: Millis,
})

/** Observations the bounded buffer could not keep (the store was down or slow): counted, never silent. */
export const ObservationsLost = Schema.TaggedStruct("ObservationsLost", {
  count: Schema.Number.check(Schema.isInt()),
  from: Millis,
  to: Millis,
  at: Millis,
})

export const ObservedEventSchema = Schema.Union([
  ObserverStarted,
  ObservedEnqueued,
  ObservedRemoved,
  ObservedPromptBuilt,
  ObservedLifecycle,
  ObservationsLost,
])
export type ObservedEvent = typeof ObservedEventSchema.Type
export type ObservedEventType = ObservedEvent["_tag"]

/** The current version of every observed type. Bump it when a schema changes, and add an upcaster. */
export const OBSERVED_EVENT_VERSIONS: Readonly<Record<ObservedEventType, number>> = {
  ObserverStarted: 1,
  ObservedEnqueued: 1,
  ObservedRemoved: 1,
  ObservedPromptBuilt: 1,
  ObservedLifecycle: 1,
  ObservationsLost: 1,
}
