/**
 * A store that answers asynchronously (as PostgreSQL does): `createSystemEvents` says to await
 * `openSystemEvents`, which replays the log; after that every call is synchronous again, since
 * decisions never wait for the store.
 */
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import type { EventStoreShape } from "../../application/event-store.ts"
import { createSystemEvents, openSystemEvents } from "../../infrastructure/openclaw/index.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"

const MAIN = "agent:ops:main"

/** A memory store whose every answer arrives on a later turn of the event loop. */
function asynchronous(store: EventStoreShape): EventStoreShape {
  const later = <A, E>(effect: Effect.Effect<A, E>) =>
    Effect.andThen(
      Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve))),
      effect,
    )
  return {
    ...store,
    description: "async-memory:",
    append: (streamId, events, expected) => later(store.append(streamId, events, expected)),
    appendMulti: (appends) => later(store.appendMulti(appends)),
    readAll: (options) => Stream.unwrap(later(Effect.succeed(store.readAll(options)))),
    readStream: (streamId, options) =>
      Stream.unwrap(later(Effect.succeed(store.readStream(streamId, options)))),
    headPosition: later(store.headPosition),
  }
}

describe("an asynchronous store", () => {
  it("cannot be opened synchronously, and says what to do instead", () => {
    expect(() => createSystemEvents({ store: asynchronous(makeMemoryEventStore()) })).toThrow(
      /opens asynchronously; use `await openSystemEvents/,
    )
  })

  it("opens with openSystemEvents, answers synchronously, and is durable after flush()", async () => {
    const store = asynchronous(makeMemoryEventStore())
    const first = await openSystemEvents({ store })
    expect(first.enqueueSystemEvent("one", { sessionKey: MAIN })).toBe(true)
    expect(first.enqueueSystemEvent("one", { sessionKey: MAIN })).toBe(false)
    expect(first.peekSystemEvents(MAIN)).toEqual(["one"])
    expect(first.backlog()).toBeGreaterThan(0)
    await first.close()

    const second = await openSystemEvents({ store })
    expect(second.peekSystemEvents(MAIN)).toEqual(["one"])
    expect(second.enqueueSystemEvent("two", { sessionKey: MAIN })).toBe(true)
    expect(second.consumeSystemEventEntries(MAIN, second.peekSystemEventEntries(MAIN))).toHaveLength(2)
    await second.close()

    const third = await openSystemEvents({ store })
    expect(third.hasSystemEvents(MAIN)).toBe(false)
    await third.close()
  })
})
