/**
 * The observer inside a gateway process: one per process however often OpenClaw calls the
 * plugin's `register` (it does so more than once), fed by every registration's hooks. It reads
 * the queue map on a timer (read-only), turns each change and each hook into an observed fact,
 * and hands them to a bounded buffer that the writer empties into the store. Every handler
 * catches its own errors: the gateway never sees one.
 */
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import type { ObservedEvent, ShownLine } from "../../domain/observed-events.ts"
import { shownInRuntimeContext, shownLines } from "../../domain/observed-prompt.ts"
import { diffQueues, type QueueSnapshot } from "../../domain/observed-queue-diff.ts"
import { lifecycleDetail } from "./lifecycle-detail.ts"
import { ObservationBuffer } from "./observation-buffer.ts"
import { type Observation, ObservationWriter } from "./observation-writer.ts"
import { observerSettings } from "./plugin-config.ts"
import { QueueMapReader, UnknownQueueShape } from "./queue-map-reader.ts"

export const PLUGIN_ID = "heartbeat-ledger"
export const PLUGIN_VERSION = "0.1.0"

/** The part of OpenClaw's plugin API the observer uses. */
export interface PluginApi {
  readonly pluginConfig?: unknown
  /** The gateway's whole config (openclaw.json as loaded). */
  readonly config?: unknown
  readonly logger?: { readonly info?: (message: string) => void; readonly warn?: (message: string) => void }
}

/** The customType of the model-input message that carries the drained events from 2026.9. */
const RUNTIME_CONTEXT = "openclaw.runtime-context"

const OBSERVER_KEY = Symbol.for("heartbeat-ledger.openclaw-observer")

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {}

const str = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined

/** The version of the OpenClaw running this process, from the package its entry belongs to. */
function runningOpenclawVersion(): string {
  try {
    const entry = process.argv[1]
    if (entry === undefined) return "unknown"
    const manifest = JSON.parse(readFileSync(join(dirname(entry), "package.json"), "utf8")) as {
      version?: unknown
    }
    return typeof manifest.version === "string" ? manifest.version : "unknown"
  } catch {
    return "unknown"
  }
}

export class Observer {
  readonly observerId = `${Date.now().toString(36)}-${process.pid}`
  private readonly buffer: ObservationBuffer<Observation>
  private readonly writer: ObservationWriter
  private seq = 0
  private tracked: Map<string, Array<{ readonly identity: string; readonly observationId: string }>> =
    new Map()
  private snapshot: QueueSnapshot = new Map()
  private readonly reader = new QueueMapReader()
  private poller: NodeJS.Timeout | undefined
  /** Per run: the lines already recorded as shown, counted (identical lines are many). */
  private readonly promptRuns = new Map<string, Map<string, number>>()
  private readonly recentLifecycle = new Map<string, number>()

  private readonly warn: (message: string) => void

  constructor(api: PluginApi, warn: (message: string) => void) {
    this.warn = warn
    const settings = observerSettings(api.pluginConfig)
    this.buffer = new ObservationBuffer(settings.bufferLimit)
    this.writer = new ObservationWriter(settings.storeUrl, this.observerId, this.buffer, settings.batchSize, {
      warn,
    })
    const warnings: string[] = []
    const access = record(record(record(record(record(api.config).plugins).entries)[PLUGIN_ID]).hooks)
    if (api.config !== undefined && access.allowConversationAccess !== true) {
      const message =
        `heartbeat-ledger: plugins.entries.${PLUGIN_ID}.hooks.allowConversationAccess is not true: ` +
        "run ends (agent_end) are not observed, nor, from OpenClaw 2026.9, the prompts (before_prompt_build)"
      warn(message)
      warnings.push(message)
    }
    let readable = true
    try {
      this.snapshot = this.reader.snapshot() ?? new Map()
    } catch (error) {
      readable = false
      warnings.push(this.queueMapOff(error))
    }
    this.emit({
      _tag: "ObserverStarted",
      observerId: this.observerId,
      openclawVersion: runningOpenclawVersion(),
      pluginVersion: PLUGIN_VERSION,
      queueMapReadable: readable,
      warnings,
      at: Date.now(),
    })
    // Entries already queued when we start are observed as they stand.
    if (readable) this.applyChange(new Map(), this.snapshot)
    if (readable) {
      this.poller = setInterval(() => this.poll(), settings.pollMs)
      this.poller.unref()
    }
  }

