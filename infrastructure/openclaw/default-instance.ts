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

/**
 * The default instance lives on `globalThis` under a registered symbol, as OpenClaw keeps its
 * queues (`resolveGlobalMap`): every copy of this module in the process (the built dist/ and
 * the sources, two installs, two bundles) sees one state. Whichever copy comes first creates it.
 */
const DEFAULT_STATE_KEY = Symbol.for("heartbeat-ledger.openclaw.defaultInstance")

interface DefaultState {
  instance: SystemEvents | undefined
  opening: Promise<SystemEvents> | undefined
}

const defaultState = (): DefaultState => {
  const global = globalThis as { [DEFAULT_STATE_KEY]?: DefaultState }
  global[DEFAULT_STATE_KEY] ??= { instance: undefined, opening: undefined }
  return global[DEFAULT_STATE_KEY]
}

export function getDefaultSystemEvents(): SystemEvents {
  const state = defaultState()
  state.instance ??= createSystemEvents({ store: defaultEmbeddedStoreUrl() })
  return state.instance
}

/** Opens the default instance on any store (awaiting it); later synchronous calls use it. */
export function openDefaultSystemEvents(): Promise<SystemEvents> {
  const state = defaultState()
  if (state.instance !== undefined) return Promise.resolve(state.instance)
  state.opening ??= openSystemEvents({ store: defaultEmbeddedStoreUrl() }).then(
    (opened) => {
      state.instance = opened
      return opened
    },
    (error: unknown) => {
      state.opening = undefined
      throw error
    },
  )
  return state.opening
}

/** Closes the default instance (flushing it); the next call creates a fresh one. */
export async function resetDefaultSystemEvents(): Promise<void> {
  const state = defaultState()
  const current = state.instance
  state.instance = undefined
  state.opening = undefined
  await current?.close()
}

/** A module-level function bound to the default instance's method of the same name. */
const bound =
  <K extends OpenClawCall>(name: K) =>
  (...args: Parameters<SystemEvents[K]>): ReturnType<SystemEvents[K]> =>
    (getDefaultSystemEvents()[name] as (...a: Parameters<SystemEvents[K]>) => ReturnType<SystemEvents[K]>)(
      ...args,
    )

type OpenClawCall = {
  [K in keyof SystemEvents]: SystemEvents[K] extends (...args: never[]) => unknown ? K : never
}[keyof SystemEvents]

export const enqueueSystemEvent: SystemEvents["enqueueSystemEvent"] = bound("enqueueSystemEvent")
export const peekSystemEvents: SystemEvents["peekSystemEvents"] = bound("peekSystemEvents")
export const peekSystemEventEntries: SystemEvents["peekSystemEventEntries"] = bound("peekSystemEventEntries")
export const drainSystemEvents: SystemEvents["drainSystemEvents"] = bound("drainSystemEvents")
export const drainSystemEventEntries: SystemEvents["drainSystemEventEntries"] =
  bound("drainSystemEventEntries")
export const consumeSystemEventEntries: SystemEvents["consumeSystemEventEntries"] =
  bound("consumeSystemEventEntries")
export const consumeSelectedSystemEventEntries: SystemEvents["consumeSelectedSystemEventEntries"] = bound(
  "consumeSelectedSystemEventEntries",
)
export const resetSystemEventsForTest: SystemEvents["resetSystemEventsForTest"] =
  bound("resetSystemEventsForTest")
export const hasHeartbeatWakeHandler: SystemEvents["hasHeartbeatWakeHandler"] =
  bound("hasHeartbeatWakeHandler")
export const hasPendingHeartbeatWake: SystemEvents["hasPendingHeartbeatWake"] =
  bound("hasPendingHeartbeatWake")
export const setHeartbeatsEnabled: SystemEvents["setHeartbeatsEnabled"] = bound("setHeartbeatsEnabled")
export const areHeartbeatsEnabled: SystemEvents["areHeartbeatsEnabled"] = bound("areHeartbeatsEnabled")
export const resetHeartbeatWakeStateForTests: SystemEvents["resetHeartbeatWakeStateForTests"] = bound(
  "resetHeartbeatWakeStateForTests",
)
export const hasSystemEvents: SystemEvents["hasSystemEvents"] = bound("hasSystemEvents")
export const isSystemEventContextChanged: SystemEvents["isSystemEventContextChanged"] = bound(
  "isSystemEventContextChanged",
)
export const requestHeartbeat: SystemEvents["requestHeartbeat"] = bound("requestHeartbeat")
export const requestHeartbeatNow: SystemEvents["requestHeartbeatNow"] = bound("requestHeartbeatNow")
export const setHeartbeatWakeHandler: SystemEvents["setHeartbeatWakeHandler"] =
  bound("setHeartbeatWakeHandler")
export const emitExecSystemEvent: SystemEvents["emitExecSystemEvent"] = bound("emitExecSystemEvent")
export const notifyExecExit: SystemEvents["notifyExecExit"] = bound("notifyExecExit")
export const relayAcpSpawnEvent: SystemEvents["relayAcpSpawnEvent"] = bound("relayAcpSpawnEvent")
export const startAcpSpawnParentStreamRelay: SystemEvents["startAcpSpawnParentStreamRelay"] = bound(
  "startAcpSpawnParentStreamRelay",
)
export const notifyCliWatchdogStall: SystemEvents["notifyCliWatchdogStall"] = bound("notifyCliWatchdogStall")
export const handleNodeExecEvent: SystemEvents["handleNodeExecEvent"] = bound("handleNodeExecEvent")
export const recordSourceEvent: SystemEvents["recordSourceEvent"] = bound("recordSourceEvent")
export const configureAgent: SystemEvents["configureAgent"] = bound("configureAgent")
export const snapshotSessionPolicy: SystemEvents["snapshotSessionPolicy"] = bound("snapshotSessionPolicy")
/** Resolves once every earlier call on the default instance is durable. */
export const flush = (): Promise<void> => defaultState().instance?.flush() ?? Promise.resolve()
