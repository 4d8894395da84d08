/**
 * `heartbeat-ledger/openclaw`: a drop-in for OpenClaw's src/infra/system-events.ts and
 * src/infra/heartbeat-wake.ts (2026.5.12) — every name they export, with their signatures —
 * backed by the ledger, plus the sources' helpers. Module-level functions use one default
 * instance shared by every copy of this module in the process (docs/embedding.md);
 * `createSystemEvents({ store })` makes isolated ones.
 */
export type { RecordResult } from "../../application/ledger.ts"
export type { RequestHeartbeatOptions } from "../../application/wake-scheduler.ts"
export type { AcpAgentEvent } from "../../domain/acp-relay.ts"
export type { SessionPolicy, SessionScope } from "../../domain/session-policy.ts"
export type { AcpRelay, ExecExit, NodeExecEvent, SourceEmission } from "../../domain/sources.ts"
export { cronEmission, hookEmission, taskEmission } from "../../domain/sources.ts"
export type {
  AcpSpawnParentRelayHandle,
  AcpSpawnParentStreamRelayParams,
} from "./acp-spawn-relay.ts"
export * from "./default-instance.ts"
export {
  type DeliveryContext,
  mergeDeliveryContext,
  normalizeDeliveryContext,
  resolveSystemEventDeliveryContext,
} from "./delivery-context.ts"
export {
  HEARTBEAT_SKIP_CRON_IN_PROGRESS,
  HEARTBEAT_SKIP_LANES_BUSY,
  HEARTBEAT_SKIP_REQUESTS_IN_FLIGHT,
  type HeartbeatRunResult,
  type HeartbeatRunView,
  type HeartbeatWakeHandler,
  type HeartbeatWakeIntent,
  type HeartbeatWakeOverride,
  type HeartbeatWakeRequest,
  type HeartbeatWakeSource,
  heartbeatRunsOf,
  isRetryableHeartbeatBusySkipReason,
  type RetryableHeartbeatBusySkipReason,
} from "./heartbeat-wake.ts"
export { type SystemEvent, systemEventIdOf } from "./system-event-entry.ts"
export {
  createSystemEvents,
  MISSING_SESSION_KEY,
  openSystemEvents,
  type SourceOptions,
  type SystemEventOptions,
  type SystemEvents,
  type SystemEventsOptions,
} from "./system-events.ts"
