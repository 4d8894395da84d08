/**
 * The one way to read the log: records from a position, each decoded (and upcast) once, handed
 * to a fold. Every reader — the ledger's catch-up, wake restore, the audit, inspect, export, the
 * what-if, the import's scan, the projection runner — is a LogFold run by `foldLog`; several
 * folds run together share one pass (`combineFolds`). The log holds two families: the ledger's
 * own decisions (domain/events.ts) and the observed facts a real gateway's plugin records
 * (domain/observed-events.ts); a fold that does not read observed facts ignores them.
 * docs/architecture.md, "One fold".
 */
import { Effect, Stream } from "effect"
import type { LedgerEvent } from "../domain/events.ts"
import type { ObservedEvent } from "../domain/observed-events.ts"
import { OBSERVED_EVENT_VERSIONS } from "../domain/observed-events.ts"
import { decodeEvent } from "./event-codec.ts"
import type { EventStoreShape, RecordedEvent } from "./event-store.ts"
import { type StoreUnavailable, UndecodableEvent } from "./event-store-errors.ts"
import { decodeObservedEvent } from "./observed-event-codec.ts"

/** Where a record sits in the log: what most folds need besides its event. */
export type RecordMeta = Pick<RecordedEvent, "id" | "streamId" | "revision" | "position" | "recordedAt">

/**
 * A fold over the decoded log. State may be a mutable accumulator (replaying millions of events
 * must not copy maps); the fold's interface stays pure: `init` makes a fresh state, and the
 * state after a log depends only on that log. Each step is handed the record as stored (a fold
 * that reads only its place declares `RecordMeta`).
 */
export interface LogFold<S> {
  readonly init: () => S
  readonly ledger: (state: S, event: LedgerEvent, record: RecordedEvent) => S
  /** Observed facts; a fold without it skips them. */
  readonly observed?: ((state: S, event: ObservedEvent, record: RecordedEvent) => S) | undefined
}

/** Several folds as one: one decode per record, each fold sees it in turn, in the order named. */
export function combineFolds<S extends Record<string, unknown>>(
  folds: {
    readonly [K in keyof S]: LogFold<S[K]>
  },
): LogFold<S> {
  // Plain arrays walked by index: this runs once per record of a replay.
  const all = Object.entries(folds) as Array<[string, LogFold<unknown>]>
  const observing = all.filter(([, fold]) => fold.observed !== undefined)
  const run = <E>(
    steps: ReadonlyArray<readonly [string, (state: unknown, event: E, record: RecordedEvent) => unknown]>,
  ) => {
    const names = steps.map(([name]) => name)
    const fs = steps.map(([, step]) => step)
    return (state: S, event: E, record: RecordedEvent): S => {
      const s = state as Record<string, unknown>
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string
        s[name] = (fs[i] as (state: unknown, event: E, record: RecordedEvent) => unknown)(
          s[name],
          event,
          record,
        )
      }
      return state
    }
  }
  return {
    init: () => {
      const state: Record<string, unknown> = {}
      for (const [name, fold] of all) state[name] = fold.init()
      return state as S
    },
    ledger: run(all.map(([name, fold]) => [name, fold.ledger] as const)),
    observed:
      observing.length === 0
        ? undefined
        : run(
            observing.map(
              ([name, fold]) => [name, fold.observed as NonNullable<typeof fold.observed>] as const,
            ),
          ),
  }
}

/** The observed family's types, for the one lookup per record that picks the decoder. */
const OBSERVED_TYPES: ReadonlySet<string> = new Set(Object.keys(OBSERVED_EVENT_VERSIONS))

/** Decodes one record into the fold; an undecodable record is returned, never skipped. */
export function stepFold<S>(fold: LogFold<S>, state: S, record: RecordedEvent): S | UndecodableEvent {
  // A Set lookup, not `isObservedType` (Object.hasOwn): it costs a hash the ledger decoder's own
  // lookup then reuses, where hasOwn had to intern each record's freshly read type string.
  if (OBSERVED_TYPES.has(record.type)) {
    const observed = decodeObservedEvent(record)
    if (observed._tag === "UndecodableEvent") return observed
    return fold.observed === undefined ? state : fold.observed(state, observed, record)
  }
  const event = decodeEvent(record)
  if (event._tag === "UndecodableEvent") return event
  return fold.ledger(state, event, record)
}

/** A fold's state and where in the log it stands. */
export interface Folded<S> {
  readonly state: S
  /** The position of the last record folded (the exclusive start of the next read); 0: none. */
  readonly position: number
  /** Records folded (decoded and handed to the fold). */
  readonly records: number
}

/**
 * How a fold treats a record whose position does not increase. `"increasing"` (a projection's
 * catch-up): a record at or before the last folded position is skipped — it is already in the
 * state. `"as-stored"` (the audit, the ledger's view, export): every record is folded in the
 * order read, whatever its position — damage the audit must see and report.
 */
export type PositionOrder = "increasing" | "as-stored"

