/**
 * Opening an embedded instance replays its log once: the ledger's catch-up folds the owed wakes
 * beside its view (application/opening-replay.ts), and the wake scheduler restores exactly the
 * wakes a restore of the whole log alone finds.
 */
import { Effect, Stream } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import type { EventStoreShape } from "../../application/event-store.ts"
import { restoreWakes } from "../../application/wake-scheduler.ts"
import {
  createSystemEvents,
  openSystemEvents,
  type SystemEvents,
} from "../../infrastructure/openclaw/index.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"

const instances: SystemEvents[] = []
afterEach(async () => {
  await Promise.all(instances.splice(0).map((instance) => instance.close()))
})

/** The store, counting the records its full reads hand out. */
const counting = (store: EventStoreShape) => {
  const counts = { records: 0 }
  const wrapped: EventStoreShape = {
    ...store,
    readAll: (options) =>
      store.readAll(options).pipe(
        Stream.tap(() =>
          Effect.sync(() => {
            counts.records++
          }),
        ),
      ),
  }
  return { store: wrapped, counts }
}

/** A log with queued events and wakes still owed (their timers never fired). */
async function logWithOwedWakes(): Promise<EventStoreShape> {
  const store = makeMemoryEventStore()
  const first = createSystemEvents({ store })
  first.configureAgent({ agentId: "ops", mainKey: "main" })
  first.configureAgent({ agentId: "main" })
  first.enqueueSystemEvent("Daily digest is ready", { sessionKey: "agent:ops:main" })
  first.requestHeartbeat({ source: "manual", intent: "manual", agentId: "ops", coalesceMs: 60_000 })
  first.requestHeartbeat({
    source: "exec-event",
    intent: "event",
    sessionKey: "agent:main:main",
    coalesceMs: 60_000,
  })
  instances.push(first)
  await first.flush()
  await first.scheduler.reset.pipe(Effect.runPromise)
  return store
}

describe("opening an embedded instance", () => {
  for (const [name, open] of [
    ["createSystemEvents", async (store: EventStoreShape) => createSystemEvents({ store })],
    ["openSystemEvents", (store: EventStoreShape) => openSystemEvents({ store })],
  ] as const) {
    it(`${name} reads the log once and restores the wakes a whole-log restore finds`, async () => {
      const store = await logWithOwedWakes()
      const head = await Effect.runPromise(store.headPosition)
      const alone = await Effect.runPromise(restoreWakes(store))
      expect(alone.length).toBe(2)
      const once = counting(store)
      const instance = await open(once.store)
      instances.push(instance)
      expect(once.counts.records).toBe(head)
      expect(await Effect.runPromise(instance.scheduler.pending)).toEqual(alone)
    })
  }
})
