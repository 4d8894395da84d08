/**
 * The command handler against the decider it runs: random commands carried out through the
 * handler on a real (memory) store must leave exactly the log, answers and state that deciding
 * and evolving them directly gives — every write appended, stream by stream in the order the
 * decision named them, each decision's events together, and the view folded as the log reads.
 * Both ways of folding are driven: appended events folded at once (dense positions) and the
 * log read back. HBL_HANDLER_RUNS sets the runs (60).
 */
import { Effect, Stream } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { makeCommandHandler } from "../../application/command-handler.ts"
import { decodeEvent } from "../../application/event-codec.ts"
import type { EventStoreShape } from "../../application/event-store.ts"
import { Ids } from "../../application/ids.ts"
import { LedgerView } from "../../application/ledger-view.ts"
import { streamIdOf } from "../../application/stream-names.ts"
import type { LedgerEvent } from "../../domain/events.ts"
import { ledgerDecider } from "../../domain/ledger-decider.ts"
import { seededUuids } from "../../infrastructure/ids.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { snapshot, stepArb, T0 } from "../domain/ledger-commands.ts"

const RUNS = Number(process.env.HBL_HANDLER_RUNS ?? 60)

const logOf = (store: EventStoreShape) =>
  Effect.runPromise(Stream.runCollect(store.readAll())).then((records) =>
    [...records].map((record) => ({ streamId: record.streamId, event: decodeEvent(record) })),
  )

/** What one decision must append: its events stream by stream, in first-named order, empty ones left out. */
const expectedAppends = (writes: ReturnType<typeof ledgerDecider.decide>["writes"]) => {
  const streams: string[] = []
  const events = new Map<string, LedgerEvent[]>()
  for (const write of writes) {
    const streamId = streamIdOf(write.stream)
    if (write.events.length === 0) continue
    if (!events.has(streamId)) streams.push(streamId)
    events.set(streamId, [...(events.get(streamId) ?? []), ...write.events])
  }
  return streams.flatMap((streamId) => (events.get(streamId) ?? []).map((event) => ({ streamId, event })))
}

const handlerProperty = (densePositions: boolean) =>
  fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), async (steps) => {
    const memory = makeMemoryEventStore({ now: () => 0 })
    const store: EventStoreShape = { ...memory, densePositions }
    const view = new LedgerView()
    const catchUp = Effect.suspend(() =>
      Stream.runForEach(store.readAll({ fromPosition: view.position }), (record) =>
        Effect.sync(() => {
          const event = decodeEvent(record)
          if (event._tag === "UndecodableEvent") throw event
          view.apply(record, event)
        }),
      ),
    )
    const handler = await Effect.runPromise(
      makeCommandHandler({ store, ids: Ids.of({ next: Effect.sync(seededUuids(5)) }), view, catchUp }),
    )
    const state = ledgerDecider.initialState()
    const expected: Array<{ streamId: string; event: LedgerEvent }> = []
    let n = 0
    const next = () => `id-${++n}`
    for (const [index, step] of steps.entries()) {
      const command = step({ next, at: T0 + index * 1_000, state })
      const decision = ledgerDecider.decide(command, state)
      expected.push(...expectedAppends(decision.writes))
      for (const write of decision.writes)
        for (const event of write.events) ledgerDecider.evolve(state, event)
      const answer = await Effect.runPromise(
        handler.execute(command).pipe(
          Effect.map((result) => ({ result })),
          Effect.catchTag("MissingSessionKey", (refusal) => Effect.succeed({ refusal: refusal._tag })),
        ),
      )
      expect(answer).toStrictEqual(
        decision.refusal === undefined ? { result: decision.result } : { refusal: decision.refusal._tag },
      )
    }
    expect(await logOf(store)).toStrictEqual(expected)
    // Key order aside (a decoded event has its Schema's), the same state.
    expect(JSON.parse(snapshot(view))).toStrictEqual(JSON.parse(snapshot(state)))
  })

describe("the command handler", () => {
  it.each([
    [true, "folding what it appended"],
    [false, "reading the log back"],
  ])("appends and answers exactly what the decider decides (dense positions %s: %s)", async (dense) => {
    await fc.assert(handlerProperty(dense), { numRuns: RUNS })
  })
})
