/**
 * The one read path (application/decoded-log.ts) on a log recorded through the real ledger:
 * several folds combined give, in one read, exactly what each gives alone; an undecodable
 * record stops a fold and is named by its position (or is skipped and reported, for salvage);
 * observed facts reach only the folds that read them; a repeated position is skipped by a
 * catch-up and folded by the audit's order.
 */
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { combineFolds, type Folded, foldLog, foldPage, type LogFold } from "../../application/decoded-log.ts"
import type { EventStoreShape, RecordedEvent } from "../../application/event-store.ts"
import { UndecodableEvent } from "../../application/event-store-errors.ts"
import { invariantsProjection, logFactsOptionsOf } from "../../application/invariants.ts"
import { encodeObservedEvent, observedStreamId } from "../../application/observed-event-codec.ts"
import { auditProjection } from "../../application/projections/audit.ts"
import { type Projection, projectionFold } from "../../application/projections/projection.ts"
import { queuesProjection } from "../../application/projections/queues.ts"
import { wakeRestoreFold } from "../../application/wake-scheduler.ts"
import { execExitEmission } from "../../domain/sources.ts"
import { pendingWakesAfterRestore } from "../../domain/wake.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { Ledger, withLedger } from "./ledger-harness.ts"

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

/** A short day: config, exec completions (two evicted by the cap), a heartbeat, owed wakes, a sweep. */
const recordDay = Effect.gen(function* () {
  const ledger = yield* Ledger
  yield* ledger.configureAgent({ agentId: "ops", mainKey: "work", at: 0 })
  yield* ledger.configureAgent({ agentId: "main", at: 0 })
  for (let i = 0; i < 22; i++) {
    const exec = execExitEmission({
      sessionKey: "agent:ops:cron:nightly:run:r1",
      processId: `proc-${i}`,
      exitCode: 0,
      output: `step ${i}`,
    })
    if (exec) yield* ledger.record(exec, { at: 1_000 + i })
  }
  yield* ledger.runHeartbeat({ agentId: "ops", source: "exec-event", reason: "exec-event", at: 5_000 })
  yield* ledger.requestWake({ source: "manual", reason: "manual", agentId: "main", at: 6_000 })
  yield* ledger.enqueue("raw note", { sessionKey: "agent:main:main" }, { at: 6_500 })
  yield* ledger.prune({ retention: "1h", at: 6_000 + 3_600_000 * 2 })
})

const recordedDay = async () => {
  const store = makeMemoryEventStore({ now: () => 0 })
  await withLedger(recordDay, store)
  return store
}

/** The store, counting the records its full reads hand out. */
const counting = (store: EventStoreShape) => {
  const counts = { reads: 0, records: 0 }
  const wrapped: EventStoreShape = {
    ...store,
    readAll: (options) => {
      counts.reads++
      return store.readAll(options).pipe(
        Stream.tap(() =>
          Effect.sync(() => {
            counts.records++
          }),
        ),
      )
    },
  }
  return { store: wrapped, counts }
}

const json = <S>(projection: Projection<S>, state: S) => JSON.stringify(projection.toJSON(state))

