/**
 * The observer inside a gateway process: one per process however often OpenClaw calls the
 * plugin's `register` (it does so more than once), fed by every registration's hooks. It reads
 * the queue map on a timer (read-only), turns each change and each hook into an observed fact,
 * and hands them to a bounded buffer that the writer empties into the store. Every handler
 * catches its own errors: the gateway never sees one.
 */
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import type { ObservedEvent } from "../../domain/observed-events.ts"
import { shownLines } from "../../domain/observed-prompt.ts"
import { diffQueues, type QueueSnapshot } from "../../domain/observed-queue-diff.ts"
import { ObservationBuffer } from "./observation-buffer.ts"
import { type Observation, ObservationWriter } from "./observation-writer.ts"
import { observerSettings } from "./plugin-config.ts"
import { readQueueMap, UnknownQueueShape } from "./queue-map-reader.ts"

export const PLUGIN_ID = "heartbeat-ledger"
export const PLUGIN_VERSION = "0.1.0"

/** The part of OpenClaw's plugin API the observer uses. */
export interface PluginApi {
  readonly pluginConfig?: unknown
  readonly logger?: { readonly info?: (message: string) => void; readonly warn?: (message: string) => void }
}

/** Of a lifecycle hook's event: only names, ids, reasons and outcomes: never a tool's parameters or a message's content. */
const DETAIL_FIELDS = [
  "sessionId",
  "reason",
  "toolName",
  "jobId",
  "action",
  "status",
  "outcome",
  "childSessionKey",
  "targetSessionKey",
  "runId",
  "durationMs",
  "messageCount",
  // observer.early-lost: how many hook calls came before the observer had loaded
  "count",
]

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
  private poller: NodeJS.Timeout | undefined
  private readonly promptRuns = new Set<string>()
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
    let readable = true
    try {
      this.snapshot = readQueueMap() ?? new Map()
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
      if (hook === "before_prompt_build") this.onPrompt(event, context)
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

  private poll(): void {
    if (this.poller === undefined) return
    let next: QueueSnapshot
    try {
      next = readQueueMap() ?? new Map()
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

  private onPrompt(event: unknown, context: unknown): void {
    // The queue is drained just before the prompt is built: read it first, so the removal
    // is recorded before the prompt that showed the entries.
    this.poll()
    const ctx = record(context)
    const prompt = str(record(event).prompt) ?? ""
    const runId = str(ctx.runId) ?? `unknown-${this.seq + 1}`
    if (this.promptRuns.has(runId)) return
    this.promptRuns.add(runId)
    if (this.promptRuns.size > 10_000) this.promptRuns.clear()
    const built: ObservedEvent = {
      _tag: "ObservedPromptBuilt",
      runId,
      shown: shownLines(prompt),
      at: Date.now(),
    }
    const agentId = str(ctx.agentId)
    const sessionKey = str(ctx.sessionKey)
    const trigger = str(ctx.trigger)
    this.emit({
      ...built,
      ...(agentId === undefined ? {} : { agentId }),
      ...(sessionKey === undefined ? {} : { sessionKey }),
      ...(trigger === undefined ? {} : { trigger }),
    })
  }

  private onLifecycle(hook: string, event: unknown, context: unknown): void {
    this.poll()
    const ev = record(event)
    const ctx = record(context)
    const detail: Record<string, string> = {}
    for (const field of DETAIL_FIELDS) {
      const value = ev[field]
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
        detail[field] = String(value).slice(0, 200)
    }
    if (typeof ev.error === "string" || ev.error instanceof Error) detail.failed = "true"
    const sessionKey = str(ev.sessionKey) ?? str(ctx.sessionKey)
    const agentId = str(ev.agentId) ?? str(ctx.agentId)
    const runId = str(ctx.runId)
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
