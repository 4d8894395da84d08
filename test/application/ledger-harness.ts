/** A ledger on a fresh in-memory store with seeded ids, for application tests. */
import { Effect, Layer } from "effect"
import type { EventStoreShape } from "../../application/event-store.ts"
import { EventStore } from "../../application/event-store.ts"
import { Ledger, layerLedger } from "../../application/ledger.ts"
import { layerSeededIds } from "../../infrastructure/ids.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"

export const ledgerOn = (store: EventStoreShape, seed = 1) =>
  Layer.provideMerge(layerLedger, Layer.merge(Layer.succeed(EventStore, store), layerSeededIds(seed)))

/** Runs `program` with a Ledger (and its EventStore) on `store`, a new memory store by default. */
export const withLedger = <A, E>(
  program: Effect.Effect<A, E, Ledger | EventStore>,
  store: EventStoreShape = makeMemoryEventStore({ now: () => 0 }),
  seed = 1,
): Promise<A> => Effect.runPromise(Effect.provide(program, ledgerOn(store, seed)))

export { Ledger }
