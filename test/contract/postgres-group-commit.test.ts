/**
 * Group commit in the PostgreSQL store: appends that arrive while one is in flight are sent
 * together, as one call and one transaction. Each must get exactly the outcome it gets when it
 * runs alone — written, an idempotent retry, a refusal, a size error, a failure of its own — and
 * the log must stay dense and in order. The number of transactions is read from the rows
 * themselves (`xmin`, the inserting transaction), so the grouping test fails if appends stop
 * being grouped; the same count with group commit switched off shows one transaction each.
 */
import { randomUUID } from "node:crypto"
import { Cause, Effect, Exit, Option, Scope, Stream } from "effect"
import pg from "pg"
import { afterAll, describe, expect, it } from "vitest"
import type {
  AppendResult,
  EventData,
  EventStoreShape,
  ExpectedRevision,
} from "../../application/event-store.ts"
import { MAX_EVENT_DATA_BYTES } from "../../application/event-store.ts"
import type { AppendError } from "../../application/event-store-errors.ts"
import {
  GROUPED_IN_AUTOCOMMIT,
  makePostgresEventStore,
} from "../../infrastructure/stores/postgres-event-store.ts"
import { newEvent, newEvents } from "./contract-context.ts"
import { dropSchema, pgTestSchema } from "./postgres-test-schema.ts"

const target = pgTestSchema("group")

