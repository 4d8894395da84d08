import { Effect, Layer, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { EventStore, type EventStoreShape } from "../../application/event-store.ts"
import { Ledger, layerLedger } from "../../application/ledger.ts"
import { auditProjection, auditReport } from "../../application/projections/audit.ts"
import { catchUpProjection } from "../../application/projections/projection.ts"
import { rerouteRecordedWork, whatIfLegacy } from "../../application/what-if.ts"
import type { LedgerEvent } from "../../domain/events.ts"
import { execExitEmission, hookEmission } from "../../domain/sources.ts"
import { decodedEvents } from "../../infrastructure/cli/audit/replay-audit.ts"
import { scratchLedger } from "../../infrastructure/cli/audit/run-audit.ts"
import { recordGatewayDay } from "../../infrastructure/cli/demo/gateway-day.ts"
import { layerSeededIds } from "../../infrastructure/ids.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"

const ledgerOn = (store: EventStoreShape) =>
  Layer.provideMerge(layerLedger, Layer.merge(Layer.succeed(EventStore, store), layerSeededIds(3)))

const record = <A, E>(program: Effect.Effect<A, E, Ledger | EventStore>) => {
  const store = makeMemoryEventStore({ now: () => 0 })
  return Effect.runPromise(Effect.provide(program, ledgerOn(store))).then(() => store)
}

const reroute = (store: EventStoreShape, routing: "fixed" | "legacy") =>
  Effect.runPromise(
    rerouteRecordedWork(decodedEvents(store), { routing }).pipe(Effect.provide(scratchLedger())),
  )

const recordedReport = (store: EventStoreShape) =>
  Effect.runPromise(Effect.map(catchUpProjection(auditProjection, store), ({ state }) => auditReport(state)))

describe("re-routing recorded work (application/what-if.ts)", () => {
  it("under the fixed routing reproduces the recorded audit exactly", async () => {
    const store = await record(recordGatewayDay({ agents: 4, runs: 5, seed: 11 }))
    const [recorded, rerouted] = await Promise.all([recordedReport(store), reroute(store, "fixed")])
    expect(rerouted.report).toEqual(recorded)
    expect(rerouted.retargetedRuns).toBe(0)
  })

  it("under the legacy routing strands cron-run events that the fixed routing delivered", async () => {
    const store = await record(recordGatewayDay({ agents: 3, runs: 4, seed: 5 }))
    const recorded = await recordedReport(store)
    const legacy = await Effect.runPromise(
      whatIfLegacy(decodedEvents(store)).pipe(Effect.provide(scratchLedger())),
    )
    expect(recorded.totals.stranded).toBe(0)
    expect(legacy.totals.stranded).toBeGreaterThan(0)
    expect(legacy.totals.attempts).toBe(recorded.totals.attempts)
    expect(legacy.stranded.every((event) => /:cron:[^:]+:run:/.test(event.origin))).toBe(true)
  })

  it("re-targets a run that answered a cron-run wake as the legacy wake would have: the raw key, resolved at run time", async () => {
    const run = "agent:ops:cron:nightly:run:r1"
    const store = await record(
      Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* ledger.configureAgent({ agentId: "ops", mainKey: "Work", at: 0 })
        const snapshot = yield* ledger.snapshotPolicy(run)
        // The config changes while the run works; its event still goes by the start-time policy.
        yield* ledger.configureAgent({ agentId: "ops", mainKey: "Desk", at: 10 })
        yield* ledger.record(
          hookEmission({ sessionKey: "agent:ops:desk", name: "github", text: "PR approved" }),
          { at: 15 },
        )
        const done = execExitEmission({
          sessionKey: run,
          processId: "abcdef012345",
          exitCode: 0,
          output: "ok",
        })!
        const result = yield* ledger.record(done, { policy: snapshot, at: 20 })
        expect(result.wake?.sessionKey).toBe("agent:ops:work")
        yield* ledger.runHeartbeat({ sessionKey: "agent:ops:work", reason: "exec-event", at: 21 })
      }),
    )
    const legacy = await Effect.runPromise(
      Effect.gen(function* () {
        const result = yield* rerouteRecordedWork(decodedEvents(store), { routing: "legacy" })
        const runs = yield* Stream.runCollect(decodedEvents(yield* EventStore))
        return {
          result,
          runs: [...runs].filter(
            (e): e is Extract<LedgerEvent, { _tag: "HeartbeatRan" }> => e._tag === "HeartbeatRan",
          ),
        }
      }).pipe(Effect.provide(scratchLedger())),
    )
    expect(legacy.result.retargetedRuns).toBe(1)
    // Forced to the raw cron-run key, the heartbeat runs on the agent's main key of the day: desk.
    expect(legacy.runs).toEqual([
      expect.objectContaining({
        forcedSessionKey: run,
        queueKey: "agent:ops:desk",
        consumed: [expect.any(String)],
      }),
    ])
    expect(legacy.result.report.stranded.map((event) => event.queueKey)).toEqual([run])
  })
})
