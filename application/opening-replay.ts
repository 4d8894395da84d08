/**
 * Opening an instance reads its log once. The ledger's opening catch-up is a full replay; a part
 * that opens beside it on the same store and would replay the log too (the wake scheduler's
 * restore) names its fold here instead: the catch-up folds it in the same pass and leaves the
 * result, with the position it stands at, and the part takes it and folds only what was appended
 * since. An instance that opens its parts together provides one OpeningReplay to all of them;
 * without one, each part reads the log itself, as before.
 */
import { Context, Effect } from "effect"
import { combineFolds, type Folded, type FoldLogOptions, foldLog, type LogFold } from "./decoded-log.ts"
import type { EventStoreShape } from "./event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "./event-store-errors.ts"

export class OpeningReplay {
  private readonly riders: ReadonlyArray<LogFold<unknown>>
  private readonly left = new Map<LogFold<unknown>, Folded<unknown>>()

  /** The folds that ride along the opening catch-up. */
  static of<A extends ReadonlyArray<unknown>>(...riders: { readonly [K in keyof A]: LogFold<A[K]> }) {
    return new OpeningReplay(riders as ReadonlyArray<LogFold<unknown>>)
  }

  private constructor(riders: ReadonlyArray<LogFold<unknown>>) {
    this.riders = riders
  }

  /** Folds the log into `from` with `main` and every rider beside it, in one pass; leaves each rider's result. */
  foldBeside<S>(
    store: EventStoreShape,
    main: LogFold<S>,
    from: S,
    options: FoldLogOptions<Record<string, unknown>>,
  ): Effect.Effect<Folded<S>, StoreUnavailable | UndecodableEvent> {
    const named: Record<string, LogFold<unknown>> = { main: main as LogFold<unknown> }
    this.riders.forEach((rider, index) => {
      named[index] = rider
    })
    const fold = combineFolds(named)
    return Effect.map(foldLog(store, fold, options, { ...fold.init(), main: from }), (folded) => {
      this.riders.forEach((rider, index) => {
        this.left.set(rider, { ...folded, state: folded.state[index] })
      })
      return { ...folded, state: folded.state.main as S }
    })
  }

  /** Takes (once) what the catch-up folded for `fold`; undefined when nothing was left. */
  take<S>(fold: LogFold<S>): Folded<S> | undefined {
    const folded = this.left.get(fold as LogFold<unknown>) as Folded<S> | undefined
    this.left.delete(fold as LogFold<unknown>)
    return folded
  }
}

/** The instance's opening replay, when its parts open together; none by default. */
export const CurrentOpeningReplay = Context.Reference<OpeningReplay | undefined>(
  "heartbeat-ledger/application/CurrentOpeningReplay",
  { defaultValue: () => undefined },
)
