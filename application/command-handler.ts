/**
 * The one way a ledger command is carried out: decide against the view, append every write as
 * ONE atomic append at the streams' expected revisions, fold what was appended; when another
 * writer got there first, catch up with the log and decide again.
 */
import { Effect, Semaphore } from "effect"
import type { LedgerEvent } from "../domain/events.ts"
import type { LedgerCommand } from "../domain/ledger-command.ts"
import { decide } from "../domain/ledger-decider.ts"
import type { RefusalOf, ResultOf, Write } from "../domain/ledger-decision.ts"
import type { LedgerState } from "../domain/ledger-state.ts"
import { encodeEvent } from "./event-codec.ts"
import type { EventStoreShape, ExpectedRevision } from "./event-store.ts"
import type { StoreUnavailable, UndecodableEvent } from "./event-store-errors.ts"
import type { Ids } from "./ids.ts"
import { LedgerContention, type LedgerError } from "./ledger-errors.ts"
import type { LedgerView } from "./ledger-view.ts"
import { streamIdOf } from "./stream-names.ts"

const MAX_ATTEMPTS = 8

/** A command, or how to make one from the state it will be decided on (ids sized to it). */
export type CommandSource<C extends LedgerCommand> = C | ((state: LedgerState) => Effect.Effect<C>)

export interface CommandHandler {
  readonly execute: <C extends LedgerCommand>(
    command: CommandSource<C>,
  ) => Effect.Effect<ResultOf<C>, LedgerError | RefusalOf<C>>
  /** Folds in what other writers appended since the view's position. */
  readonly sync: Effect.Effect<void, StoreUnavailable | UndecodableEvent>
}

/** The decision's non-empty writes, one per store stream, in first-named order. */
const appendsOf = (writes: ReadonlyArray<Write>) => {
  const byStream = new Map<string, LedgerEvent[]>()
  for (const { stream, events } of writes) {
    if (events.length === 0) continue
    const streamId = streamIdOf(stream)
    const merged = byStream.get(streamId)
    if (merged === undefined) byStream.set(streamId, [...events])
    else merged.push(...events)
  }
  return [...byStream].map(([streamId, events]) => ({ streamId, events }))
}

const expectedFrom = (revision: number): ExpectedRevision => (revision < 0 ? "no-stream" : revision)

export const makeCommandHandler = (deps: {
  readonly store: EventStoreShape
  readonly ids: Ids["Service"]
  readonly view: LedgerView
  /** Folds the log from the view's position into the view. */
  readonly catchUp: Effect.Effect<void, StoreUnavailable | UndecodableEvent>
}) =>
  Effect.map(Semaphore.make(1), (lock): CommandHandler => {
    const { store, ids, view, catchUp } = deps
    const attempt = <C extends LedgerCommand>(source: CommandSource<C>) =>
      Effect.gen(function* () {
        for (let attempt = 1; ; attempt++) {
          const command = typeof source === "function" ? yield* source(view) : source
          const decision = decide(command, view)
          const writes = appendsOf(decision.writes)
          const done =
            decision.refusal === undefined ? Effect.succeed(decision.result) : Effect.fail(decision.refusal)
          if (writes.length === 0) return yield* done
          const count = writes.reduce((sum, write) => sum + write.events.length, 0)
          // The store ids of this decision's events, by index: a deterministic source (an
          // import) gives the same ids to every attempt, so the store recognises a retry.
          const eventIds =
            ids.eventIds === undefined
              ? yield* Effect.replicateEffect(ids.next, count)
              : yield* ids.eventIds(count)
          let k = 0
          const appends = writes.map(({ streamId, events }) => ({
            streamId,
            expectedRevision: expectedFrom(view.revision(streamId)),
            events: events.map((event) => encodeEvent(eventIds[k++] as string, event)),
          }))
          const appended = yield* store.appendMulti(appends).pipe(
            Effect.map((ok) => ({ ok })),
            Effect.catchTag("WrongExpectedRevision", () => Effect.succeed({ ok: undefined })),
          )
          if (appended.ok !== undefined) {
            const first = appended.ok.position - count + 1
            if (appended.ok.written && store.densePositions === true && first === view.position + 1) {
              // Ours alone, contiguous in the request's order: fold it without reading it back.
              let position = first
              for (const { streamId, events } of writes)
                for (const event of events)
                  view.apply({ streamId, revision: view.revision(streamId) + 1, position: position++ }, event)
            } else {
              // Someone else wrote since our last read, the store found it already written, or it
              // cannot tell us: read it all in order, ours included, so the view never skips.
              yield* catchUp
            }
            return yield* done
          }
          if (attempt >= MAX_ATTEMPTS)
            return yield* new LedgerContention({
              streamId: writes.map((write) => write.streamId).join(", "),
              attempts: attempt,
            })
          yield* catchUp
        }
      })
    return {
      execute: (source) => lock.withPermit(attempt(source)),
      sync: lock.withPermit(catchUp),
    }
  })
