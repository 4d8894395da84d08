/**
 * The plugin's settings: the store URL from the plugin's own config (`plugins.entries.
 * heartbeat-ledger.config.store`), else HEARTBEAT_LEDGER_STORE in the gateway's environment,
 * else an SQLite file beside the gateway's state (`<state dir>/heartbeat-ledger/observed.db`).
 */
import { homedir } from "node:os"
import { join } from "node:path"
import { STORE_URL_ENV } from "../store-url.ts"

export interface ObserverSettings {
  readonly storeUrl: string
  /** How often the queue map is read. */
  readonly pollMs: number
  /** Observations kept while the store is down or slow; beyond it they are counted as lost. */
  readonly bufferLimit: number
  /** Observations per append. */
  readonly batchSize: number
}

export const DEFAULT_POLL_MS = 25
export const DEFAULT_BUFFER_LIMIT = 10_000

/** OpenClaw's state folder: OPENCLAW_STATE_DIR, else `~/.openclaw`. */
export const gatewayStateDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.OPENCLAW_STATE_DIR?.trim() || join(homedir(), ".openclaw")

export const defaultObservedStoreUrl = (env: NodeJS.ProcessEnv = process.env): string =>
  `sqlite:${join(gatewayStateDir(env), "heartbeat-ledger", "observed.db")}`

const positiveInt = (value: unknown, fallback: number): number =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : fallback

export function observerSettings(
  pluginConfig: unknown,
  env: NodeJS.ProcessEnv = process.env,
): ObserverSettings {
  const config =
    typeof pluginConfig === "object" && pluginConfig !== null ? (pluginConfig as Record<string, unknown>) : {}
  const fromConfig = typeof config.store === "string" ? config.store.trim() : ""
  const fromEnv = env[STORE_URL_ENV]?.trim() ?? ""
  return {
    storeUrl: fromConfig || fromEnv || defaultObservedStoreUrl(env),
    pollMs: positiveInt(config.pollMs, DEFAULT_POLL_MS),
    bufferLimit: positiveInt(config.bufferLimit, DEFAULT_BUFFER_LIMIT),
    batchSize: 500,
  }
}
