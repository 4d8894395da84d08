/**
 * What deciding a ledger command gives: the events to append, to which streams (all committed
 * together), and the caller's answer. A decision that writes nothing changes nothing.
 */
import { Schema } from "effect"
import {
  type HeartbeatPromptSchema,
  type LedgerEvent,
  RejectionReasonSchema,
  type WakeRequest,
} from "./events.ts"
import type { LedgerCommand } from "./ledger-command.ts"
import type { QueuedSystemEvent } from "./queue.ts"

/** Which stream events go to; the application names them in its store. */
export type LedgerStream =
  | { readonly kind: "queue"; readonly queueKey: string }
  | { readonly kind: "config" | "wakes" | "reaper" | "unrouted" }

export interface Write {
  readonly stream: LedgerStream
  readonly events: ReadonlyArray<LedgerEvent>
}

/** OpenClaw's error for an enqueue without a session key; the attempt is still recorded. */
export class MissingSessionKey extends Schema.TaggedError<MissingSessionKey>()("MissingSessionKey", {}) {
  override get message() {
    return "system events require a sessionKey"
  }
}

export interface Decision<R, F = never> {
  readonly writes: ReadonlyArray<Write>
  readonly result: R
  /** The caller's error once the writes are committed (OpenClaw records the attempt, then throws). */
  readonly refusal?: F | undefined
}

/** Why a recorded call was not accepted: the queue's reasons, or a node's repeated run (recorded nothing). */
export const RecordRejectionSchema = Schema.Literals([
  ...RejectionReasonSchema.pick(["blank-text", "duplicate"]).literals,
  "repeated-run",
])

export interface RecordResult {
  readonly eventId: string
  readonly queueKey: string
  readonly accepted: boolean
  /** `repeated-run`: a node's repeated `exec.finished`, dropped unrecorded as OpenClaw drops it. */
  readonly rejectedBecause?: typeof RecordRejectionSchema.Type | undefined
  /** The event the cap pushed out, if any. */
  readonly evictedEventId?: string | undefined
  /** The wake sent with the event, if any. */
  readonly wake?: WakeRequest | undefined
  /** The recorded wake's id (`HeartbeatWakeRequested.wakeId`), if a wake was sent. */
  readonly wakeId?: string | undefined
}

export interface HeartbeatRun {
  readonly agentId: string
  readonly queueKey: string
  readonly runId: string
  readonly prompt: typeof HeartbeatPromptSchema.Type
  readonly shown: ReadonlyArray<QueuedSystemEvent>
  /** `shown` and what the run's agent turn drained (every event but exec completions). */
  readonly consumed: ReadonlyArray<QueuedSystemEvent>
}

export interface PruneResult {
  readonly outcome: "swept" | "throttled" | "disabled"
  readonly prunedSessions: ReadonlyArray<string>
  readonly lostEventIds: ReadonlyArray<string>
}

/** Each command's answer. */
export interface LedgerResults {
  readonly RecordEmission: RecordResult
  readonly Enqueue: RecordResult
  readonly Consume: ReadonlyArray<QueuedSystemEvent>
  readonly Drain: ReadonlyArray<QueuedSystemEvent>
  readonly RunHeartbeat: ReadonlyArray<HeartbeatRun>
  /** The wake's id. */
  readonly RequestWake: string
  readonly SkipWake: undefined
  readonly SweepRetention: PruneResult
  readonly ConfigureAgent: undefined
}
export type ResultOf<C extends LedgerCommand> = LedgerResults[C["_tag"]]

/** The commands that may be refused (after recording the attempt), and with what. */
export interface LedgerRefusals {
  readonly Enqueue: MissingSessionKey
}
export type RefusalOf<C extends LedgerCommand> = C extends {
  readonly _tag: infer K extends keyof LedgerRefusals
}
  ? LedgerRefusals[K]
  : never
