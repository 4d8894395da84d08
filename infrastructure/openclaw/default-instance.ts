/**
 * The module-level functions (`import { enqueueSystemEvent } from "heartbeat-ledger/openclaw"`):
 * bound to one default instance, created on first use from HEARTBEAT_LEDGER_STORE. Unlike the
 * CLI, the default here is `memory:` — a drop-in for OpenClaw's in-memory queues that writes
 * nothing to disk unless a store is named. A store that opens asynchronously (PostgreSQL) needs
 * `await openDefaultSystemEvents()` before the first synchronous call.
 */
import { STORE_URL_ENV } from "../store-url.ts"
import { createSystemEvents, openSystemEvents, type SystemEvents } from "./system-events.ts"

export const DEFAULT_EMBEDDED_STORE_URL = "memory:"

/** The store the default instance uses: HEARTBEAT_LEDGER_STORE, else `memory:`. */
export const defaultEmbeddedStoreUrl = (env: NodeJS.ProcessEnv = process.env): string =>
  env[STORE_URL_ENV]?.trim() || DEFAULT_EMBEDDED_STORE_URL

let instance: SystemEvents | undefined
let opening: Promise<SystemEvents> | undefined

export function getDefaultSystemEvents(): SystemEvents {
  instance ??= createSystemEvents({ store: defaultEmbeddedStoreUrl() })
  return instance
}

/** Opens the default instance on any store (awaiting it); later synchronous calls use it. */
export function openDefaultSystemEvents(): Promise<SystemEvents> {
  if (instance !== undefined) return Promise.resolve(instance)
  opening ??= openSystemEvents({ store: defaultEmbeddedStoreUrl() }).then(
    (opened) => {
      instance = opened
      return opened
    },
    (error: unknown) => {
      opening = undefined
      throw error
    },
  )
  return opening
}

/** Closes the default instance (flushing it); the next call creates a fresh one. */
export async function resetDefaultSystemEvents(): Promise<void> {
  const current = instance
  instance = undefined
  opening = undefined
  await current?.close()
}

export const enqueueSystemEvent: SystemEvents["enqueueSystemEvent"] = (
  ...args: Parameters<SystemEvents["enqueueSystemEvent"]>
) => getDefaultSystemEvents().enqueueSystemEvent(...args)
export const peekSystemEvents: SystemEvents["peekSystemEvents"] = (
  ...args: Parameters<SystemEvents["peekSystemEvents"]>
) => getDefaultSystemEvents().peekSystemEvents(...args)
export const peekSystemEventEntries: SystemEvents["peekSystemEventEntries"] = (
  ...args: Parameters<SystemEvents["peekSystemEventEntries"]>
) => getDefaultSystemEvents().peekSystemEventEntries(...args)
export const drainSystemEvents: SystemEvents["drainSystemEvents"] = (
  ...args: Parameters<SystemEvents["drainSystemEvents"]>
) => getDefaultSystemEvents().drainSystemEvents(...args)
export const drainSystemEventEntries: SystemEvents["drainSystemEventEntries"] = (
  ...args: Parameters<SystemEvents["drainSystemEventEntries"]>
) => getDefaultSystemEvents().drainSystemEventEntries(...args)
export const consumeSystemEventEntries: SystemEvents["consumeSystemEventEntries"] = (
  ...args: Parameters<SystemEvents["consumeSystemEventEntries"]>
) => getDefaultSystemEvents().consumeSystemEventEntries(...args)
export const hasSystemEvents: SystemEvents["hasSystemEvents"] = (
  ...args: Parameters<SystemEvents["hasSystemEvents"]>
) => getDefaultSystemEvents().hasSystemEvents(...args)
export const isSystemEventContextChanged: SystemEvents["isSystemEventContextChanged"] = (
  ...args: Parameters<SystemEvents["isSystemEventContextChanged"]>
) => getDefaultSystemEvents().isSystemEventContextChanged(...args)
export const requestHeartbeat: SystemEvents["requestHeartbeat"] = (
  ...args: Parameters<SystemEvents["requestHeartbeat"]>
) => getDefaultSystemEvents().requestHeartbeat(...args)
export const requestHeartbeatNow: SystemEvents["requestHeartbeatNow"] = (
  ...args: Parameters<SystemEvents["requestHeartbeatNow"]>
) => getDefaultSystemEvents().requestHeartbeatNow(...args)
export const setHeartbeatWakeHandler: SystemEvents["setHeartbeatWakeHandler"] = (
  ...args: Parameters<SystemEvents["setHeartbeatWakeHandler"]>
) => getDefaultSystemEvents().setHeartbeatWakeHandler(...args)
export const emitExecSystemEvent: SystemEvents["emitExecSystemEvent"] = (
  ...args: Parameters<SystemEvents["emitExecSystemEvent"]>
) => getDefaultSystemEvents().emitExecSystemEvent(...args)
export const notifyExecExit: SystemEvents["notifyExecExit"] = (
  ...args: Parameters<SystemEvents["notifyExecExit"]>
) => getDefaultSystemEvents().notifyExecExit(...args)
export const relayAcpSpawnEvent: SystemEvents["relayAcpSpawnEvent"] = (
  ...args: Parameters<SystemEvents["relayAcpSpawnEvent"]>
) => getDefaultSystemEvents().relayAcpSpawnEvent(...args)
export const notifyCliWatchdogStall: SystemEvents["notifyCliWatchdogStall"] = (
  ...args: Parameters<SystemEvents["notifyCliWatchdogStall"]>
) => getDefaultSystemEvents().notifyCliWatchdogStall(...args)
export const handleNodeExecEvent: SystemEvents["handleNodeExecEvent"] = (
  ...args: Parameters<SystemEvents["handleNodeExecEvent"]>
) => getDefaultSystemEvents().handleNodeExecEvent(...args)
export const recordSourceEvent: SystemEvents["recordSourceEvent"] = (
  ...args: Parameters<SystemEvents["recordSourceEvent"]>
) => getDefaultSystemEvents().recordSourceEvent(...args)
export const configureAgent: SystemEvents["configureAgent"] = (
  ...args: Parameters<SystemEvents["configureAgent"]>
) => getDefaultSystemEvents().configureAgent(...args)
export const snapshotSessionPolicy: SystemEvents["snapshotSessionPolicy"] = (
  ...args: Parameters<SystemEvents["snapshotSessionPolicy"]>
) => getDefaultSystemEvents().snapshotSessionPolicy(...args)
/** Resolves once every earlier call on the default instance is durable. */
export const flush = (): Promise<void> => (instance === undefined ? Promise.resolve() : instance.flush())
