/**
 * An observer in this process, as a gateway would run it, over a real store: a queue map on
 * `globalThis` the test fills like OpenClaw does, hook calls with the payloads OpenClaw sends,
 * and the warnings it would log.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ObservedEvent } from "../../domain/observed-events.ts"
import { Observer } from "../../infrastructure/openclaw-plugin/observer.ts"
import { QUEUE_MAP_SYMBOL } from "../../infrastructure/openclaw-plugin/queue-map-reader.ts"
import { readObserved } from "../e2e/observed-store.ts"

export interface ObserverRun {
  readonly observer: Observer
  readonly storeUrl: string
  readonly warnings: string[]
  /** The queue map as OpenClaw keeps it: session key → { queue, … }. */
  readonly queues: Map<string, { queue: unknown[]; lastText?: string }>
  /** Waits until everything observed is in the store, then reads it back. */
  readonly stored: () => Promise<ReadonlyArray<ObservedEvent>>
  readonly close: () => Promise<void>
}

export function startObserver(
  config: Record<string, unknown> = {},
  options: { readonly storeUrl?: string; readonly queueMap?: unknown; readonly gatewayConfig?: unknown } = {},
): ObserverRun {
  const dir = mkdtempSync(join(tmpdir(), "hbl-observer-"))
  const storeUrl = options.storeUrl ?? `sqlite:${join(dir, "observed.db")}`
  const queues = new Map<string, { queue: unknown[]; lastText?: string }>()
  const global = globalThis as Record<symbol, unknown>
  global[QUEUE_MAP_SYMBOL] = options.queueMap ?? queues
  const warnings: string[] = []
  const observer = new Observer(
    {
      pluginConfig: { store: storeUrl, pollMs: 5, ...config },
      config: options.gatewayConfig ?? {
        plugins: { entries: { "heartbeat-ledger": { hooks: { allowConversationAccess: true } } } },
      },
    },
    (message) => warnings.push(message),
  )
  return {
    observer,
    storeUrl,
    warnings,
    queues,
    stored: async () => {
      await observer.flush()
      return readObserved(storeUrl)
    },
    close: async () => {
      await observer.stop()
      delete global[QUEUE_MAP_SYMBOL]
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The facts without what differs from run to run (times, observer ids), for comparing runs. */
export const comparable = (events: ReadonlyArray<ObservedEvent>): ReadonlyArray<unknown> =>
  events.map((event) => {
    const { at: _at, ...rest } = event as ObservedEvent & { at: number }
    if (rest._tag === "ObserverStarted") return { _tag: rest._tag }
    if ("observationId" in rest) return { ...rest, observationId: "…" }
    return rest
  })
