/**
 * The invariants module (application/invariants.ts) on logs recorded through the real ledger, on
 * the memory store and on SQLite, then damaged on purpose: each invariant holds on the clean
 * log and fails — naming the record — on a log with one fact doubled, removed or renumbered.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
import { Effect, Exit, Scope, Stream } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import type { EventStoreShape, RecordedEvent } from "../../application/event-store.ts"
import { judgePositionsInOrder } from "../../application/invariants/positions-in-order.ts"
import {
  auditFolds,
  type Invariant,
  type InvariantName,
  invariantsOfLog,
  invariantsProjection,
  judgeInvariants,
  logFactsOptionsOf,
} from "../../application/invariants.ts"
import { LedgerView } from "../../application/ledger-view.ts"
import { auditReport } from "../../application/projections/audit.ts"
import { applyRecords, catchUpProjection, initial } from "../../application/projections/projection.ts"
import { queueStreamId } from "../../application/stream-names.ts"
import type { LedgerEvent } from "../../domain/events.ts"
import { execExitEmission } from "../../domain/sources.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { makeSqliteEventStore } from "../../infrastructure/stores/sqlite-event-store.ts"
import { Ledger, withLedger } from "./ledger-harness.ts"

const CRON_RUN = "agent:ops:cron:nightly:run:r1"
const OPS_QUEUE = "agent:ops:work"
const HOUR = 3_600_000
const exec = (output: string) =>
  execExitEmission({ sessionKey: CRON_RUN, processId: "proc-1234abcd", exitCode: 0, output })!

/**
 * A small gateway day with every kind of decision: config, 22 cron-run exec completions routed
 * to ops' main queue (the last two evict), a heartbeat consuming them, a raw call to the cron-run
 * key and the sweep that prunes it.
 */
const recordDay = Effect.gen(function* () {
  const ledger = yield* Ledger
  yield* ledger.configureAgent({ agentId: "ops", mainKey: "work", at: 0 })
  yield* ledger.configureAgent({ agentId: "main", at: 0 })
  for (let i = 0; i < 22; i++) yield* ledger.record(exec(`step ${i} of the backup`), { at: 1_000 + i })
  // An exec-event wake: its run looks at the queue and consumes the exec completions (domain/heartbeat.ts).
  yield* ledger.runHeartbeat({ agentId: "ops", source: "exec-event", reason: "exec-event", at: 5_000 })
  yield* ledger.enqueue("raw note", { sessionKey: CRON_RUN }, { at: 6_000 })
  yield* ledger.prune({ retention: "1h", at: 6_000 + 2 * HOUR })
})

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const readAll = (store: EventStoreShape) => run(Stream.runCollect(store.readAll()))

async function memoryDay(): Promise<EventStoreShape> {
  const store = makeMemoryEventStore({ now: () => 0 })
  await withLedger(recordDay, store)
  return store
}

/**
 * A log holding exactly `records` (edited), as a damaged store would give it back: positions 1…n
 * in this order. Damage below the port, since every store refuses a reused id on append.
 */
async function memoryLog(records: ReadonlyArray<RecordedEvent>): Promise<EventStoreShape> {
  const store = makeMemoryEventStore({ now: () => 0 })
  // Data as a store keeps it: JSON (an undefined field is gone).
  const log = records.map((record, index) => ({
    ...record,
    data: JSON.parse(JSON.stringify(record.data ?? null)) as unknown,
    position: index + 1,
  }))
  return {
    ...store,
    readAll: (options = {}) =>
      Stream.fromIterable(
        log
          .filter((record) => record.position > (options.fromPosition ?? 0))
          .slice(0, options.maxCount ?? Number.POSITIVE_INFINITY),
      ),
    headPosition: Effect.succeed(log.length),
  }
}

const invariantsOf = async (store: EventStoreShape) => run(invariantsOfLog(store))
const named = (invariants: ReadonlyArray<Invariant>, name: InvariantName) => {
  const invariant = invariants.find((check) => check.name === name)
  if (invariant === undefined) throw new Error(`no invariant ${name}`)
  return invariant
}
const failing = (invariants: ReadonlyArray<Invariant>) =>
  invariants.filter((check) => !check.holds).map((check) => check.name)
const typed = (records: ReadonlyArray<RecordedEvent>, type: string) => records.filter((r) => r.type === type)
const data = (record: RecordedEvent | undefined) => record?.data as Record<string, unknown>