  /** The process's observer, created by the first registration. */
  static of(api: PluginApi): Observer {
    const global = globalThis as Record<symbol, unknown>
    const known = global[OBSERVER_KEY]
    if (known instanceof Observer) return known
    const warn = (message: string) => (api.logger?.warn ?? console.warn)(message)
    const observer = new Observer(api, warn)
    global[OBSERVER_KEY] = observer
    return observer
  }

  /** One hook call, forwarded by the plugin's entry (index.js subscribes during `register`). */
  handle(hook: string, event: unknown, context: unknown): void {
    try {
      if (hook === "before_prompt_build" || hook === "llm_input") this.onPrompt(hook, event, context)
      else this.onLifecycle(hook, event, context)
      if (hook === "gateway_stop") void this.writer.flush()
    } catch (error) {
      this.warnOnce(`hook ${hook}`, error)
    }
  }

  /** Waits until everything observed so far is in the store (or the store refused it). */
  flush(): Promise<void> {
    this.poll()
    return this.writer.flush()
  }

  async stop(): Promise<void> {
    if (this.poller !== undefined) clearInterval(this.poller)
    this.poller = undefined
    this.poll()
    await this.writer.close()
  }

  private emit(event: ObservedEvent): void {
    this.buffer.offer({ id: `${this.observerId}-${++this.seq}`, event }, event.at)
    this.writer.schedule()
  }

  private readonly warned = new Set<string>()
  private warnOnce(what: string, error: unknown): void {
    if (this.warned.has(what)) return
    this.warned.add(what)
    this.warn(`heartbeat-ledger: ${what} failed, observation continues without it: ${String(error)}`)
  }

  private queueMapOff(error: unknown): string {
    const reason =
      error instanceof UnknownQueueShape
        ? `the queue map has a shape this plugin does not know (${error.message})`
        : `the queue map cannot be read (${String(error)})`
    const message = `heartbeat-ledger: ${reason}; queue observation is off, hooks are still recorded`
    this.warn(message)
    return message
  }

  /** Reads the queue map now and records what changed (the timer does it every `pollMs`). */
  poll(): void {
    if (this.poller === undefined) return
    let next: QueueSnapshot
    try {
      next = this.reader.snapshot() ?? new Map()
    } catch (error) {
      clearInterval(this.poller)
      this.poller = undefined
      const message = this.queueMapOff(error)
      this.emit({
        _tag: "ObservedLifecycle",
        hook: "observer.queue-map-off",
        detail: { message },
        at: Date.now(),
      })
      return
    }
    const previous = this.snapshot
    if (next === previous) return
    this.snapshot = next
    this.applyChange(previous, next)
  }

  private applyChange(previous: QueueSnapshot, next: QueueSnapshot): void {
    const change = diffQueues(previous, next)
    if (change.appeared.length === 0 && change.left.length === 0) return
    const at = Date.now()
    for (const left of change.left) {
      const tracked = this.tracked.get(left.sessionKey) ?? []
      const index = tracked.findIndex((item) => item.identity === left.entry.identity)
      if (index < 0) continue
      const [gone] = tracked.splice(index, 1)
      if (tracked.length === 0) this.tracked.delete(left.sessionKey)
      this.emit({
        _tag: "ObservedRemoved",
        observationId: (gone as { observationId: string }).observationId,
        sessionKey: left.sessionKey,
        how: left.queueDeleted ? "queue-deleted" : "left-queue",
        at,
      })
    }
    for (const appeared of change.appeared) {
      const observationId = `${this.observerId}-q${++this.seq}`
      const tracked = this.tracked.get(appeared.sessionKey) ?? []
      tracked.push({ identity: appeared.entry.identity, observationId })
      this.tracked.set(appeared.sessionKey, tracked)
      this.emit({
        _tag: "ObservedEnqueued",
        observationId,
        sessionKey: appeared.sessionKey,
        entry: appeared.entry.entry,
        at,
      })
    }
  }

