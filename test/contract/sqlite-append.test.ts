/**
 * The SQLite append's decisions (expected revision, idempotent ids) against the memory store's,
 * the reference: the SQLite adapter decides without decideAppend when no id is stored, and looks
 * a single event's id up with a statement of its own, so both paths are compared here on random
 * histories, single events included.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope, Stream } from "effect"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import type { EventData, EventStoreShape, ExpectedRevision } from "../../application/event-store.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { makeSqliteEventStore } from "../../infrastructure/stores/sqlite-event-store.ts"

const root = mkdtempSync(join(tmpdir(), "hbl-sqlite-append-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let files = 0
async function withSqlite<A>(use: (store: EventStoreShape) => Promise<A>): Promise<A> {
  const scope = await Effect.runPromise(Scope.make())
  try {
    const store = await Effect.runPromise(
      Scope.provide(makeSqliteEventStore({ path: join(root, `append-${++files}.db`), now: () => 0 }), scope),
    )
    return await use(store)
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const event = (id: string): EventData => ({ id, type: "T", version: 1, data: { id } })

/** What an append returned, comparable across stores. */
const outcome = (
  store: EventStoreShape,
  streamId: string,
  events: ReadonlyArray<EventData>,
  expected: ExpectedRevision,
) =>
  Effect.runPromise(
    Effect.match(store.append(streamId, events, expected), {
      onSuccess: (result) => ({ ok: result }),
      onFailure: (error) =>
        error._tag === "WrongExpectedRevision"
          ? { error: error._tag, expected: error.expected, actual: error.actual }
          : { error: error._tag },
    }),
  )

const streamIds = async (store: EventStoreShape, streamId: string) =>
  (await Effect.runPromise(Stream.runCollect(store.readStream(streamId)))).map((recorded) => recorded.id)

describe("sqlite append decides as the memory store does", () => {
  it("on random histories of single events and batches, with ids that repeat across appends", async () => {
    // Ids from a small pool, so that retries, partial overlaps and reused ids are frequent;
    // no id twice in one batch (there the stores answer a retry with different positions,
    // by design of neither: see the next test).
    const op = fc.record({
      stream: fc.constantFrom("hbl-a", "hbl-b"),
      ids: fc.uniqueArray(fc.constantFrom("e0", "e1", "e2", "e3", "e4", "e5"), {
        minLength: 0,
        maxLength: 3,
      }),
      expected: fc.oneof(
        fc.constantFrom<ExpectedRevision>("any", "no-stream", "stream-exists"),
        fc.integer({ min: -1, max: 5 }),
      ),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const memory = makeMemoryEventStore({ now: () => 0 })
        await withSqlite(async (sqlite) => {
          for (const { stream, ids, expected } of ops) {
            const events = ids.map(event)
            expect(await outcome(sqlite, stream, events, expected)).toEqual(
              await outcome(memory, stream, events, expected),
            )
          }
          for (const stream of ["hbl-a", "hbl-b"]) {
            expect(await streamIds(sqlite, stream)).toEqual(await streamIds(memory, stream))
          }
        })
      }),
      { numRuns: 60 },
    )
  })

  it("a batch may not repeat an id: it would be stored twice", async () => {
    await withSqlite(async (store) => {
      const stream = "hbl-repeat"
      expect(await outcome(store, stream, [event("a"), event("x"), event("x")], "no-stream")).toEqual({
        error: "DuplicateEventId",
      })
      expect(await streamIds(store, stream)).toEqual([])
    })
  })
})
