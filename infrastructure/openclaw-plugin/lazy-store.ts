/**
 * The store behind the plugin's writes, opened on the first append and again after a failure
 * to open; the store thread (store-worker.ts) holds one, and so does the gateway's thread when
 * no thread can be started (store-sink.ts).
 */
import { ManagedRuntime } from "effect"
import { type EventData, EventStore, type EventStoreShape } from "../../application/event-store.ts"
import { layerEventStoreFromUrl } from "../stores/store-layer.ts"

export class LazyStore {
  private opened:
    | {
        readonly store: EventStoreShape
        readonly runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown>
      }
    | undefined

  private readonly storeUrl: string

  constructor(storeUrl: string) {
    this.storeUrl = storeUrl
  }

  async append(streamId: string, events: ReadonlyArray<EventData>): Promise<void> {
    const { store, runtime } = await this.open()
    await runtime.runPromise(store.append(streamId, events, "any"))
  }

  async close(): Promise<void> {
    const opened = this.opened
    this.opened = undefined
    await opened?.runtime.dispose()
  }

  private async open() {
    if (this.opened !== undefined) return this.opened
    const runtime = ManagedRuntime.make(
      layerEventStoreFromUrl(this.storeUrl),
    ) as ManagedRuntime.ManagedRuntime<EventStore, unknown>
    try {
      this.opened = { store: await runtime.runPromise(EventStore), runtime }
      return this.opened
    } catch (error) {
      await runtime.dispose()
      throw error
    }
  }
}
