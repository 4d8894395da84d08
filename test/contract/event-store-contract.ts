/**
 * The event-store contract: every adapter (memory, SQLite, PostgreSQL, EventStoreDB/KurrentDB)
 * must pass all of it. Each `*.test.ts` beside this file runs it against one store.
 */
import { Effect } from "effect"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AppendResult, EventData, ExpectedRevision } from "../../application/event-store.ts"
import { MAX_EVENT_DATA_BYTES } from "../../application/event-store.ts"
import { ContractContext, type ContractSetup, ids, newEvent, newEvents } from "./contract-context.ts"
import { type Acknowledged, expectConsistentLog } from "./expect-consistent-log.ts"
import { runWorkers } from "./run-workers.ts"

export type { ContractSetup, ContractTarget } from "./contract-context.ts"

export function describeEventStoreContract(name: string, makeLayerOrSkip: () => ContractSetup): void {
  const setup = makeLayerOrSkip()
  if ("skip" in setup) {
    console.log(`SKIP ${name} contract: ${setup.skip}`)
    describe.skip(`${name} event store contract`, () => {
      it("runs against a real store", () => {})
    })
    return
  }
  if ("fail" in setup) {
    describe(`${name} event store contract`, () => {
      it("has a store to run against", () => {
        expect.fail(setup.fail)
      })
    })
    return
  }
  const target = setup.run
  const ctx = new ContractContext(target)
  const runs = target.propertyRuns ?? 25
  const storeWide = (target.idempotency ?? "store-wide") === "store-wide"
  const atomicMulti = target.atomicMultiAppend ?? true
  if (!storeWide)
    console.log(`SKIP ${name} contract: store-wide idempotency (the server checks ids per stream)`)
  if (!atomicMulti) console.log(`SKIP ${name} contract: atomic multi-stream appends (this client has none)`)

  describe(`${name} event store contract`, () => {
    beforeAll(async () => {
      // Builds the store now: a store that cannot start fails here, with its own message.
      await ctx.headPosition()
    })
    afterAll(async () => {
      await ctx.dispose()
      await target.cleanup?.()
    })

    describe("expected revisions", () => {
      it("no-stream appends to a new stream and refuses an existing one", async () => {
        const streamId = ctx.stream("no-stream")
        expect((await ctx.append(streamId, newEvents(2), "no-stream")).nextExpectedRevision).toBe(1)
        const refused = await ctx.appendError(streamId, newEvents(1), "no-stream")
        expect(refused).toMatchObject({
          _tag: "WrongExpectedRevision",
          streamId,
          expected: "no-stream",
          actual: 1,
        })
      })

      it("an exact revision appends only when it is the stream's last", async () => {
        const streamId = ctx.stream("exact")
        await ctx.append(streamId, newEvents(3), "no-stream")
        expect((await ctx.append(streamId, newEvents(2), 2)).nextExpectedRevision).toBe(4)
        for (const stale of [0, 2, 5]) {
          expect(await ctx.appendError(streamId, newEvents(1), stale)).toMatchObject({
            _tag: "WrongExpectedRevision",
            expected: stale,
            actual: 4,
          })
        }
        expect(await ctx.appendError(ctx.stream("exact-missing"), newEvents(1), 0)).toMatchObject({
          _tag: "WrongExpectedRevision",
          actual: -1,
        })
      })

      it("any appends to a new and to an existing stream", async () => {
        const streamId = ctx.stream("any")
        expect((await ctx.append(streamId, newEvents(1), "any")).nextExpectedRevision).toBe(0)
        expect((await ctx.append(streamId, newEvents(2), "any")).nextExpectedRevision).toBe(2)
        expect(await ctx.readStream(streamId)).toHaveLength(3)
      })

      it("stream-exists refuses a new stream and appends to an existing one", async () => {
        const streamId = ctx.stream("stream-exists")
        expect(await ctx.appendError(streamId, newEvents(1), "stream-exists")).toMatchObject({
          _tag: "WrongExpectedRevision",
          expected: "stream-exists",
          actual: -1,
        })
        await ctx.append(streamId, newEvents(1), "no-stream")
        expect((await ctx.append(streamId, newEvents(1), "stream-exists")).nextExpectedRevision).toBe(1)
      })

      it("a refused append writes nothing, to the stream or the log", async () => {
        const streamId = ctx.stream("refused")
        const stored = newEvents(2)
        await ctx.append(streamId, stored, "no-stream")
        const head = await ctx.headPosition()
        await ctx.appendError(streamId, newEvents(3), 0)
        await ctx.appendError(streamId, newEvents(3), "no-stream")
        expect(ids(await ctx.readStream(streamId))).toEqual(ids(stored))
        expect(await ctx.headPosition()).toBe(head)
      })
    })

    describe("idempotency", () => {
      it("re-appending a stored batch at the same place succeeds and writes nothing", async () => {
        const streamId = ctx.stream("retry")
        const batch = newEvents(3)
        const first = await ctx.append(streamId, batch, "no-stream")
        const head = await ctx.headPosition()
        const retried = await ctx.append(streamId, batch, "no-stream")
        expect(retried).toEqual(first)
        const next = newEvents(2)
        const second = await ctx.append(streamId, next, 2)
        expect(await ctx.append(streamId, next, 2)).toEqual(second)
        expect(ids(await ctx.readStream(streamId))).toEqual(ids([...batch, ...next]))
        expect(await ctx.headPosition()).toBe(second.position)
        expect(second.position).toBeGreaterThan(head)
      })

      it("a retry after later appends still writes nothing", async () => {
        const streamId = ctx.stream("late-retry")
        const batch = newEvents(2)
        await ctx.append(streamId, batch, "no-stream")
        const later = newEvents(1)
        await ctx.append(streamId, later, 1)
        const head = await ctx.headPosition()
        await ctx.append(streamId, batch, "no-stream")
        expect(ids(await ctx.readStream(streamId))).toEqual(ids([...batch, ...later]))
        expect(await ctx.headPosition()).toBe(head)
      })

      it("a batch that only partly repeats stored events is refused whole", async () => {
        const streamId = ctx.stream("partial")
        const stored = newEvents(2)
        await ctx.append(streamId, stored, "no-stream")
        const head = await ctx.headPosition()
        const overlapping = [stored[1] as EventData, newEvent()]
        expect(await ctx.appendError(streamId, overlapping, 0)).toMatchObject(
          storeWide
            ? { _tag: "DuplicateEventId", eventId: stored[1]?.id, storedIn: streamId, streamId }
            : { _tag: "WrongExpectedRevision" },
        )
        expect(ids(await ctx.readStream(streamId))).toEqual(ids(stored))
        expect(await ctx.headPosition()).toBe(head)
      })

      it("a batch is all or nothing: one event too large writes none of it", async () => {
        const streamId = ctx.stream("atomic")
        const head = await ctx.headPosition()
        const batch = [newEvent(), newEvent("x".repeat(MAX_EVENT_DATA_BYTES)), newEvent()]
        expect(await ctx.appendError(streamId, batch, "no-stream")).toMatchObject({
          _tag: "EventTooLarge",
          eventId: batch[1]?.id,
        })
        expect(await ctx.readStream(streamId)).toEqual([])
        expect(await ctx.headPosition()).toBe(head)
      })
    })

    describe("multi-stream appends", () => {
      it.runIf(atomicMulti)(
        "all or nothing: one stream's expected revision failing writes no stream",
        async () => {
          const [a, b, c] = [ctx.stream("multi-a"), ctx.stream("multi-b"), ctx.stream("multi-c")]
          await ctx.append(a, newEvents(1), "no-stream")
          const head = await ctx.headPosition()
          const refused = await ctx.appendMultiError([
            { streamId: b, events: newEvents(2), expectedRevision: "no-stream" },
            { streamId: a, events: newEvents(1), expectedRevision: 5 },
            { streamId: c, events: newEvents(1), expectedRevision: "any" },
          ])
          expect(refused).toMatchObject({
            _tag: "WrongExpectedRevision",
            streamId: a,
            expected: 5,
            actual: 0,
          })
          expect(await ctx.readStream(b)).toEqual([])
          expect(await ctx.readStream(c)).toEqual([])
          expect(await ctx.readStream(a)).toHaveLength(1)
          expect(await ctx.headPosition()).toBe(head)
          const tooLarge = await ctx.appendMultiError([
            { streamId: b, events: newEvents(1), expectedRevision: "no-stream" },
            { streamId: c, events: [newEvent("x".repeat(MAX_EVENT_DATA_BYTES))], expectedRevision: "any" },
          ])
          expect(tooLarge).toMatchObject({ _tag: "EventTooLarge", streamId: c })
          expect(await ctx.readStream(b)).toEqual([])
          expect(await ctx.headPosition()).toBe(head)
        },
      )

      it("writes the streams' events contiguously, in the request's order, as one global run", async () => {
        const [a, b, c] = [ctx.stream("order-a"), ctx.stream("order-b"), ctx.stream("order-c")]
        await ctx.append(b, newEvents(2), "no-stream")
        const before = await ctx.headPosition()
        const parts = [
          { streamId: a, events: newEvents(2), expectedRevision: "no-stream" as const },
          { streamId: b, events: newEvents(3), expectedRevision: 1 },
          { streamId: c, events: newEvents(1), expectedRevision: "any" as const },
        ]
        const result = await ctx.appendMulti(parts)
        expect(result.streams.map((stream) => stream.nextExpectedRevision)).toEqual([1, 4, 0])
        expect(result.written).toBe(true)
        const log = await ctx.readAll({ fromPosition: before }, [a, b, c])
        expect(ids(log)).toEqual(parts.flatMap((part) => ids(part.events)))
        expect(log.map((event) => event.streamId)).toEqual([a, a, b, b, b, c])
        expect(log.map((event) => event.revision)).toEqual([0, 1, 2, 3, 4, 0])
        expectIncreasing(log.map((event) => event.position))
        expect(result.position).toBe(log[log.length - 1]?.position)
        expect(await ctx.headPosition()).toBe(result.position)
        if (atomicMulti) {
          // Nothing else between them: one commit.
          const everything = await ctx.readAll({ fromPosition: before })
          expect(ids(everything.slice(0, log.length))).toEqual(ids(log))
        }
      })

      it("a single-stream append is its one-stream case: same results", async () => {
        const streamId = ctx.stream("multi-one")
        const events = newEvents(2)
        const result = await ctx.appendMulti([{ streamId, events, expectedRevision: "no-stream" }])
        expect(result.streams).toEqual([{ nextExpectedRevision: 1, position: result.position }])
        expect(await ctx.append(streamId, events, "no-stream")).toEqual(result.streams[0])
      })

      it.runIf(storeWide && atomicMulti)(
        "a retry of a stored multi-stream append writes nothing; any other reuse of its ids is refused whole",
        async () => {
          const [a, b, c] = [ctx.stream("retry-a"), ctx.stream("retry-b"), ctx.stream("retry-c")]
          const parts = [
            { streamId: a, events: newEvents(2), expectedRevision: "no-stream" as const },
            { streamId: b, events: newEvents(1), expectedRevision: "no-stream" as const },
          ]
          const first = await ctx.appendMulti(parts)
          const head = await ctx.headPosition()
          const retried = await ctx.appendMulti(parts)
          expect(retried).toEqual({ ...first, written: false })
          // With `any`, after later appends too.
          await ctx.append(a, newEvents(1), 1)
          const anyRetry = await ctx.appendMulti(
            parts.map((part) => ({ ...part, expectedRevision: "any" as const })),
          )
          expect(anyRetry.written).toBe(false)
          const afterLater = await ctx.headPosition()
          expect(afterLater).toBe(head + 1)
          // Half of it again, with a fresh stream: refused, naming the id and where it lives.
          const stored = parts[1]?.events[0] as EventData
          expect(
            await ctx.appendMultiError([
              { streamId: c, events: newEvents(1), expectedRevision: "no-stream" },
              { streamId: b, events: [stored], expectedRevision: "no-stream" },
            ]),
          ).toMatchObject({ _tag: "DuplicateEventId", eventId: stored.id, storedIn: b, streamId: c })
          // A stored id put in another stream.
          expect(
            await ctx.appendMultiError([
              { streamId: c, events: [newEvent(), stored], expectedRevision: "any" },
            ]),
          ).toMatchObject({ _tag: "DuplicateEventId", eventId: stored.id, storedIn: b, streamId: c })
          expect(await ctx.readStream(c)).toEqual([])
          expect(await ctx.headPosition()).toBe(afterLater)
        },
      )

      it.runIf(storeWide)(
        "an id is stored once store-wide: another stream's single append of it is refused",
        async () => {
          const [a, b] = [ctx.stream("wide-a"), ctx.stream("wide-b")]
          const event = newEvent()
          await ctx.append(a, [event], "no-stream")
          const head = await ctx.headPosition()
          expect(await ctx.appendError(b, [event], "any")).toMatchObject({
            _tag: "DuplicateEventId",
            eventId: event.id,
            storedIn: a,
            streamId: b,
          })
          expect(await ctx.readStream(b)).toEqual([])
          expect(await ctx.headPosition()).toBe(head)
        },
      )

      it("an id named twice in one append, in one stream or two, is refused", async () => {
        const [a, b] = [ctx.stream("twice-a"), ctx.stream("twice-b")]
        const event = newEvent()
        const head = await ctx.headPosition()
        expect(await ctx.appendError(a, [event, event], "any")).toMatchObject({
          _tag: "DuplicateEventId",
          eventId: event.id,
        })
        expect(
          await ctx.appendMultiError([
            { streamId: a, events: [event], expectedRevision: "any" },
            { streamId: b, events: [event], expectedRevision: "any" },
          ]),
        ).toMatchObject({ _tag: "DuplicateEventId", eventId: event.id })
        expect(await ctx.headPosition()).toBe(head)
      })

      it.runIf(target.processUrl !== undefined && storeWide && atomicMulti)(
        "writers in separate OS processes, each appending every decision to two streams and racing for the same ids: each id stored once, decisions whole",
        async () => {
          const shared = ctx.stream("mprocs-shared")
          const contested = Array.from({ length: 12 }, (_, n) => ({
            streams: [ctx.stream(`mprocs-x${n}`), ctx.stream(`mprocs-y${n}`)] as const,
            ids: [newEvent().id, newEvent().id] as const,
          }))
          const workers = [0, 1, 2].map((worker) => ({
            worker,
            count: 12,
            shared,
            own: ctx.stream(`mprocs-own-${worker}`),
            multi: true,
            contested,
          }))
          const streams = [shared, ...workers.map((w) => w.own), ...contested.flatMap((c) => c.streams)]
          const before = await ctx.headPosition()
          const reports = await runWorkers(target.processUrl as string, workers)
          const log = await ctx.readAll({ fromPosition: before }, streams)
          const logIds = ids(log)
          expect(new Set(logIds).size).toBe(logIds.length)
          // Every contested decision: both ids, once, contiguous, in its two streams.
          for (const { streams: pair, ids: pairIds } of contested) {
            const at = pairIds.map((id) => log.findIndex((event) => event.id === id))
            expect(at[0]).toBeGreaterThanOrEqual(0)
            expect(at[1]).toBe((at[0] as number) + 1)
            expect(log[at[0] as number]?.streamId).toBe(pair[0])
            expect(log[at[1] as number]?.streamId).toBe(pair[1])
          }
          expect(reports.reduce((sum, report) => sum + (report.contestedWon ?? 0), 0)).toBe(contested.length)
          // Every acknowledged two-stream decision: whole, contiguous, at its reported position.
          const acknowledged = reports.flatMap((report) => report.acknowledged)
          expect(acknowledged).toHaveLength(workers.length * 12)
          const index = new Map(log.map((event, k) => [event.id, k]))
          for (const ack of acknowledged) {
            const at = ack.ids.map((id) => index.get(id) as number)
            at.forEach((k, n) => {
              if (n > 0) expect(k).toBe((at[n - 1] as number) + 1)
            })
            expect(log[at[at.length - 1] as number]?.position).toBe(ack.position)
          }
          expect(log).toHaveLength(workers.length * 12 * 2 + contested.length * 2)
        },
      )
    })

    describe("reading a stream", () => {
      it("reads forwards and backwards from a revision, with a maximum count", async () => {
        const streamId = ctx.stream("read")
        const events = newEvents(6)
        await ctx.append(streamId, events.slice(0, 4), "no-stream")
        await ctx.append(ctx.stream("read-other"), newEvents(2), "no-stream")
        await ctx.append(streamId, events.slice(4), 3)
        const all = ids(events)
        expect(ids(await ctx.readStream(streamId))).toEqual(all)
        expect(ids(await ctx.readStream(streamId, { fromRevision: 2 }))).toEqual(all.slice(2))
        expect(ids(await ctx.readStream(streamId, { fromRevision: 2, maxCount: 3 }))).toEqual(all.slice(2, 5))
        expect(ids(await ctx.readStream(streamId, { direction: "backwards" }))).toEqual([...all].reverse())
        expect(ids(await ctx.readStream(streamId, { direction: "backwards", fromRevision: 3 }))).toEqual(
          all.slice(0, 4).reverse(),
        )
        expect(
          ids(await ctx.readStream(streamId, { direction: "backwards", fromRevision: 3, maxCount: 2 })),
        ).toEqual([all[3], all[2]])
        expect(await ctx.readStream(streamId, { fromRevision: 6 })).toEqual([])
        expect(await ctx.readStream(ctx.stream("never-written"))).toEqual([])
      })

      it("returns what was appended: ids, types, versions, data, revisions, positions", async () => {
        const streamId = ctx.stream("fields")
        const before = Date.now()
        const event = {
          id: newEvent().id,
          type: "FieldsChecked",
          version: 3,
          data: { nested: { list: [1, "two"] } },
        }
        const result = await ctx.append(streamId, [event], "no-stream")
        const [read] = await ctx.readStream(streamId)
        expect(read).toMatchObject({ ...event, streamId, revision: 0, position: result.position })
        expect(read?.recordedAt).toBeGreaterThanOrEqual(before - 60_000)
      })
    })

    describe("the global log", () => {
      it("holds every stream's events in one order, the order they were committed", async () => {
        const before = await ctx.headPosition()
        const streams = [ctx.stream("log-a"), ctx.stream("log-b"), ctx.stream("log-c")]
        const expected: string[] = []
        const revisions = new Map<string, number>()
        for (let round = 0; round < 4; round++) {
          for (const streamId of streams) {
            const batch = newEvents(1 + (round % 2))
            const current = revisions.get(streamId) ?? -1
            const result = await ctx.append(streamId, batch, current === -1 ? "no-stream" : current)
            revisions.set(streamId, result.nextExpectedRevision)
            expected.push(...ids(batch))
          }
        }
        const log = await ctx.readAll({ fromPosition: before }, streams)
        expect(ids(log)).toEqual(expected)
        expectIncreasing(log.map((event) => event.position))
        expect(await ctx.headPosition()).toBe(log[log.length - 1]?.position)
      })

      it("reads from an exclusive checkpoint, with a maximum count", async () => {
        const streamId = ctx.stream("checkpoint")
        const results: AppendResult[] = []
        for (let index = 0; index < 5; index++) {
          results.push(await ctx.append(streamId, newEvents(1), index === 0 ? "no-stream" : index - 1))
        }
        const log = await ctx.readAll({ fromPosition: results[1]?.position ?? 0 }, [streamId])
        expect(log.map((event) => event.revision)).toEqual([2, 3, 4])
        const page = await ctx.readAll({ fromPosition: results[1]?.position ?? 0, maxCount: 2 })
        expect(page.map((event) => event.position)).toEqual([results[2]?.position, results[3]?.position])
        expect(await ctx.readAll({ fromPosition: results[4]?.position ?? 0 }, [streamId])).toEqual([])
      })
    })

    describe("catch-up subscriptions", () => {
      it("deliver history after the checkpoint, then live events, none skipped or repeated", async () => {
        const streams = [ctx.stream("sub-a"), ctx.stream("sub-b")]
        const [a, b] = streams as [string, string]
        const history = [newEvents(3), newEvents(2), newEvents(2)] as const
        await ctx.append(a, history[0], "no-stream")
        const checkpoint = await ctx.append(b, history[1], "no-stream")
        await ctx.append(a, history[2], 2)
        const last = newEvent()
        const delivered = ctx.subscribeUntil(checkpoint.position, last.id, streams)
        const live = newEvents(3)
        await ctx.append(b, live.slice(0, 2), 1)
        await ctx.append(a, live.slice(2), 4)
        await ctx.append(b, [last], 3)
        const received = await delivered
        expect(ids(received)).toEqual(ids([...history[2], ...live, last]))
        expectIncreasing(received.map((event) => event.position))
      })

      it("from the start delivers everything, in the log's order", async () => {
        const streamId = ctx.stream("sub-start")
        const events = newEvents(4)
        await ctx.append(streamId, events, "no-stream")
        const last = newEvent()
        const delivered = ctx.subscribeUntil(0, last.id, [streamId])
        await ctx.append(streamId, [last], 3)
        expect(ids(await delivered)).toEqual(ids([...events, last]))
      })
    })

    describe("concurrency", () => {
      it("concurrent writers to one stream and to several (fc.scheduler): nothing lost, doubled or reordered", async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.scheduler(),
            fc.array(
              fc.record({
                toShared: fc.boolean(),
                events: fc.integer({ min: 1, max: 3 }),
                batch: fc.integer({ min: 1, max: 2 }),
                expect: fc.constantFrom("exact", "any"),
              }),
              { minLength: 2, maxLength: 5 },
            ),
            async (s, writers) => {
              const shared = ctx.stream("shared")
              const targets = writers.map((writer, index) =>
                writer.toShared ? shared : ctx.stream(`own-${index}`),
              )
              const sentinelStream = ctx.stream("sentinel")
              const streams = [...new Set([...targets, sentinelStream])]
              const before = await ctx.headPosition()
              const sentinel = newEvent()
              const delivered = ctx.subscribeUntil(before, sentinel.id, streams)
              const writing = writers.map(async (writer, index) => {
                const streamId = targets[index] as string
                const acknowledged: Acknowledged[] = []
                for (let n = 0; n < writer.events; n++) {
                  const batch = Array.from({ length: writer.batch }, (_, k) =>
                    newEvent({ writer: index, n, k }),
                  )
                  for (;;) {
                    await s.schedule(Promise.resolve(), `writer ${index} reads`)
                    const [last] = await ctx.readStream(streamId, { direction: "backwards", maxCount: 1 })
                    const expected: ExpectedRevision =
                      writer.expect === "any" ? "any" : last === undefined ? "no-stream" : last.revision
                    await s.schedule(Promise.resolve(), `writer ${index} appends at ${String(expected)}`)
                    const outcome = await ctx.store((store) =>
                      Effect.result(store.append(streamId, batch, expected)),
                    )
                    if (outcome._tag === "Success") {
                      acknowledged.push({ streamId, ids: ids(batch), position: outcome.success.position })
                      break
                    }
                    expect(outcome.failure._tag).toBe("WrongExpectedRevision")
                  }
                }
                return acknowledged
              })
              const acknowledged = (await s.waitFor(Promise.all(writing))).flat()
              await ctx.append(sentinelStream, [sentinel], "no-stream")
              const log = await ctx.readAll({ fromPosition: before }, streams)
              expectConsistentLog({ acknowledged, log, delivered: await delivered, sentinel: sentinel.id })
              for (const streamId of streams) {
                const stream = await ctx.readStream(streamId)
                expect(stream.map((event) => event.revision)).toEqual(stream.map((_, index) => index))
              }
            },
          ),
          { numRuns: runs },
        )
      })

      it.runIf(target.processUrl !== undefined)(
        "writers in separate OS processes: nothing lost, doubled or reordered",
        async () => {
          const shared = ctx.stream("procs-shared")
          const workers = [0, 1, 2].map((worker) => ({
            worker,
            count: 24,
            shared,
            own: ctx.stream(`procs-own-${worker}`),
          }))
          const sentinelStream = ctx.stream("procs-sentinel")
          const streams = [shared, sentinelStream, ...workers.map((worker) => worker.own)]
          const before = await ctx.headPosition()
          const sentinel = newEvent()
          const delivered = ctx.subscribeUntil(before, sentinel.id, streams)
          const reports = await runWorkers(target.processUrl as string, workers)
          await ctx.append(sentinelStream, [sentinel], "no-stream")
          const acknowledged = reports.flatMap((report) => report.acknowledged)
          expect(acknowledged).toHaveLength(workers.length * 24)
          const log = await ctx.readAll({ fromPosition: before }, streams)
          expectConsistentLog({ acknowledged, log, delivered: await delivered, sentinel: sentinel.id })
          const sharedStream = await ctx.readStream(shared)
          expect(sharedStream.map((event) => event.revision)).toEqual(sharedStream.map((_, index) => index))
        },
      )
    })

    describe("sizes and content", () => {
      it("keeps unicode in stream names, types and data, and any JSON value as data", async () => {
        const name = fc
          .string({ unit: "grapheme", minLength: 1, maxLength: 12 })
          .map((text) => text.replaceAll("\u0000", ""))
        await fc.assert(
          fc.asyncProperty(name, name, fc.jsonValue({ stringUnit: "binary" }), async (label, type, data) => {
            const streamId = ctx.stream(label)
            const event = { id: newEvent().id, type: `T${type}`, version: 2, data }
            await ctx.append(streamId, [event], "no-stream")
            const [read] = await ctx.readStream(streamId)
            expect(read?.streamId).toBe(streamId)
            expect(read?.type).toBe(event.type)
            expect(read?.data).toEqual(JSON.parse(JSON.stringify(data)))
          }),
          { numRuns: runs },
        )
      })

      it("an empty batch writes nothing but still checks the expected revision", async () => {
        const streamId = ctx.stream("empty")
        const head = await ctx.headPosition()
        expect((await ctx.append(streamId, [], "no-stream")).nextExpectedRevision).toBe(-1)
        expect(await ctx.appendError(streamId, [], "stream-exists")).toMatchObject({
          _tag: "WrongExpectedRevision",
        })
        await ctx.append(streamId, newEvents(2), "no-stream")
        expect((await ctx.append(streamId, [], 1)).nextExpectedRevision).toBe(1)
        expect(await ctx.appendError(streamId, [], 0)).toMatchObject({
          _tag: "WrongExpectedRevision",
          actual: 1,
        })
        expect(await ctx.readStream(streamId)).toHaveLength(2)
        expect((await ctx.readAll({ fromPosition: head }, [streamId])).length).toBe(2)
      })

      it("a large batch is one append, read back whole and in order", async () => {
        const streamId = ctx.stream("large")
        const batch = newEvents(1_200)
        const result = await ctx.append(streamId, batch, "no-stream")
        expect(result.nextExpectedRevision).toBe(1_199)
        const forwards = await ctx.readStream(streamId)
        expect(ids(forwards)).toEqual(ids(batch))
        expectIncreasing(forwards.map((event) => event.position))
        expect(forwards[forwards.length - 1]?.position).toBe(result.position)
        expect(ids(await ctx.readStream(streamId, { direction: "backwards" }))).toEqual(ids(batch).reverse())
      })

      it("data of exactly MAX_EVENT_DATA_BYTES is stored; one byte more is EventTooLarge", async () => {
        const streamId = ctx.stream("limit")
        // JSON of a string adds two quote characters; é is two UTF-8 bytes.
        const atLimit = `é${"x".repeat(MAX_EVENT_DATA_BYTES - 4)}`
        expect(Buffer.byteLength(JSON.stringify(atLimit))).toBe(MAX_EVENT_DATA_BYTES)
        await ctx.append(streamId, [newEvent(atLimit)], "no-stream")
        expect((await ctx.readStream(streamId))[0]?.data).toBe(atLimit)
        const tooLarge = newEvent(`${atLimit}x`)
        expect(await ctx.appendError(streamId, [tooLarge], 0)).toMatchObject({
          _tag: "EventTooLarge",
          streamId,
          eventId: tooLarge.id,
          bytes: MAX_EVENT_DATA_BYTES + 1,
          limit: MAX_EVENT_DATA_BYTES,
        })
        expect(await ctx.readStream(streamId)).toHaveLength(1)
      })

      it("refuses NUL or a lone surrogate in a stream name, event id or type (UnstorableName); keeps both in data", async () => {
        const streamId = ctx.stream("names")
        const good = newEvent({ nul: "a\u0000b", lone: "x\ud800y" })
        await ctx.append(streamId, [good], "no-stream")
        expect((await ctx.readStream(streamId))[0]?.data).toEqual({ nul: "a\u0000b", lone: "x\ud800y" })
        const refused = [
          [ctx.stream("nul\u0000"), newEvent()],
          [ctx.stream("lone\udc00"), newEvent()],
          [streamId, { ...newEvent(), id: `${newEvent().id}\u0000` }],
          [streamId, { ...newEvent(), type: "T\ud800" }],
        ] as const
        for (const [stream, event] of refused)
          expect(await ctx.appendError(stream, [event], "any")).toMatchObject({ _tag: "UnstorableName" })
        expect(await ctx.readStream(streamId)).toHaveLength(1)
      })
    })
  })
}

function expectIncreasing(positions: ReadonlyArray<number>): void {
  positions.forEach((position, index) => {
    if (index > 0) expect(position).toBeGreaterThan(positions[index - 1] as number)
  })
}
