/**
 * A read of an ordered range in pages, so that a long stream or log never sits in memory whole.
 * Shared by the SQL adapters for readStream and readAll.
 */
import { Effect, Option, Stream } from "effect"
import type { ReadAllOptions, ReadStreamOptions, RecordedEvent } from "../../application/event-store.ts"
import type { StoreUnavailable } from "../../application/event-store-errors.ts"

/**
 * Rows per page. Small enough that a page is dead before the next young-generation GC: with
 * pages of 500, a 1M-event replay sometimes kept ~3 pages alive across each scavenge and
 * promoted ~750 MB of them to the old space (a run-to-run coin toss); with 250, ~15 MB every
 * run (docs/performance.md).
 */
export const READ_PAGE_SIZE = 250

export function pagedRead<Cursor>(options: {
  readonly start: Cursor
  /** Undefined: no limit. */
  readonly maxCount: number | undefined
  readonly readPage: (
    cursor: Cursor,
    limit: number,
  ) => Effect.Effect<ReadonlyArray<RecordedEvent>, StoreUnavailable>
  /** The cursor after `last`, or none when the range is exhausted. */
  readonly next: (last: RecordedEvent) => Option.Option<Cursor>
}): Stream.Stream<RecordedEvent, StoreUnavailable> {
  const { maxCount, readPage, next } = options
  type State = { readonly cursor: Cursor; readonly remaining: number }
  return Stream.paginate<State, RecordedEvent, StoreUnavailable>(
    { cursor: options.start, remaining: maxCount ?? Number.POSITIVE_INFINITY },
    ({ cursor, remaining }) =>
      remaining <= 0
        ? Effect.succeed([[], Option.none()] as const)
        : readPage(cursor, Math.min(READ_PAGE_SIZE, remaining)).pipe(
            Effect.map((page) => {
              const last = page[page.length - 1]
              const full = page.length === Math.min(READ_PAGE_SIZE, remaining)
              const following = last === undefined || !full ? Option.none<Cursor>() : next(last)
              return [
                page,
                Option.map(following, (cursor): State => ({ cursor, remaining: remaining - page.length })),
              ] as const
            }),
          ),
  )
}

/**
 * The port's `readAll` for a store that reads its log by position (`readAfter`: at most `limit`
 * events after `position`, at or before `until`, in order): in pages, from `fromPosition`, ending
 * at the head as it was when the read began, even while appends continue.
 */
export const pagedLogRead =
  (
    headPosition: Effect.Effect<number, StoreUnavailable>,
    readAfter: (
      position: number,
      limit: number,
      until: number,
    ) => Effect.Effect<ReadonlyArray<RecordedEvent>, StoreUnavailable>,
  ) =>
  (options: ReadAllOptions = {}): Stream.Stream<RecordedEvent, StoreUnavailable> =>
    Stream.unwrap(
      Effect.map(headPosition, (until) =>
        pagedRead({
          start: options.fromPosition ?? 0,
          maxCount: options.maxCount,
          readPage: (from, limit) => readAfter(from, limit, until),
          next: (last) => Option.some(last.position),
        }),
      ),
    )

/** A stream read in pages, forwards or backwards from a revision, as the port's `readStream` asks. */
export function pagedStreamRead(
  options: ReadStreamOptions,
  readPage: (
    fromRevision: number,
    limit: number,
    backwards: boolean,
  ) => Effect.Effect<ReadonlyArray<RecordedEvent>, StoreUnavailable>,
): Stream.Stream<RecordedEvent, StoreUnavailable> {
  const backwards = options.direction === "backwards"
  return pagedRead({
    start: options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0),
    maxCount: options.maxCount,
    readPage: (from, limit) => readPage(from, limit, backwards),
    next: (last) =>
      backwards
        ? last.revision > 0
          ? Option.some(last.revision - 1)
          : Option.none()
        : Option.some(last.revision + 1),
  })
}
