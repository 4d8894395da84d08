/**
 * A ledger on the store a URL names, for code that embeds it: `layerLedgerFromUrl` for Effect
 * programs, `openLedger` for the others (a ready Ledger whose calls return Promises, and a
 * `close`). Both replay the store's log once when they open, as every ledger does.
 */
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import { EventStore, type EventStoreShape } from "../../application/event-store.ts"
import { Ledger, type LedgerShape, layerLedger } from "../../application/ledger.ts"
import { layerRandomIds } from "../ids.ts"
import { layerEventStoreFromUrl, resolveStoreUrl } from "../stores/store-layer.ts"
import { type Promised, promised } from "./promised.ts"

/** The Ledger (and the EventStore under it) on `url`'s store, with random event ids; closes the store when released. */
export const layerLedgerFromUrl = (url: string) =>
  Layer.provideMerge(layerLedger, Layer.merge(layerEventStoreFromUrl(url), layerRandomIds))

/** A call on an `openLedger` ledger after its `close()`. */
export class LedgerClosed extends Schema.TaggedError<LedgerClosed>()("LedgerClosed", {
  store: Schema.String,
}) {
  override get message() {
    return `the ledger on ${this.store} is closed`
  }
}

/** A Ledger whose calls return Promises, open on a store until `close()`. */
export interface OpenedLedger extends Promised<LedgerShape> {
  /** The store it writes, e.g. for `auditLog(ledger.store)`. */
  readonly store: EventStoreShape
  /** Closes the store (its file or connections); every call after rejects with LedgerClosed. */
  readonly close: () => Promise<void>
  /** `await using ledger = await openLedger(…)` closes it at the end of the scope. */
  readonly [Symbol.asyncDispose]: () => Promise<void>
}

/**
 * Opens a ledger on the store `url` names (`memory:`, `sqlite:<path>`, `postgres://…`,
 * `esdb://…`); without one, on HEARTBEAT_LEDGER_STORE's or the CLI's default, as the CLI does.
 * Rejects with the store's error (InvalidStoreUrl, StoreUnavailable, LedgerFileRefused…).
 */
export async function openLedger(url: string = resolveStoreUrl()): Promise<OpenedLedger> {
  const runtime = ManagedRuntime.make(layerLedgerFromUrl(url))
  const opened = await runtime
    .runPromise(
      Effect.gen(function* () {
        return { ledger: yield* Ledger, store: yield* EventStore }
      }),
    )
    .catch(async (error: unknown) => {
      await runtime.dispose()
      throw error
    })
  let closed = false
  const close = () => {
    closed = true
    return runtime.dispose()
  }
  const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
    closed
      ? Promise.reject(new LedgerClosed({ store: opened.store.description }))
      : runtime.runPromise(effect)
  return {
    ...promised(opened.ledger, run),
    store: opened.store,
    close,
    [Symbol.asyncDispose]: close,
  }
}
