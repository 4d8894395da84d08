/**
 * What every contract test needs: the store under test built once per file, effects run against
 * it, and fresh stream names so that tests never see each other's events.
 */
import { randomUUID } from "node:crypto"
import { Effect, type Layer, ManagedRuntime, Stream } from "effect"
import type {
  AppendResult,
  EventData,
  EventStoreShape,
  ExpectedRevision,
  MultiAppendResult,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
} from "../../application/event-store.ts"
import { EventStore } from "../../application/event-store.ts"
import type { AppendError } from "../../application/event-store-errors.ts"
import { STREAM_PREFIX } from "../../application/stream-names.ts"

export interface ContractTarget {
  readonly layer: Layer.Layer<EventStore, unknown>
  /** A store URL that child processes can open; absent when the store lives in this process only. */
  readonly processUrl?: string
  /** Runs after the store is released (drop a schema, remove a directory). */
  readonly cleanup?: () => Promise<void>
  /** fast-check runs per property; fewer for stores behind a network. */
  readonly propertyRuns?: number
  /**
   * EventStoreDB/KurrentDB: ids are idempotency keys per stream only (the server's rule), and
   * through `@eventstore/db-client` a multi-stream append is not atomic. Tests of what such a
   * store does not promise are skipped there, visibly.
   */
  readonly idempotency?: "store-wide" | "per-stream"
  readonly atomicMultiAppend?: boolean
}

export type ContractSetup =
  | { readonly run: ContractTarget }
  | { readonly skip: string }
  /** The suite must run here (CI) but cannot: one failing test says why. */
  | { readonly fail: string }

export class ContractContext {
  readonly runId = randomUUID().slice(0, 8)
  readonly #runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown>
  #streams = 0

  readonly target: ContractTarget

  constructor(target: ContractTarget) {
    this.target = target
    this.#runtime = ManagedRuntime.make(target.layer)
  }

  /** Every stream of this run starts with this; it starts with STREAM_PREFIX as the ledger's do. */
  get prefix(): string {
    return `${STREAM_PREFIX}contract-${this.runId}-`
  }

  stream(label: string): string {
    this.#streams += 1
    return `${this.prefix}${label}-${this.#streams}`
  }

  run<A, E>(effect: Effect.Effect<A, E, EventStore>): Promise<A> {
    return this.#runtime.runPromise(effect)
  }

  store = <A, E>(use: (store: EventStoreShape) => Effect.Effect<A, E>): Promise<A> =>
    this.run(
      Effect.gen(function* () {
        return yield* use(yield* EventStore)
      }),
    )

  append(
    streamId: string,
    events: ReadonlyArray<EventData>,
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    return this.store((store) => store.append(streamId, events, expected))
  }

  /** The typed failure of an append expected to be refused (a success fails the test). */
  appendError(
    streamId: string,
    events: ReadonlyArray<EventData>,
    expected: ExpectedRevision,
  ): Promise<AppendError> {
    return this.store((store) => Effect.flip(store.append(streamId, events, expected)))
  }

  appendMulti(appends: ReadonlyArray<StreamAppend>): Promise<MultiAppendResult> {
    return this.store((store) => store.appendMulti(appends))
  }

  /** The typed failure of a multi-stream append expected to be refused. */
  appendMultiError(appends: ReadonlyArray<StreamAppend>): Promise<AppendError> {
    return this.store((store) => Effect.flip(store.appendMulti(appends)))
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.store((store) => Stream.runCollect(store.readStream(streamId, options)))
  }

  /** The global log after `fromPosition`, restricted to `streams` (or to this run's streams). */
  readAll(options: ReadAllOptions = {}, streams?: ReadonlyArray<string>): Promise<RecordedEvent[]> {
    return this.store((store) =>
      Stream.runCollect(store.readAll(options).pipe(Stream.filter((event) => this.#isIn(event, streams)))),
    )
  }

  headPosition(): Promise<number> {
    return this.store((store) => store.headPosition)
  }

  /**
   * Starts a catch-up subscription now and collects what it delivers from `streams` until (and
   * including) the event `untilId`: append that event last, and a skipped event shows as missing.
   */
  subscribeUntil(
    fromPosition: number,
    untilId: string,
    streams?: ReadonlyArray<string>,
  ): Promise<RecordedEvent[]> {
    return this.store((store) =>
      Stream.runCollect(
        store.subscribeToAll({ fromPosition }).pipe(
          Stream.filter((event) => this.#isIn(event, streams)),
          Stream.takeUntil((event) => event.id === untilId),
        ),
      ),
    )
  }

  #isIn(event: RecordedEvent, streams: ReadonlyArray<string> | undefined): boolean {
    return streams === undefined ? event.streamId.startsWith(this.prefix) : streams.includes(event.streamId)
  }

  dispose(): Promise<void> {
    return this.#runtime.dispose()
  }
}

export const newEvent = (data: unknown = { at: Date.now() }, type = "ContractTested"): EventData => ({
  id: randomUUID(),
  type,
  version: 1,
  data,
})

export const newEvents = (count: number, type = "ContractTested"): EventData[] =>
  Array.from({ length: count }, (_, index) => newEvent({ index }, type))

export const ids = (events: ReadonlyArray<{ readonly id: string }>): string[] =>
  events.map((event) => event.id)
