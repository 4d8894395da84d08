/**
 * Copies buffered observations to the store, in order, a batch per append, off the gateway's
 * thread (the store runs on its own: store-sink.ts): a failed or slow append costs a logged
 * warning (rate-limited) and a retry later, never an exception into OpenClaw nor a stall of
 * its thread. A batch leaves the buffer only once the store took it.
 */
import type { EventData } from "../../application/event-store.ts"
import { encodeObservedEvent, observedStreamId } from "../../application/observed-event-codec.ts"
import type { ObservedEvent } from "../../domain/observed-events.ts"
import { maskStoreUrl } from "../store-url.ts"
import type { ObservationBuffer } from "./observation-buffer.ts"
import { StoreSink } from "./store-sink.ts"

export interface Observation {
  readonly id: string
  readonly event: ObservedEvent
}

export interface WarnLogger {
  readonly warn: (message: string) => void
}

/** Where batches go: the store thread by default. */
export interface BatchSink {
  readonly append: (streamId: string, events: ReadonlyArray<EventData>) => Promise<void>
  readonly close: () => Promise<void>
}

const RETRY_MS = [250, 1_000, 5_000] as const
const WARN_EVERY_MS = 30_000

export class ObservationWriter {
  private readonly sink: BatchSink
  private writing: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private failures = 0
  private lastWarnAt = Number.NEGATIVE_INFINITY
  private lostSeq = 0
  private pendingLost: EventData | undefined

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
    sink: BatchSink = new StoreSink(storeUrl, logger.warn),
  ) {
    this.sink = sink
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
    await this.sink.close()
  }

  private async writeAll(): Promise<void> {
    try {
      const streamId = observedStreamId(this.observerId)
      // The loss report keeps its id until it is stored, so a retry of it is a no-op if it
      // was stored after all (ids are idempotency keys); a later loss waits for the next report.
      if (this.pendingLost === undefined) {
        const lost = this.buffer.takeLost()
        if (lost !== undefined) {
          const event: ObservedEvent = { _tag: "ObservationsLost", ...lost, at: Date.now() }
          this.pendingLost = encodeObservedEvent(`${this.observerId}-lost-${++this.lostSeq}`, event)
        }
      }
      if (this.pendingLost !== undefined) {
        await this.sink.append(streamId, [this.pendingLost])
        this.pendingLost = undefined
      }
      while (this.buffer.size > 0) {
        const batch = this.buffer.peek(this.batchSize)
        await this.sink.append(
          streamId,
          batch.map((observation) => encodeObservedEvent(observation.id, observation.event)),
        )
        this.buffer.commit(batch.length)
      }
      this.failures = 0
    } catch (error) {
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