if (target._tag === "Skip") {
  console.log(`SKIP postgres group-commit test: ${target.reason}`)
  describe.skip("postgres group commit", () => {
    it("groups concurrent appends", () => {})
  })
} else if (target._tag === "Fail") {
  describe("postgres group commit", () => {
    it("has a server to be tested on", () => {
      expect.fail(target.reason)
    })
  })
} else {
  const { connectionString, schema } = target
  afterAll(() => dropSchema(connectionString, schema))

  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

  async function withStore<A>(groupCommit: boolean, use: (store: EventStoreShape) => Promise<A>): Promise<A> {
    const scope = await run(Scope.make())
    try {
      const store = await run(
        Scope.provide(scope)(
          makePostgresEventStore(
            { connectionString, schema, description: "postgres group test" },
            { ...GROUPED_IN_AUTOCOMMIT, grouped: groupCommit },
          ),
        ),
      )
      return await use(store)
    } finally {
      await run(Scope.close(scope, Exit.void))
    }
  }

  interface Append {
    readonly label: string
    readonly streamId: string
    readonly events: ReadonlyArray<EventData>
    readonly expected: ExpectedRevision
  }

  /**
   * A scenario on streams of its own: what is stored first, then the appends under test. Every
   * outcome is independent of the order the appends run in, so "alone, one after the other" is
   * the reference for "together". 13 of the appends write.
   */
  function scenario(tag: string, withBadAppend: boolean) {
    const stream = (label: string) => `hbl-group-${tag}-${label}`
    const retried = [0, 1, 2, 3].map(() => newEvents(2))
    const partlyStored = newEvents(1)
    const twice = newEvents(2)
    const setup: Append[] = [
      ...retried.map((events, k) => ({
        label: `setup-r${k}`,
        streamId: stream(`r${k}`),
        events,
        expected: "no-stream" as const,
      })),
      { label: "setup-w", streamId: stream("w"), events: newEvents(1), expected: "no-stream" },
      { label: "setup-p", streamId: stream("p"), events: partlyStored, expected: "no-stream" },
    ]
    const appends: Append[] = [
      ...Array.from({ length: 12 }, (_, k) => ({
        label: `fresh-${k}`,
        streamId: stream(`f${k}`),
        events: newEvents(1 + (k % 3)),
        expected: (k % 4 === 3 ? "any" : "no-stream") as ExpectedRevision,
      })),
      // Idempotent retries of stored batches, and one at the wrong place.
      { label: "retry-no-stream", streamId: stream("r0"), events: retried[0] ?? [], expected: "no-stream" },
      { label: "retry-any", streamId: stream("r1"), events: retried[1] ?? [], expected: "any" },
      { label: "retry-exists", streamId: stream("r2"), events: retried[2] ?? [], expected: "stream-exists" },
      { label: "retry-wrong-place", streamId: stream("r3"), events: retried[3] ?? [], expected: 1 },
      // Wrong expected revisions, and a batch that only partly repeats stored events.
      { label: "wrong-no-stream", streamId: stream("w"), events: newEvents(1), expected: "no-stream" },
      { label: "wrong-number", streamId: stream("w"), events: newEvents(2), expected: 5 },
      { label: "partial", streamId: stream("p"), events: [...partlyStored, newEvent()], expected: 0 },
      // Too large: refused before it joins a group.
      {
        label: "oversize",
        streamId: stream("big"),
        events: [newEvent(), newEvent("x".repeat(MAX_EVENT_DATA_BYTES))],
        expected: "no-stream",
      },
      // The same batch twice: one writes it, the other is its idempotent retry.
      { label: "twice-a", streamId: stream("d"), events: twice, expected: "no-stream" },
      { label: "twice-b", streamId: stream("d"), events: twice, expected: "no-stream" },
      // Empty batches: only the expected revision is checked.
      { label: "empty-ok", streamId: stream("r0"), events: [], expected: 1 },
      { label: "empty-refused", streamId: stream("none"), events: [], expected: "stream-exists" },
    ]
    if (withBadAppend) {
      // PostgreSQL rejects the whole statement (text cannot hold NUL): this append must fail alone.
      appends.push({ label: "nul", streamId: stream("nul\u0000"), events: newEvents(1), expected: "any" })
    }
    return { tag, setup, appends }
  }

  type Outcome =
    | { readonly ok: true; readonly nextExpectedRevision: number }
    | { readonly ok: false; readonly error: Record<string, unknown> }

  /** The outcome with stream names and event ids made scenario-neutral, so two scenarios compare. */
  function normalise(append: Append, exit: Exit.Exit<AppendResult, AppendError>, tag: string): Outcome {
    if (Exit.isSuccess(exit)) return { ok: true, nextExpectedRevision: exit.value.nextExpectedRevision }
    const found = Cause.findErrorOption(exit.cause)
    if (Option.isNone(found)) throw new Error(`${append.label}: not a failure: ${String(exit.cause)}`)
    const error = found.value
    const neutral = (streamId: string) => streamId.replace(`hbl-group-${tag}-`, "hbl-group-*-")
    switch (error._tag) {
      case "WrongExpectedRevision":
        return {
          ok: false,
          error: {
            _tag: error._tag,
            streamId: neutral(error.streamId),
            expected: error.expected,
            actual: error.actual,
          },
        }
      case "EventTooLarge":
        return {
          ok: false,
          error: {
            _tag: error._tag,
            streamId: neutral(error.streamId),
            event: append.events.findIndex((event) => event.id === error.eventId),
            bytes: error.bytes,
          },
        }
      default:
        return { ok: false, error: { _tag: error._tag } }
    }
  }

  const appendExit = (store: EventStoreShape, append: Append) =>
    Effect.exit(store.append(append.streamId, append.events, append.expected))

  /** Shuffles by a seed, so that each round groups the appends differently. */
  function shuffled<A>(items: ReadonlyArray<A>, seed: number): A[] {
    const out = [...items]
    let state = seed
    for (let i = out.length - 1; i > 0; i--) {
      state = (state * 1103515245 + 12345) % 2147483648
      const j = state % (i + 1)
      ;[out[i], out[j]] = [out[j] as A, out[i] as A]
    }
    return out
  }

  /** How many transactions inserted the rows of these streams: one `xmin` per transaction. */
  async function transactionsWriting(streams: ReadonlyArray<string>): Promise<number> {
    const client = new pg.Client({ connectionString })
    await client.connect()
    try {
      const result = await client.query<{ count: string }>(
        `SELECT count(DISTINCT xmin::text) AS count FROM "${schema}".events WHERE stream_id = ANY($1::text[])`,
        [streams],
      )
      return Number(result.rows[0]?.count)
    } finally {
      await client.end()
    }
  }

  /**
   * Runs one scenario's appends alone (one after the other) and a twin scenario's all at once
   * (one fiber each, in a shuffled order), and checks the second against the first and the log.
   */
  async function together(store: EventStoreShape, round: number, withBadAppend: boolean) {
    const alone = scenario(`alone-${round}-${randomUUID().slice(0, 6)}`, withBadAppend)
    const grouped = scenario(`together-${round}-${randomUUID().slice(0, 6)}`, withBadAppend)
    for (const s of [alone, grouped]) {
      for (const append of s.setup) await run(store.append(append.streamId, append.events, append.expected))
    }
    const expected = new Map<string, Outcome>()
    for (const append of alone.appends) {
      expected.set(append.label, normalise(append, await run(appendExit(store, append)), alone.tag))
    }

    const before = await run(store.headPosition)
    const stored = await run(Stream.runCollect(store.readAll()))
    const order = shuffled(grouped.appends, round + 1)
    const exits = await run(
      Effect.all(
        order.map((append) => appendExit(store, append)),
        { concurrency: "unbounded" },
      ),
    )

    const log = await run(Stream.runCollect(store.readAll({ fromPosition: before })))
    // Nobody else writes this schema: everything after `before` is ours, dense and in order.
    expect(log.every((event) => event.streamId.startsWith(`hbl-group-${grouped.tag}-`))).toBe(true)
    expect(log.map((event) => event.position)).toEqual(log.map((_, index) => before + 1 + index))
    const positionOf = new Map([...stored, ...log].map((event) => [event.id, event.position]))

    let writes = 0
    order.forEach((append, index) => {
      const exit = exits[index] as Exit.Exit<AppendResult, AppendError>
      expect({ label: append.label, outcome: normalise(append, exit, grouped.tag) }).toEqual({
        label: append.label,
        outcome: expected.get(append.label),
      })
      const last = append.events[append.events.length - 1]
      if (Exit.isSuccess(exit) && last !== undefined) {
        // Written now or before: the position reported is that of the batch's last event.
        expect(exit.value.position).toBe(positionOf.get(last.id))
        if (log.some((event) => event.id === last.id) && append.label !== "twice-b") writes++
      }
    })
    // Each written batch is contiguous, in its order, at the stream's next revisions.
    for (const append of grouped.appends) {
      const first = append.events[0]
      if (expected.get(append.label)?.ok !== true || first === undefined) continue
      const stream = await run(Stream.runCollect(store.readStream(append.streamId)))
      expect(stream.map((event) => event.revision)).toEqual(stream.map((_, index) => index))
      const at = stream.findIndex((event) => event.id === first.id)
      expect(stream.slice(at, at + append.events.length).map((event) => event.id)).toEqual(
        append.events.map((event) => event.id),
      )
    }
    const written = grouped.appends
      .map((append) => append.streamId)
      .filter((streamId) => !streamId.includes("\u0000"))
    return { writes, transactions: await transactionsWriting(written.filter((id) => !isSetUp(grouped, id))) }
  }

  const isSetUp = (s: { readonly setup: ReadonlyArray<Append> }, streamId: string) =>
    s.setup.some((append) => append.streamId === streamId)

  describe("postgres group commit", () => {
    it("concurrent appends are grouped, and each gets the outcome it gets alone", async () => {
      await withStore(true, async (store) => {
        for (let round = 0; round < 4; round++) {
          const { writes, transactions } = await together(store, round, false)
          expect(writes).toBe(13)
          // The first append goes at once, alone; the others wait for it and go together.
          expect(transactions).toBeLessThanOrEqual(3)
        }
      })
    })

    it("an append PostgreSQL rejects fails alone; the rest of its group still goes in groups", async () => {
      await withStore(true, async (store) => {
        for (let round = 0; round < 3; round++) {
          const { writes, transactions } = await together(store, 10 + round, true)
          expect(writes).toBe(13)
          // The group is halved until the bad append is alone: a few transactions, not one each.
          expect(transactions).toBeLessThanOrEqual(8)
        }
      })
    })

    it("with group commit off, the same appends take one transaction each (the count can tell)", async () => {
      await withStore(false, async (store) => {
        const { writes, transactions } = await together(store, 0, true)
        expect(writes).toBe(13)
        expect(transactions).toBe(writes)
      })
    })
  })
}
