/**
 * `heartbeat-ledger/openclaw`: OpenClaw's system-event and heartbeat-wake API backed by the
 * ledger. Module-level functions use a default instance (docs/embedding.md);
 * `createSystemEvents({ store })` makes isolated ones.
 */
export type { RecordResult } from "../../application/ledger.ts"
export type { RequestHeartbeatOptions } from "../../application/wake-scheduler.ts"
export type { SessionPolicy, SessionScope } from "../../domain/session-policy.ts"
export type { AcpRelay, ExecExit, NodeExecEvent, SourceEmission } from "../../domain/sources.ts"
export { cronEmission, hookEmission, taskEmission } from "../../domain/sources.ts"
export type { HeartbeatRunResult, HeartbeatWakeOverride } from "../../domain/wake.ts"
export * from "./default-instance.ts"
export type { SystemEvent } from "./system-event-entry.ts"
export {
  createSystemEvents,
  type HeartbeatRunView,
  type HeartbeatWakeHandler,
  type HeartbeatWakeRequest,
  MISSING_SESSION_KEY,
  openSystemEvents,
  type SourceOptions,
  type SystemEventOptions,
  type SystemEvents,
  type SystemEventsOptions,
} from "./system-events.ts"
