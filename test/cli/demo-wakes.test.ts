/**
 * The demo's wakes are the product's: its log holds what application/wake-scheduler.ts records
 * for the demo's wake requests (when each run happens, which requests coalesce into it, which
 * skips are retried when), and its virtual clock records the same day on an asynchronous store
 * (PostgreSQL) as on a synchronous one.
 */
import { Clock, Effect, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { EventStore } from "../../application/event-store.ts"
import { Ledger, layerLedger } from "../../application/ledger.ts"
import { makeWakeScheduler, type WakeHandlerResult } from "../../application/wake-scheduler.ts"
import { compact } from "../../domain/compact.ts"
import type { HeartbeatWakeSkipped, LedgerEvent } from "../../domain/events.ts"
import { decodedEvents } from "../../infrastructure/cli/audit/replay-audit.ts"
import { recordGatewayDay } from "../../infrastructure/cli/demo/gateway-day.ts"
import { layerSeededIds } from "../../infrastructure/ids.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { layerEventStoreFromUrl } from "../../infrastructure/stores/store-layer.ts"
import { dropSchema, pgTestSchema } from "../contract/postgres-test-schema.ts"

const DAY = { agents: 4, runs: 6, seed: 42 } as const
/** Smaller: every append of it is a PostgreSQL round trip. */
const PG_DAY = { agents: 3, runs: 3, seed: 42 } as const
const HOUR = 3_600_000

const ledgerOn = (store: Layer.Layer<EventStore, unknown>, seed: number) =>
  Layer.provideMerge(layerLedger, Layer.merge(store, layerSeededIds(seed)))

/** The demo day recorded into `store`, read back decoded. */
const recordDay = (store: Layer.Layer<EventStore, unknown>, day: typeof DAY | typeof PG_DAY = DAY) =>
  Effect.runPromise(
    Effect.gen(function* () {
      yield* recordGatewayDay(day)
      return [...(yield* Stream.runCollect(decodedEvents(yield* EventStore)))] as LedgerEvent[]
    }).pipe(Effect.provide(ledgerOn(store, day.seed))),
  )

const memoryStore = () => Layer.succeed(EventStore, makeMemoryEventStore({ now: () => 0 }))

type WakeOutcome =
  | typeof HeartbeatWakeSkipped.Type
  | {
      readonly _tag: "HeartbeatRan"
      readonly agentId: string
      readonly queueKey: string
      readonly forcedSessionKey?: string
      readonly source?: string
      readonly reason: string
      readonly at: number
    }

/** What the scheduler records for a wake: its runs (without what they showed) and its skips. */
const wakeOutcomes = (events: ReadonlyArray<LedgerEvent>): WakeOutcome[] =>
  events.flatMap((event): WakeOutcome[] => {
    if (event._tag === "HeartbeatWakeSkipped") return [event]
    if (event._tag !== "HeartbeatRan") return []
    const { _tag, agentId, queueKey, forcedSessionKey, source, reason, at } = event
    return [compact({ _tag, agentId, queueKey, forcedSessionKey, source, reason, at })]
  })

const skipKey = (at: number, agentId: string, sessionKey: string | undefined) =>
  `${at}|${agentId}|${sessionKey ?? ""}`

/**
 * Hands the demo log's agent configs and wake requests, at their recorded times, to a fresh
 * WakeScheduler on an empty ledger under effect's TestClock, with a handler that answers as the
 * demo's runs did (a recorded skip at that instant, else ran), and returns what it records.
 */
const replayWakes = (recorded: ReadonlyArray<LedgerEvent>) => {
  const store = makeMemoryEventStore({ now: () => 0 })
  const skipped = new Map<string, string>()
  for (const event of recorded)
    if (event._tag === "HeartbeatWakeSkipped")
      skipped.set(skipKey(event.at, event.agentId, event.sessionKey), event.reason)
  return Effect.runPromise(
    Effect.gen(function* () {
      const ledger = yield* Ledger
      const scheduler = yield* makeWakeScheduler
      yield* scheduler.setHandler((wake) =>
        Effect.map(Clock.currentTimeMillis, (now): WakeHandlerResult => {
          const agentId = wake.runs[0]?.agentId ?? wake.agentId ?? "main"
          const reason = skipped.get(skipKey(now, agentId, wake.sessionKey))
          return reason === undefined ? { status: "ran", durationMs: 0 } : { status: "skipped", reason }
        }),
      )
      for (const event of recorded) {
        if (event._tag === "AgentConfigured") {
          yield* TestClock.setTime(event.at)
          const { _tag, ...config } = event
          yield* ledger.configureAgent(config)
        }
        if (event._tag === "HeartbeatWakeRequested") {
          yield* TestClock.setTime(event.at)
          const { _tag, wakeId, eventId, at, ...wake } = event
          yield* scheduler.scheduleRecorded(wake, wakeId)
        }
      }
      yield* TestClock.adjust(HOUR)
      return wakeOutcomes([...(yield* Stream.runCollect(decodedEvents(store)))] as LedgerEvent[])
    }).pipe(
      Effect.scoped,
      Effect.provide(ledgerOn(Layer.succeed(EventStore, store), 1)),
      Effect.provide(TestClock.layer()),
    ),
  )
}

describe("the demo's wakes", () => {
  it("are what the product's wake scheduler records for the demo's wake requests", async () => {
    const recorded = await recordDay(memoryStore())
    const outcomes = wakeOutcomes(recorded)
    // Not vacuous: coalesced requests, busy skips with their retries, runs of every kind.
    const runs = outcomes.filter((outcome) => outcome._tag === "HeartbeatRan")
    const targeted = recorded.filter(
      (event) => event._tag === "HeartbeatWakeRequested" && event.source !== "interval",
    )
    expect(targeted.length).toBeGreaterThan(runs.filter((run) => run.source !== "interval").length)
    expect(outcomes.some((outcome) => outcome._tag === "HeartbeatWakeSkipped" && outcome.retryAt)).toBe(true)
    expect(new Set(runs.map((run) => run.source))).toEqual(
      new Set(["interval", "exec-event", "cron", "hook", "acp-spawn", "background-task", "cli-watchdog"]),
    )
    expect(await replayWakes(recorded)).toEqual(outcomes)
  })
})

const pg = pgTestSchema("demo_wakes")

describe.runIf(pg._tag !== "Skip")("the demo's virtual clock on PostgreSQL", () => {
  it("records the same day as on the memory store, though every append is asynchronous", async () => {
    if (pg._tag === "Fail") throw new Error(pg.reason)
    if (pg._tag !== "Ready") return
    try {
      const [memory, postgres] = await Promise.all([
        recordDay(memoryStore(), PG_DAY),
        recordDay(layerEventStoreFromUrl(pg.url), PG_DAY),
      ])
      expect(postgres.length).toBeGreaterThan(0)
      expect(postgres).toEqual(memory)
    } finally {
      await dropSchema(pg.connectionString, pg.schema)
    }
  }, 120_000)
})
