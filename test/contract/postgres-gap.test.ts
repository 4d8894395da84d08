/**
 * The sequence-gap trap, staged: transaction A draws position N and stalls before COMMIT;
 * transaction B draws N+1 and commits; a subscriber reads N+1 and moves its checkpoint past N;
 * A commits N, which that subscriber never reads. The store's append lock makes B wait for A, so
 * positions commit in order. The first test fails if the lock is removed; the second shows,
 * with the lock switched off, that the staging really does lose an event.
 */
import { Deferred, Effect, Exit, Scope, Stream } from "effect"
import pg from "pg"
import { afterAll, describe, expect, it } from "vitest"
import type { EventStoreShape, RecordedEvent } from "../../application/event-store.ts"
import type { AppendRow, AppendUnitsCall } from "../../infrastructure/stores/postgres-append-units.ts"
import { makePostgresEventStore } from "../../infrastructure/stores/postgres-event-store.ts"
import { newEvent } from "./contract-context.ts"
import { dropSchema, pgTestSchema } from "./postgres-test-schema.ts"

const target = pgTestSchema("gap")

if (target._tag === "Skip") {
  console.log(`SKIP postgres gap-safety test: ${target.reason}`)
  describe.skip("postgres global positions", () => {
    it("commit in position order", () => {})
  })
} else if (target._tag === "Fail") {
  describe("postgres global positions", () => {
    it("have a server to be tested on", () => {
      expect.fail(target.reason)
    })
  })
} else {
  const { connectionString, schema } = target
  afterAll(() => dropSchema(connectionString, schema))

  interface Staged {
    readonly delivered: ReadonlyArray<string>
    readonly a: { readonly id: string; readonly position: number }
    readonly b: { readonly id: string; readonly position: number }
    readonly c: { readonly id: string }
  }

  /**
   * The staging's own call of `append_units`: inside an explicit transaction that, once a
   * stream's events are written, awaits `stall(streamId)` before COMMIT — holding the append
   * lock, or, with `serialisePositions` false, never taking it (`$1`, the function's `serialise`
   * parameter: migration 5).
   */
  const stallingCall =
    (serialisePositions: boolean, stall: (streamId: string) => Promise<void>): AppendUnitsCall =>
    async (pool, query, group) => {
      const client = await pool.connect()
      try {
        await client.query("BEGIN")
        const values = query.values ?? []
        const { rows } = await client.query<AppendRow>(
          serialisePositions ? query : { ...query, values: [false, ...values.slice(1)] },
        )
        const streamIds = group.flatMap((pending) => pending.appends.map((append) => append.streamId))
        for (const [index, row] of rows.entries()) {
          const streamId = streamIds[index]
          if (row.accepted && streamId !== undefined) await stall(streamId)
        }
        await client.query("COMMIT")
        client.release()
        return rows
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined)
        client.release(true)
        throw error
      }
    }

  /** Runs the staging on a store with or without its append lock. */
  async function stage(serialisePositions: boolean): Promise<Staged> {
    const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
    const scope = await run(Scope.make())
    const aStalled = await run(Deferred.make<void>())
    const releaseA = await run(Deferred.make<void>())
    const label = serialisePositions ? "locked" : "unlocked"
    const [streamA, streamB, streamC] = ["a", "b", "c"].map((name) => `hbl-gap-${label}-${name}`) as [
      string,
      string,
      string,
    ]
    const observer = new pg.Client({ connectionString })
    await observer.connect()
    try {
      const store: EventStoreShape = await run(
        Scope.provide(scope)(
          makePostgresEventStore(
            { connectionString, schema, description: "postgres gap test" },
            // Alone (a grouped B would wait for A's call instead of racing it), in a slow transaction.
            {
              grouped: false,
              call: stallingCall(serialisePositions, async (streamId) => {
                if (streamId !== streamA) return
                await run(Deferred.succeed(aStalled, undefined))
                await run(Deferred.await(releaseA))
              }),
            },
          ),
        ),
      )
      const [a, b, c] = [newEvent(), newEvent(), newEvent()]
      const before = await run(store.headPosition)
      const seen: RecordedEvent[] = []
      const delivered = run(
        Stream.runCollect(
          store.subscribeToAll({ fromPosition: before }).pipe(
            Stream.filter((event) => [streamA, streamB, streamC].includes(event.streamId)),
            Stream.tap((event) => Effect.sync(() => seen.push(event))),
            Stream.takeUntil((event) => event.id === c.id),
          ),
        ),
      )
      const appendA = run(store.append(streamA, [a], "no-stream"))
      await run(Deferred.await(aStalled))
      let bCommitted = false
      const appendB = run(store.append(streamB, [b], "no-stream")).then((result) => {
        bCommitted = true
        return result
      })
      // Either B committed and the subscriber has passed it, or B is queued behind A's lock.
      for (;;) {
        if (bCommitted && seen.some((event) => event.id === b.id)) break
        // Only this schema's append lock: other test files append to other schemas meanwhile.
        const waiting = await observer.query<{ count: string }>(
          `SELECT count(*) AS count FROM pg_locks
           WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2
             AND classid::bigint = (hashtext('heartbeat-ledger/append')::bigint & 4294967295)
             AND objid::bigint = (hashtext($1)::bigint & 4294967295)`,
          [schema],
        )
        if (Number(waiting.rows[0]?.count) > 0) break
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      await run(Deferred.succeed(releaseA, undefined))
      const [resultA, resultB] = await Promise.all([appendA, appendB])
      await run(store.append(streamC, [c], "no-stream"))
      return {
        delivered: (await delivered).map((event) => event.id),
        a: { id: a.id, position: resultA.position },
        b: { id: b.id, position: resultB.position },
        c: { id: c.id },
      }
    } finally {
      await run(Scope.close(scope, Exit.void))
      await observer.end()
    }
  }

  describe("postgres global positions", () => {
    it("commit in position order, so a subscriber overtaken by a slow transaction skips nothing", async () => {
      const { delivered, a, b, c } = await stage(true)
      expect(a.position).toBeLessThan(b.position)
      expect(delivered).toEqual([a.id, b.id, c.id])
    })

    it("without the append lock, the same staging makes the subscriber skip an event (the trap is real)", async () => {
      const { delivered, a, b, c } = await stage(false)
      expect(a.position).toBeLessThan(b.position)
      expect(delivered).toEqual([b.id, c.id])
    })
  })
}
