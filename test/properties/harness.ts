/**
 * Test harness for the property tests: a ledger on a fresh in-memory store, a way to run its
 * effects from plain async code, and a reader for the whole log.
 */
import { Effect, Layer, Stream } from "effect"
import fc from "fast-check"
import { expect } from "vitest"
import { EventStore, type EventStoreShape, type RecordedEvent } from "../../application/event-store.ts"
import { Ledger, type LedgerShape, layerLedger, makeLedger } from "../../application/ledger.ts"
import {
  type AuditReport,
  type AuditState,
  auditProjection,
  auditReport,
} from "../../application/projections/audit.ts"
import { catchUpProjection, type Projection } from "../../application/projections/projection.ts"
import { layerSeededIds } from "../../infrastructure/ids.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"

export interface LedgerEnv {
  readonly ledger: LedgerShape
  readonly store: EventStoreShape
}

/** Runs an effect that needs nothing; its failure rejects the promise. */
export const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

/** The wiring of the brief: a ledger over a memory store and seeded ids. */
export async function makeLedgerEnv(seed = 1): Promise<LedgerEnv> {
  const store = makeMemoryEventStore({ now: () => 0 })
  const layer = Layer.provideMerge(
    layerLedger,
    Layer.merge(Layer.succeed(EventStore, store), layerSeededIds(seed)),
  )
  const ledger = await run(
    Effect.provide(
      Effect.gen(function* () {
        return yield* Ledger
      }),
      layer,
    ),
  )
  return { ledger, store }
}

/** Another ledger (another writer) over an existing store, with its own id sequence. */
export const makeLedgerOn = (store: EventStoreShape, seed: number): Promise<LedgerShape> =>
  run(Effect.provide(makeLedger, Layer.merge(Layer.succeed(EventStore, store), layerSeededIds(seed))))

export const readAllRecords = (store: EventStoreShape): Promise<ReadonlyArray<RecordedEvent>> =>
  run(Stream.runCollect(store.readAll()))

/** JSON-normalised copy: drops `undefined` properties so deep equality compares what a store keeps. */
export const normalizeJSON = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? "null")

/**
 * Runs a property with fast-check and prints how many runs it took and how long; on failure
 * throws fast-check's report (seed, path and shrunk counterexample) so the run can be replayed.
 */
export async function assertProperty<Ts>(
  name: string,
  property: fc.IAsyncProperty<Ts>,
  params: fc.Parameters<Ts> & { readonly numRuns: number },
): Promise<fc.RunDetails<Ts>> {
  const started = performance.now()
  const details = await fc.check(property, params)
  const ms = Math.round(performance.now() - started)
  console.log(
    `${name}: ${details.numRuns} runs in ${ms} ms (seed ${details.seed})${details.failed ? " — FAILED" : ""}`,
  )
  if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? `${name} failed`)
  expect(details.numRuns).toBe(params.numRuns)
  return details
}

/** The audit report of everything in the store, folded by `projection` (the real one by default). */
export async function auditOf(
  store: EventStoreShape,
  projection: Projection<AuditState> = auditProjection,
): Promise<AuditReport> {
  const folded = await run(catchUpProjection(projection, store))
  return auditReport(folded.state)
}