describe("foldLog and combineFolds", () => {
  it("combined folds read the log once and end where each fold alone ends", async () => {
    const store = await recordedDay()
    const head = await run(store.headPosition)
    const invariants = invariantsProjection(logFactsOptionsOf(store, head))
    const tags: LogFold<string[]> = {
      init: () => [],
      ledger: (seen, event) => {
        seen.push(event._tag)
        return seen
      },
    }
    const alone = {
      audit: await run(foldLog(store, projectionFold(auditProjection))),
      queues: await run(foldLog(store, projectionFold(queuesProjection))),
      facts: await run(foldLog(store, projectionFold(invariants))),
      wakes: await run(foldLog(store, wakeRestoreFold)),
      tags: await run(foldLog(store, tags)),
    }
    const once = counting(store)
    const together = await run(
      foldLog(
        once.store,
        combineFolds({
          audit: projectionFold(auditProjection),
          queues: projectionFold(queuesProjection),
          facts: projectionFold(invariants),
          wakes: wakeRestoreFold,
          tags,
        }),
      ),
    )
    expect(once.counts).toEqual({ reads: 1, records: head })
    expect(together.records).toBe(head)
    expect(together.position).toBe(head)
    expect(json(auditProjection, together.state.audit)).toBe(json(auditProjection, alone.audit.state))
    expect(json(queuesProjection, together.state.queues)).toBe(json(queuesProjection, alone.queues.state))
    expect(json(invariants, together.state.facts)).toBe(json(invariants, alone.facts.state))
    expect(pendingWakesAfterRestore(together.state.wakes)).toEqual(
      pendingWakesAfterRestore(alone.wakes.state),
    )
    expect(pendingWakesAfterRestore(together.state.wakes).length).toBeGreaterThan(0)
    expect(together.state.tags).toEqual(alone.tags.state)
    expect(together.state.tags).toHaveLength(head)
  })

  it("folds from a position: the rest of the log onto a state folded up to it", async () => {
    const store = await recordedDay()
    const whole = await run(foldLog(store, projectionFold(queuesProjection)))
    const half = await run(foldLog(store, projectionFold(queuesProjection), { toPosition: 20 }))
    expect(half.position).toBe(20)
    const rest = await run(
      foldLog(store, projectionFold(queuesProjection), { fromPosition: half.position }, half.state),
    )
    expect(rest.records).toBe(whole.records - 20)
    expect(json(queuesProjection, rest.state)).toBe(json(queuesProjection, whole.state))
  })

  it("an undecodable record stops the fold, named by its position; with onUndecodable it is skipped and reported", async () => {
    const store = await recordedDay()
    const head = await run(store.headPosition)
    // A SystemEventEnqueued with no text: stored (the store keeps any JSON), never decodable.
    await run(
      store.append(
        "hbl-queue-agent:ops:work",
        [{ id: "bad-1", type: "SystemEventEnqueued", version: 1, data: {} }],
        "any",
      ),
    )
    const failed = await run(Effect.flip(foldLog(store, projectionFold(auditProjection))))
    expect(failed).toBeInstanceOf(UndecodableEvent)
    expect(failed).toMatchObject({ position: head + 1, eventId: "bad-1", type: "SystemEventEnqueued" })
    const skipped: number[] = []
    const salvaged = await run(
      foldLog(store, projectionFold(auditProjection), {
        onUndecodable: (error) => {
          skipped.push(error.position)
        },
      }),
    )
    expect(skipped).toEqual([head + 1])
    expect(salvaged.records).toBe(head)
  })

  it("observed facts reach only the folds that read them", async () => {
    const store = await recordedDay()
    const head = await run(store.headPosition)
    await run(
      store.append(
        observedStreamId("gw-1"),
        [
          encodeObservedEvent("obs-1", {
            _tag: "ObserverStarted",
            observerId: "gw-1",
            openclawVersion: "2026.5.12",
            pluginVersion: "0.1.0",
            queueMapReadable: true,
            warnings: [],
            at: 9_000,
          }),
        ],
        "no-stream",
      ),
    )
    const families: LogFold<{ ledger: number; observed: string[] }> = {
      init: () => ({ ledger: 0, observed: [] }),
      ledger: (seen) => {
        seen.ledger++
        return seen
      },
      observed: (seen, event) => {
        seen.observed.push(event._tag)
        return seen
      },
    }
    const ledgerOnly: LogFold<number> = { init: () => 0, ledger: (n) => n + 1 }
    const { state } = await run(foldLog(store, combineFolds({ families, ledgerOnly })))
    expect(state).toEqual({ families: { ledger: head, observed: ["ObserverStarted"] }, ledgerOnly: head })
  })

  it("a repeated position is skipped by a catch-up and folded in the order stored", async () => {
    const store = await recordedDay()
    const records = await run(Stream.runCollect(store.readAll()))
    // The 11th record read again after the 12th: a store that renumbered or repeated a row.
    const page: RecordedEvent[] = [
      ...records.slice(0, 12),
      records[10] as RecordedEvent,
      ...records.slice(12),
    ]
    const count: LogFold<number> = { init: () => 0, ledger: (n) => n + 1 }
    const start: Folded<number> = { state: 0, position: 0, records: 0 }
    const increasing = foldPage(count, start, page) as Folded<number>
    const asStored = foldPage(count, start, page, { positions: "as-stored" }) as Folded<number>
    expect(increasing.state).toBe(records.length)
    expect(asStored.state).toBe(records.length + 1)
    expect(increasing.position).toBe(records.length)
  })
})