describe("invariants on a clean log", () => {
  it("all hold on the memory store, in a fixed order, the first three being the audit's original ones", async () => {
    const invariants = await invariantsOf(await memoryDay())
    expect(invariants.map((check) => check.name)).toEqual([
      "accounting",
      "no-cross-agent-leakage",
      "replay-reproduces-queues",
      "nothing-stranded",
      "no-doubled-event-id",
      "no-half-recorded-decision",
      "positions-in-order",
    ])
    expect(failing(invariants)).toEqual([])
    // A holding invariant carries no violation fields: the audit JSON of a clean log is unchanged.
    expect(Object.keys(named(invariants, "accounting")).sort()).toEqual(["detail", "holds", "name"])
  })

  it("the recorded day has the decisions the damage below takes apart", async () => {
    const records = await readAll(await memoryDay())
    for (const type of ["SystemEventEvicted", "HeartbeatWakeRequested", "QueuePruned", "SessionsPruned"])
      expect(typed(records, type).length).toBeGreaterThan(0)
    expect(data(typed(records, "HeartbeatRan")[0])?.consumed).toHaveLength(20)
  })

  it("a checkpoint (toJSON → fromJSON) mid-log judges the same as one pass", async () => {
    const store = await memoryDay()
    const records = await readAll(store)
    const folds = auditFolds(logFactsOptionsOf(store))
    const half = applyRecords(folds, initial(folds), records.slice(0, 30))
    if ("_tag" in half) throw new Error(half.message)
    const restored = {
      state: folds.fromJSON(JSON.parse(JSON.stringify(folds.toJSON(half.state)))),
      checkpoint: 30,
    }
    const resumed = applyRecords(folds, restored, records)
    if ("_tag" in resumed) throw new Error(resumed.message)
    const judged = judgeInvariants({ ...resumed.state, report: auditReport(resumed.state.audit) })
    expect(judged).toEqual(await invariantsOf(store))
    // And a damaged log's checkpointed facts keep its violations.
    const facts = invariantsProjection({ positionsWithoutHoles: true })
    const doubled = [...records, { ...(records[0] as RecordedEvent), position: records.length + 1 }]
    const once = applyRecords(facts, initial(facts), doubled)
    if ("_tag" in once) throw new Error(once.message)
    const copy = facts.fromJSON(JSON.parse(JSON.stringify(facts.toJSON(once.state))))
    expect(copy.doubledIds.count).toBe(1)
    expect(copy.recordIds.get(records[5]?.id ?? "")).toBe(1)
  })
})

