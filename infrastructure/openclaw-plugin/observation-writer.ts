/**
 * Copies buffered observations to the store, in order, a batch per append, off the gateway's
 * path: a failed or slow append costs a logged warning (rate-limited) and a retry later, never
 * an exception into OpenClaw. The store opens on the first write.
 */
import { ManagedRuntime } from "effect"
import { EventStore, type EventStoreShape } from "../../application/event-store.ts"
import { encodeObservedEvent, observedStreamId } from "../../application/observed-event-codec.ts"
import type { ObservedEvent } from "../../domain/observed-events.ts"
import { maskStoreUrl } from "../store-url.ts"
import { layerEventStoreFromUrl } from "../stores/store-layer.ts"
import type { ObservationBuffer } from "./observation-buffer.ts"

export interface Observation {
  readonly id: string
  readonly event: ObservedEvent
}

export interface WarnLogger {
  readonly warn: (message: string) => void
}

const RETRY_MS = [250, 1_000, 5_000] as const
const WARN_EVERY_MS = 30_000

export class ObservationWriter {
  private runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown> | undefined
  private store: EventStoreShape | undefined
  private writing: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private failures = 0
  private lastWarnAt = Number.NEGATIVE_INFINITY
  private lostSeq = 0

  private readonly storeUrl: string
  private readonly observerId: string
  private readonly buffer: ObservationBuffer<Observation>
  private readonly batchSize: number
  private readonly logger: WarnLogger

  constructor(
    storeUrl: string,
    observerId: string,
    buffer: ObservationBuffer<Observation>,
    batchSize: number,
    logger: WarnLogger,
  ) {
    this.storeUrl = storeUrl
    this.observerId = observerId
    this.buffer = buffer
    this.batchSize = batchSize
    this.logger = logger
  }

  /** Asks for a write soon (coalesced). */
  schedule(delayMs = 50): void {
    if (this.timer !== undefined || this.writing !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.flush()
    }, delayMs)
    this.timer.unref()
  }

  /** Writes everything buffered now; resolves when done or when the store refused (logged). */
  flush(): Promise<void> {
    if (this.writing !== undefined) return this.writing.then(() => this.flush())
    this.writing = this.writeAll().finally(() => {
      this.writing = undefined
    })
    return this.writing
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    await this.flush()
    await this.runtime?.dispose()
    this.runtime = undefined
    this.store = undefined
  }

  private async open(): Promise<EventStoreShape> {
    if (this.store !== undefined) return this.store
    const runtime = ManagedRuntime.make(layerEventStoreFromUrl(this.storeUrl))
    try {
      this.store = await runtime.runPromise(EventStore)
      this.runtime = runtime as ManagedRuntime.ManagedRuntime<EventStore, unknown>
      return this.store
    } catch (error) {
      await runtime.dispose()
      throw error
    }
  }

  private async writeAll(): Promise<void> {
    const lost = this.buffer.takeLost()
    try {
      const store = await this.open()
      const runPromise = this.runtime?.runPromise.bind(this.runtime)
      if (runPromise === undefined) return
      if (lost !== undefined) {
        const event: ObservedEvent = { _tag: "ObservationsLost", ...lost, at: Date.now() }
        await runPromise(
          store.append(
            observedStreamId(this.observerId),
            [encodeObservedEvent(`${this.observerId}-lost-${++this.lostSeq}`, event)],
            "any",
          ),
        )
      }
      while (this.buffer.size > 0) {
        const batch = this.buffer.peek(this.batchSize)
        await runPromise(
          store.append(
            observedStreamId(this.observerId),
            batch.map((observation) => encodeObservedEvent(observation.id, observation.event)),
            "any",
          ),
        )
        this.buffer.commit(batch.length)
      }
      this.failures = 0
    } catch (error) {
      if (lost !== undefined) this.buffer.restoreLost(lost)
      this.failures++
      const now = Date.now()
      if (now - this.lastWarnAt >= WARN_EVERY_MS) {
        this.lastWarnAt = now
        this.logger.warn(
          `heartbeat-ledger: cannot write observations to ${maskStoreUrl(this.storeUrl)} ` +
            `(${this.buffer.size} waiting, will retry): ${error instanceof Error ? error.message : String(error)}`,
        )
      }
      const retry = RETRY_MS[Math.min(this.failures - 1, RETRY_MS.length - 1)] as number
      setTimeout(() => this.schedule(0), retry).unref()
    }
  }
}
