/**
 * The write-behind store under the embedded API: appends answer at once from memory, reach the
 * durable store in order with the same revisions, then leave memory; a refused copy stops the
 * copying and is reported by flush().
 */
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import type { EventData } from "../../application/event-store.ts"
import { makeWriteBehindStore } from "../../infrastructure/openclaw/write-behind.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"

let n = 0
const event = (type = "Test"): EventData => ({
  id: `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
  type,
  version: 1,
  data: { n },
})
const collect = (stream: Stream.Stream<{ streamId: string; revision: number; position: number }, unknown>) =>
  Effect.runPromise(Stream.runCollect(stream)).then((records) =>
    records.map((record) => [record.streamId, record.revision, record.position]),
  )

describe("the write-behind store", () => {
  it("reads the durable history then what was appended since, and copies it in order with the same revisions", async () => {
    const durable = makeMemoryEventStore()
    await Effect.runPromise(durable.append("a", [event()], "no-stream"))
    const writeBehind = Effect.runSync(makeWriteBehindStore(durable))
    const { store } = writeBehind
    Effect.runSync(store.append("a", [event(), event()], 0))
    Effect.runSync(store.append("b", [event()], "no-stream"))
    Effect.runSync(store.append("a", [event()], 2))
    expect(Effect.runSync(store.headPosition)).toBe(5)
    expect(writeBehind.backlog()).toBe(4)
    expect(await collect(store.readAll())).toEqual([
      ["a", 0, 1],
      ["a", 1, 2],
      ["a", 2, 3],
      ["b", 0, 4],
      ["a", 3, 5],
    ])
    await writeBehind.flush()
    expect(writeBehind.backlog()).toBe(0)
    expect(await collect(durable.readAll())).toEqual(await collect(store.readAll()))
    // Reads after the copy come from the durable store: nothing is held twice.
    expect(await collect(store.readAll({ fromPosition: 3 }))).toEqual([
      ["b", 0, 4],
      ["a", 3, 5],
    ])
  })

  it("refuses an append whose expected revision no longer holds here", () => {
    const { store } = Effect.runSync(makeWriteBehindStore(makeMemoryEventStore()))
    Effect.runSync(store.append("a", [event()], "no-stream"))
    const exit = Effect.runSyncExit(store.append("a", [event()], "no-stream"))
    expect(exit._tag).toBe("Failure")
    expect(String(exit)).toContain("WrongExpectedRevision")
  })

  it("stops at a copy the durable store refuses, and flush() reports it", async () => {
    const durable = makeMemoryEventStore()
    const writeBehind = Effect.runSync(makeWriteBehindStore(durable))
    Effect.runSync(writeBehind.store.append("a", [event()], "no-stream"))
    // Another writer got there first.
    await Effect.runPromise(durable.append("a", [event()], "no-stream"))
    Effect.runSync(writeBehind.store.append("b", [event()], "no-stream"))
    writeBehind.notify()
    await expect(writeBehind.flush()).rejects.toMatchObject({ _tag: "WrongExpectedRevision", streamId: "a" })
    // Order over progress: b was not copied past the refused a.
    expect((await collect(durable.readAll())).map(([streamId]) => streamId)).toEqual(["a"])
    expect(writeBehind.backlog()).toBe(2)
  })
})