describe("invariants on a damaged memory log", () => {
  it("no-doubled-event-id: a copy of a record under the same store id (another stream) is named", async () => {
    const records = await readAll(await memoryDay())
    const config = typed(records, "AgentConfigured")[0] as RecordedEvent
    const store = await memoryLog([...records, { ...config, streamId: "hbl-elsewhere" }])
    const invariants = await invariantsOf(store)
    expect(failing(invariants)).toEqual(["no-doubled-event-id"])
    const check = named(invariants, "no-doubled-event-id")
    expect(check.violationCount).toBe(1)
    expect(check.violations?.[0]).toMatchObject({
      eventId: config.id,
      position: records.length + 1,
      streamId: "hbl-elsewhere",
    })
  })

  it("accounting: an event consumed a second time fails it (the counts alone still add up)", async () => {
    const store = await memoryDay()
    const records = await readAll(store)
    const consumed = data(typed(records, "HeartbeatRan")[0])?.consumed as string[]
    await run(
      store.append(
        queueStreamId(OPS_QUEUE),
        [
          {
            id: "00000000-0000-4000-8000-00000000c0de",
            type: "SystemEventsConsumed",
            version: 1,
            data: { _tag: "SystemEventsConsumed", queueKey: OPS_QUEUE, eventIds: [consumed[3]], at: 9_000 },
          },
        ],
        "any",
      ),
    )
    const invariants = await invariantsOf(store)
    expect(failing(invariants)).toEqual(["accounting"])
    const check = named(invariants, "accounting")
    expect(check.detail).toContain("a second fate")
    expect(check.violations?.[0]).toMatchObject({ eventId: consumed[3], position: records.length + 1 })
    expect(check.violations?.[0]?.reason).toContain("after it had left its queue")
  })

  it("accounting: an enqueue attempt recorded twice (new store id, same attempt id) fails it", async () => {
    const records = await readAll(await memoryDay())
    const first = typed(records, "SystemEventEnqueued")[0] as RecordedEvent
    const store = await memoryLog([...records, { ...first, id: "00000000-0000-4000-8000-0000000a77e2" }])
    const invariants = await invariantsOf(store)
    expect(failing(invariants)).toContain("accounting")
    expect(named(invariants, "accounting").violations?.[0]?.reason).toContain(
      `enqueue attempt ${data(first).eventId} is recorded again`,
    )
    expect(named(invariants, "no-doubled-event-id").holds).toBe(true)
  })

  it("accounting: a consume naming an event of another queue, or one never recorded, fails it", async () => {
    const records = await readAll(await memoryDay())
    const eventId = data(typed(records, "SystemEventEnqueued")[5]).eventId
    const wrong = (ids: string[], id: string) => ({
      ...(typed(records, "HeartbeatRan")[0] as RecordedEvent),
      id,
      data: {
        ...data(typed(records, "HeartbeatRan")[0]),
        shown: ids,
        consumed: ids,
        queueKey: "agent:ops:other",
      },
    })
    const store = await memoryLog([
      ...records.filter((r) => r.type !== "HeartbeatRan"),
      wrong([eventId as string], "00000000-0000-4000-8000-0000000000a1"),
      wrong(["no-such-event"], "00000000-0000-4000-8000-0000000000a2"),
    ])
    const reasons = named(await invariantsOf(store), "accounting").violations?.map((v) => v.reason)
    expect(reasons).toEqual([
      expect.stringContaining(`but it was accepted into ${OPS_QUEUE}`),
      expect.stringContaining("no enqueue attempt with that id is recorded before"),
    ])
  })

  it("no-half-recorded-decision: an accepted enqueue whose wake was removed is named", async () => {
    const records = await readAll(await memoryDay())
    const wake = typed(records, "HeartbeatWakeRequested")[4] as RecordedEvent
    const invariants = await invariantsOf(await memoryLog(records.filter((r) => r !== wake)))
    expect(failing(invariants)).toEqual(["no-half-recorded-decision"])
    const check = named(invariants, "no-half-recorded-decision")
    expect(check.violations?.[0]).toMatchObject({ eventId: data(wake).eventId, position: wake.position - 1 })
    expect(check.violations?.[0]?.reason).toContain("with a wake, but no wake is recorded with it")
  })

  it("no-half-recorded-decision: a wake whose enqueue was removed is named", async () => {
    const records = await readAll(await memoryDay())
    const wake = typed(records, "HeartbeatWakeRequested")[2] as RecordedEvent
    const enqueue = records.find(
      (r) => r.type === "SystemEventEnqueued" && data(r).eventId === data(wake).eventId,
    )
    const invariants = await invariantsOf(await memoryLog(records.filter((r) => r !== enqueue)))
    const check = named(invariants, "no-half-recorded-decision")
    expect(check.holds).toBe(false)
    expect(check.violations?.[0]?.reason).toContain("that event's enqueue attempt is not recorded with it")
    // Its consumption then names an event never recorded: accounting sees it too.
    expect(named(invariants, "accounting").holds).toBe(false)
  })

  it("no-half-recorded-decision: an enqueue into a full queue whose eviction was removed is named", async () => {
    const records = await readAll(await memoryDay())
    const eviction = typed(records, "SystemEventEvicted")[0] as RecordedEvent
    const invariants = await invariantsOf(await memoryLog(records.filter((r) => r !== eviction)))
    const check = named(invariants, "no-half-recorded-decision")
    expect(check.holds).toBe(false)
    expect(check.violations?.[0]?.reason).toContain(
      `which held 20 already, but no eviction is recorded with it`,
    )
    expect(check.violations?.[0]?.eventId).toBe(data(eviction).byEventId)
  })

  it("no-half-recorded-decision: a sweep summary without its queue prune, and a prune without its summary", async () => {
    const records = await readAll(await memoryDay())
    const prune = typed(records, "QueuePruned")[0] as RecordedEvent
    const summary = typed(records, "SessionsPruned")[0] as RecordedEvent
    const [lost] = data(prune).eventIds as string[]
    const withoutPrune = await invariantsOf(await memoryLog(records.filter((r) => r !== prune)))
    expect(named(withoutPrune, "no-half-recorded-decision").violations).toEqual([
      expect.objectContaining({
        eventId: lost,
        position: summary.position - 1,
        reason: expect.stringContaining("but no queue records pruning it"),
      }),
    ])
    const withoutSummary = await invariantsOf(await memoryLog(records.filter((r) => r !== summary)))
    expect(failing(withoutSummary)).toEqual(["no-half-recorded-decision"])
    expect(named(withoutSummary, "no-half-recorded-decision").violations?.[0]?.reason).toContain(
      "but no sweep summary (SessionsPruned) names it",
    )
  })

  it("no-half-recorded-decision: a heartbeat run that shows events but records no consumption", async () => {
    const records = await readAll(await memoryDay())
    const ran = typed(records, "HeartbeatRan")[0] as RecordedEvent
    const store = await memoryLog(
      records.map((r) => (r === ran ? { ...r, data: { ...data(r), consumed: [] } } : r)),
    )
    const check = named(await invariantsOf(store), "no-half-recorded-decision")
    expect(check.violations?.[0]?.reason).toContain("showed 20 event(s) but records consuming only 0")
  })

  it("no-cross-agent-leakage: an event from main's work put into ops' queue is named", async () => {
    const records = await readAll(await memoryDay())
    const enqueue = typed(records, "SystemEventEnqueued")[0] as RecordedEvent
    const leaked = {
      ...enqueue,
      id: "00000000-0000-4000-8000-00000000beef",
      data: {
        ...data(enqueue),
        eventId: "00000000-0000-4000-8000-00000000feed",
        provenance: {
          ...(data(enqueue).provenance as object),
          origin: "agent:main:cron:j:run:r9",
          wake: undefined,
        },
      },
    }
    const invariants = await invariantsOf(await memoryLog([...records, leaked]))
    const check = named(invariants, "no-cross-agent-leakage")
    expect(check.holds).toBe(false)
    expect(check.violations?.[0]?.reason).toContain(`lands in ${OPS_QUEUE}, another agent's queue`)
  })

  it("replay-reproduces-queues: a ledger view that forgets evictions no longer matches the log's facts", async () => {
    const store = await memoryDay()
    const folded = await run(catchUpProjection(auditFolds(logFactsOptionsOf(store)), store))
    const broken = new LedgerView()
    for (const record of await readAll(store)) {
      if (record.type !== "SystemEventEvicted") broken.apply(record, record.data as never)
    }
    const state = { ...folded.state, view: broken }
    const check = named(
      judgeInvariants({ ...state, report: auditReport(state.audit) }),
      "replay-reproduces-queues",
    )
    expect(check.holds).toBe(false)
    expect(check.detail).toBe(
      "0 queued per the audit or the log's facts but not in the rebuilt queues, 2 the other way",
    )
  })

  it("positions-in-order: a position that does not increase is named, on any store (the fold itself)", async () => {
    const records = await readAll(await memoryDay())
    const facts = invariantsProjection({ positionsWithoutHoles: false })
    const state = facts.init()
    const [first, second, ...rest] = records as [RecordedEvent, RecordedEvent, ...RecordedEvent[]]
    for (const record of [second, first, ...rest]) facts.evolve(state, record.data as LedgerEvent, record)
    const check = judgePositionsInOrder(state)
    expect(check.holds).toBe(false)
    expect(check.violations).toEqual([
      expect.objectContaining({
        position: 1,
        reason: "position 1 comes after position 2: positions must increase",
      }),
    ])
    // Without the no-holes promise, the hole a later position leaves is not reported.
    expect(
      judgePositionsInOrder(
        facts.evolve(facts.init(), rest[0]?.data as LedgerEvent, rest[0] as RecordedEvent),
      ).holds,
    ).toBe(true)
  })

  it("nothing-stranded: a raw call to a cron-run key nobody prunes or drains is named", async () => {
    const store = makeMemoryEventStore({ now: () => 0 })
    await withLedger(
      Effect.flatMap(Ledger, (ledger) => ledger.enqueue("left behind", { sessionKey: CRON_RUN }, { at: 1 })),
      store,
    )
    const check = named(await invariantsOf(store), "nothing-stranded")
    expect(check.holds).toBe(false)
    expect(check.violations?.[0]).toMatchObject({ position: 1, streamId: queueStreamId(CRON_RUN) })
  })
})