export interface FoldPageOptions {
  /** `"increasing"` by default. */
  readonly positions?: PositionOrder | undefined
  /**
   * Called for a record that does not decode; the fold then skips it and goes on (export's
   * salvage). Without it the first undecodable record stops the fold and is returned.
   */
  readonly onUndecodable?: ((error: UndecodableEvent, record: RecordedEvent) => void) | undefined
}

/** Folds one page of records into `from`: synchronous, one decode per record. */
export function foldPage<S>(
  fold: LogFold<S>,
  from: Folded<S>,
  page: Iterable<RecordedEvent>,
  options: FoldPageOptions = {},
): Folded<S> | UndecodableEvent {
  const skipRepeated = options.positions !== "as-stored"
  const onUndecodable = options.onUndecodable
  let { state, position, records } = from
  const list = Array.isArray(page) ? (page as ReadonlyArray<RecordedEvent>) : [...page]
  for (let index = 0; index < list.length; index++) {
    const record = list[index] as RecordedEvent
    if (skipRepeated && record.position <= position) continue
    const next = stepFold(fold, state, record)
    if (next instanceof UndecodableEvent) {
      if (onUndecodable === undefined) return next
      onUndecodable(next, record)
      continue
    }
    state = next
    position = record.position
    records++
  }
  return { state, position, records }
}

export interface FoldLogOptions<S = unknown, E = never> extends FoldPageOptions {
  /** Exclusive start: the position of the last record already folded (0: the whole log). */
  readonly fromPosition?: number | undefined
  /** Inclusive end: the read stops at the first record past it (default: the head). */
  readonly toPosition?: number | undefined
  /** Keep following live appends (a catch-up subscription) instead of stopping at the head. */
  readonly follow?: boolean | undefined
  /** The most records folded between two `onPage` calls (default: the store's own pages). */
  readonly pageSize?: number | undefined
  /** Called after each page with the number of records read so far (folded or skipped). */
  readonly onProgress?: ((done: number) => void) | undefined
  /** Run after each page is folded (a checkpoint save, a flush); its failure stops the fold. */
  readonly onPage?: ((folded: Folded<S>) => Effect.Effect<void, E>) | undefined
}

const partsOf = <A>(page: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const parts: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < page.length; start += size) parts.push(page.slice(start, start + size))
  return parts
}

/**
 * Folds the log from `fromPosition` to the head (or on, with `follow`): a page at a time, one
 * decode per record, into `from` (a fresh state by default).
 */
export function foldLog<S, E = never>(
  store: EventStoreShape,
  fold: LogFold<S>,
  options: FoldLogOptions<S, E> = {},
  from: S = fold.init(),
): Effect.Effect<Folded<S>, StoreUnavailable | UndecodableEvent | E> {
  return Effect.suspend(() => {
    const fromPosition = options.fromPosition ?? 0
    const to = options.toPosition
    let folded: Folded<S> = { state: from, position: fromPosition, records: 0 }
    let read = 0
    let source = options.follow ? store.subscribeToAll({ fromPosition }) : store.readAll({ fromPosition })
    if (to !== undefined) source = source.pipe(Stream.takeWhile((record) => record.position <= to))
    const onPage = options.onPage
    const pageSize = options.pageSize
    const step = (page: ReadonlyArray<RecordedEvent>) =>
      Effect.suspend((): Effect.Effect<void, UndecodableEvent | E> => {
        const next = foldPage(fold, folded, page, options)
        if (next instanceof UndecodableEvent) return Effect.fail(next)
        folded = next
        read += page.length
        options.onProgress?.(read)
        return onPage === undefined ? Effect.void : onPage(folded)
      })
    return source.pipe(
      // Whole pages at a time: one Effect step per page, not per event, keeps replay fast. A
      // page larger than `pageSize` is folded in parts; a smaller one is never held back to
      // fill one (`Stream.rechunk` did: a live subscription's last records waited for more).
      Stream.runForEachArray((page) =>
        pageSize === undefined || page.length <= pageSize
          ? step(page)
          : Effect.forEach(partsOf(page, pageSize), step, { discard: true }),
      ),
      Effect.map(() => folded),
    )
  })
}

/** A record's ledger event as the fold's whole state (an observed fact: none). */
const ledgerEventOf: LogFold<LedgerEvent | undefined> = {
  init: () => undefined,
  ledger: (_, event) => event,
  observed: () => undefined,
}

/**
 * The log as decoded ledger events, in order (observed facts decoded, then left out): for a
 * reader that does effects per event (the what-if replays each into another ledger).
 */
export const decodedLedgerEvents = (
  store: EventStoreShape,
): Stream.Stream<LedgerEvent, StoreUnavailable | UndecodableEvent> =>
  store.readAll().pipe(
    Stream.mapEffect((record) => {
      const event = stepFold(ledgerEventOf, undefined, record)
      return event instanceof UndecodableEvent ? Effect.fail(event) : Effect.succeed(event)
    }),
    Stream.filter((event): event is LedgerEvent => event !== undefined),
  )
