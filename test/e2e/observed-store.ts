/** Reads what the plugin recorded: the observed facts of a store, decoded, in order. */
import { Effect, ManagedRuntime, Stream } from "effect"
import { EventStore } from "../../application/event-store.ts"
import { decodeObservedEvent } from "../../application/observed-event-codec.ts"
import type { ObservedEvent } from "../../domain/observed-events.ts"
import { layerEventStoreFromUrl } from "../../infrastructure/stores/store-layer.ts"

export async function readObserved(storeUrl: string): Promise<ReadonlyArray<ObservedEvent>> {
  const runtime = ManagedRuntime.make(layerEventStoreFromUrl(storeUrl))
  try {
    const records = await runtime.runPromise(
      Effect.flatMap(EventStore, (store) => Stream.runCollect(store.readAll())),
    )
    return [...records].map((record) => {
      const event = decodeObservedEvent(record)
      if (event._tag === "UndecodableEvent") throw new Error(event.message)
      return event
    })
  } finally {
    await runtime.dispose()
  }
}

/** Polls the store until `done` holds of what it holds (or the time is up: then the last read). */
export async function waitForObserved(
  storeUrl: string,
  done: (events: ReadonlyArray<ObservedEvent>) => boolean,
  timeoutMs = 30_000,
): Promise<ReadonlyArray<ObservedEvent>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const events = await readObserved(storeUrl).catch(() => [])
    if (done(events) || Date.now() > deadline) return events
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}