  /**
   * A model run's prompt (before_prompt_build) or its model input (llm_input, which from
   * 2026.9 is where the drained events are: a runtime-context message). One run is recorded
   * once, and again only for lines not recorded yet (both hooks fire, and every registration's
   * handlers fire).
   */
  private onPrompt(hook: string, event: unknown, context: unknown): void {
    // The queue is drained just before the prompt is built: read it first, so the removal
    // is recorded before the prompt that showed the entries.
    this.poll()
    const ev = record(event)
    const ctx = record(context)
    const runId = str(ctx.runId) ?? str(ev.runId) ?? `unknown-${this.seq + 1}`
    const lines = [...shownLines(str(ev.prompt) ?? "")]
    if (hook === "llm_input" && Array.isArray(ev.historyMessages)) {
      const contexts = ev.historyMessages.filter(
        (message) =>
          record(message).customType === RUNTIME_CONTEXT && typeof record(message).content === "string",
      )
      const current = contexts.at(-1)
      if (current !== undefined) lines.push(...shownInRuntimeContext(record(current).content as string))
    }
    const known = this.promptRuns.get(runId)
    const key = (line: ShownLine) => `${line.stamp}\u0000${line.text}`
    const remaining = new Map(known ?? [])
    const shown = lines.filter((line) => {
      const left = remaining.get(key(line)) ?? 0
      if (left > 0) remaining.set(key(line), left - 1)
      return left === 0
    })
    const recorded = new Map(known ?? [])
    for (const line of shown) recorded.set(key(line), (recorded.get(key(line)) ?? 0) + 1)
    if (this.promptRuns.size > 10_000) this.promptRuns.clear()
    this.promptRuns.set(runId, recorded)
    if (known !== undefined && shown.length === 0) return
    const agentId = str(ctx.agentId)
    const sessionKey = str(ctx.sessionKey)
    const trigger = str(ctx.trigger)
    this.emit({
      _tag: "ObservedPromptBuilt",
      runId,
      shown,
      at: Date.now(),
      ...(agentId === undefined ? {} : { agentId }),
      ...(sessionKey === undefined ? {} : { sessionKey }),
      ...(trigger === undefined ? {} : { trigger }),
    })
  }

  private onLifecycle(hook: string, event: unknown, context: unknown): void {
    this.poll()
    const ev = record(event)
    const ctx = record(context)
    const detail = lifecycleDetail(event)
    const sessionKey = str(ev.sessionKey) ?? str(ctx.sessionKey)
    const agentId = str(ev.agentId) ?? str(ctx.agentId)
    const runId = str(ctx.runId) ?? str(ev.runId)
    // Two registrations in one process may both fire: the same fact within a second is one.
    const key = JSON.stringify([hook, sessionKey, agentId, runId, detail])
    const now = Date.now()
    const seen = this.recentLifecycle.get(key)
    if (seen !== undefined && now - seen < 1_000) return
    this.recentLifecycle.set(key, now)
    if (this.recentLifecycle.size > 1_000) this.recentLifecycle.clear()
    this.emit({
      _tag: "ObservedLifecycle",
      hook,
      detail,
      at: now,
      ...(sessionKey === undefined ? {} : { sessionKey }),
      ...(agentId === undefined ? {} : { agentId }),
      ...(runId === undefined ? {} : { runId }),
    })
  }
}

/**
 * The process's observer as a hook sink, for the plugin's entry: OpenClaw calls `register`
 * more than once in one process, and every call gets the same observer.
 */
export function observerFor(api: PluginApi): (hook: string, event: unknown, context: unknown) => void {
  const observer = Observer.of(api)
  return (hook, event, context) => observer.handle(hook, event, context)
}