// ── SQLite: the same day, damaged with SQL ────────────────────────────────────────────────

const root = mkdtempSync(join(tmpdir(), "hbl-invariants-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let files = 0

async function withSqlite<A>(path: string, use: (store: EventStoreShape) => Promise<A>): Promise<A> {
  const scope = await run(Scope.make())
  try {
    return await use(await run(Scope.provide(makeSqliteEventStore({ path, now: () => 0 }), scope)))
  } finally {
    await run(Scope.close(scope, Exit.void))
  }
}

/** Records the day into a new SQLite file, applies `damage` to it with SQL, and judges the log. */
async function sqliteDay(damage: (db: Database.Database) => void): Promise<ReadonlyArray<Invariant>> {
  const path = join(root, `day-${++files}.db`)
  await withSqlite(path, (store) => withLedger(recordDay, store))
  const db = new Database(path)
  try {
    damage(db)
  } finally {
    db.close()
  }
  return withSqlite(path, invariantsOf)
}

describe("invariants on a damaged SQLite log", () => {
  it("hold on the clean SQLite log", async () => {
    expect(failing(await sqliteDay(() => {}))).toEqual([])
  })

  it("no-doubled-event-id: a row copied within its stream under the same event id", async () => {
    let copied = 0
    const invariants = await sqliteDay((db) => {
      copied = db
        .prepare(
          `INSERT INTO events (stream_id, revision, event_id, type, version, data, recorded_at)
           SELECT stream_id, (SELECT max(revision) + 1 FROM events e WHERE e.stream_id = w.stream_id), event_id, type, version, data, recorded_at
           FROM events w WHERE type = 'AgentConfigured' ORDER BY position LIMIT 1`,
        )
        .run().lastInsertRowid as number
    })
    expect(failing(invariants)).toEqual(["no-doubled-event-id"])
    expect(named(invariants, "no-doubled-event-id").violations?.[0]?.position).toBe(copied)
  })

  it("positions-in-order: positions renumbered with a gap (SQLite promises none)", async () => {
    const invariants = await sqliteDay((db) => {
      db.exec("UPDATE events SET position = -position WHERE position > 10")
      db.exec("UPDATE events SET position = -position + 5 WHERE position < 0")
    })
    expect(failing(invariants)).toEqual(["positions-in-order"])
    expect(named(invariants, "positions-in-order").violations).toEqual([
      expect.objectContaining({
        position: 16,
        reason: "positions 11–15 are missing, and this store never leaves holes",
      }),
    ])
  })

  it("one row of a decision deleted: a hole and a half-recorded decision", async () => {
    let deleted = 0
    const invariants = await sqliteDay((db) => {
      deleted = db
        .prepare(
          "SELECT position FROM events WHERE type = 'HeartbeatWakeRequested' ORDER BY position LIMIT 1",
        )
        .pluck()
        .get() as number
      db.prepare("DELETE FROM events WHERE position = ?").run(deleted)
    })
    expect(failing(invariants)).toEqual(["no-half-recorded-decision", "positions-in-order"])
    expect(named(invariants, "positions-in-order").violations?.[0]?.reason).toBe(
      `position ${deleted} is missing, and this store never leaves holes`,
    )
  })

  it("a second consume inserted with SQL fails accounting", async () => {
    const invariants = await sqliteDay((db) => {
      const ran = db.prepare("SELECT stream_id, data FROM events WHERE type = 'HeartbeatRan'").get() as {
        stream_id: string
        data: string
      }
      const { queueKey, consumed } = JSON.parse(ran.data) as { queueKey: string; consumed: string[] }
      db.prepare(
        `INSERT INTO events (stream_id, revision, event_id, type, version, data, recorded_at)
         VALUES (?, (SELECT max(revision) + 1 FROM events WHERE stream_id = ?), 'second-consume', 'SystemEventsConsumed', 1, ?, 0)`,
      ).run(
        ran.stream_id,
        ran.stream_id,
        JSON.stringify({ _tag: "SystemEventsConsumed", queueKey, eventIds: consumed.slice(0, 2), at: 9_000 }),
      )
    })
    expect(failing(invariants)).toEqual(["accounting"])
    expect(named(invariants, "accounting").violationCount).toBe(2)
  })
})
