/**
 * The one way to read the log: records from a position, each decoded (and upcast) once, handed
 * to a fold. Every reader — the ledger's catch-up, wake restore, the audit, inspect, the
 * what-if, the projection runner — is a LogFold run by `foldLog`; several folds run together
 * share one pass (`combineFolds`). The log holds two families: the ledger's own decisions
 * (domain/events.ts) and the observed facts a real gateway's plugin records
 * (domain/observed-events.ts); a fold that does not read observed facts ignores them.
 */
import { Effect, Stream } from "effect"
import type { LedgerEvent } from "../domain/events.ts"
import type { ObservedEvent } from "../domain/observed-events.ts"
import { decodeEvent } from "./event-codec.ts"
import type { EventStoreShape, RecordedEvent } from "./event-store.ts"
import { type StoreUnavailable, UndecodableEvent } from "./event-store-errors.ts"
import { decodeObservedEvent, isObservedType } from "./observed-event-codec.ts"

/** Where a record sits in the log: what a fold may need besides its event. */
export type RecordMeta = Pick<RecordedEvent, "id" | "streamId" | "revision" | "position" | "recordedAt">

/**
 * A fold over the decoded log. State may be a mutable accumulator (replaying millions of events
 * must not copy maps); the fold's interface stays pure: `init` makes a fresh state, and the
 * state after a log depends only on that log.
 */
export interface LogFold<S> {
  readonly init: () => S
  readonly ledger: (state: S, event: LedgerEvent, record: RecordMeta) => S
  /** Observed facts; a fold without it skips them. */
  readonly observed?: ((state: S, event: ObservedEvent, record: RecordMeta) => S) | undefined
}

/** Several folds as one: one decode per record, each fold sees it in turn. */
export function combineFolds<F extends Record<string, LogFold<unknown>>>(
  folds: F,
): LogFold<{ [K in keyof F]: F[K] extends LogFold<infer S> ? S : never }> {
  type State = { [K in keyof F]: F[K] extends LogFold<infer S> ? S : never }
  const entries = Object.entries(folds)
  const observing = entries.filter(([, fold]) => fold.observed !== undefined)
  return {
    init: () => Object.fromEntries(entries.map(([name, fold]) => [name, fold.init()])) as State,
    ledger: (state, event, record) => {
      const s = state as Record<string, unknown>
      for (const [name, fold] of entries) s[name] = fold.ledger(s[name], event, record)
      return state
    },
    observed:
      observing.length === 0
        ? undefined
        : (state, event, record) => {
            const s = state as Record<string, unknown>
            for (const [name, fold] of observing) s[name] = fold.observed?.(s[name], event, record)
            return state
          },
  }
}

/** Decodes one record into the fold; an undecodable record is returned, never skipped. */
export function stepFold<S>(fold: LogFold<S>, state: S, record: RecordedEvent): S | UndecodableEvent {
  if (isObservedType(record.type)) {
    const observed = decodeObservedEvent(record)
    if (observed._tag === "UndecodableEvent") return observed
    return fold.observed === undefined ? state : fold.observed(state, observed, record)
  }
  const event = decodeEvent(record)
  if (event._tag === "UndecodableEvent") return event
  return fold.ledger(state, event, record)
}

export interface FoldLogOptions {
  /** Exclusive start: the position of the last record already folded (0: the whole log). */
  readonly fromPosition?: number | undefined
  /** Called after each page with the number of records folded so far. */
  readonly onProgress?: ((done: number) => void) | undefined
}

/** Folds the log from `fromPosition` to the head: one decode per record, a page at a time. */
export function foldLog<S>(
  store: EventStoreShape,
  fold: LogFold<S>,
  options: FoldLogOptions = {},
  from: S = fold.init(),
): Effect.Effect<
  { readonly state: S; readonly position: number; readonly records: number },
  StoreUnavailable | UndecodableEvent
> {
  return Effect.suspend(() => {
    let state = from
    let position = options.fromPosition ?? 0
    let records = 0
    return store.readAll({ fromPosition: position }).pipe(
      // Whole pages at a time: one Effect step per page, not per event, keeps replay fast.
      Stream.runForEachArray((page) =>
        Effect.suspend(() => {
          for (const record of page) {
            const next = stepFold(fold, state, record)
            if (next instanceof UndecodableEvent) return Effect.fail(next)
            state = next
            position = record.position
            records++
          }
          options.onProgress?.(records)
          return Effect.void
        }),
      ),
      Effect.map(() => ({ state, position, records })),
    )
  })
}
