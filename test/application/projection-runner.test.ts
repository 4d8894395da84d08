import { Effect, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { EventStore } from "../../application/event-store.ts"
import { auditProjection } from "../../application/projections/audit.ts"
import { catchUpProjection } from "../../application/projections/projection.ts"
import { queuesProjection } from "../../application/projections/queues.ts"
import { runProjection } from "../../application/projections/runner.ts"
import { execExitEmission } from "../../domain/sources.ts"
import { makeMemoryProjectionCheckpoints } from "../../infrastructure/stores/memory-projection-checkpoints.ts"
import { Ledger, withLedger } from "./ledger-harness.ts"

const recordSome = (from: number, count: number) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    yield* ledger.configureAgent({ agentId: "ops", at: 0 })
    for (let i = from; i < from + count; i++) {
      const emission = execExitEmission({
        sessionKey: `agent:ops:cron:job:run:r${i % 3}`,
        processId: `p${i}`,
        exitCode: i % 2,
        output: `line ${i}`,
      })!
      yield* ledger.record(emission, { at: i * 1000 })
      if (i % 7 === 0) yield* ledger.runHeartbeat({ reason: "interval", at: i * 1000 + 1 })
    }
  })

describe("runProjection", () => {
  it("resumes from its saved checkpoint and reaches the state of a fresh replay", async () => {
    const checkpoints = makeMemoryProjectionCheckpoints()
    const result = await withLedger(
      Effect.gen(function* () {
        const store = yield* EventStore
        yield* recordSome(0, 40)
        const firstRun = yield* runProjection(auditProjection, store, checkpoints, { batchSize: 7 })
        const saved = yield* checkpoints.load("audit")
        yield* recordSome(40, 25)
        const resumed = yield* runProjection(auditProjection, store, checkpoints, { batchSize: 5 })
        const fresh = yield* catchUpProjection(auditProjection, store)
        const queuesResumed = yield* runProjection(queuesProjection, store, checkpoints, { batchSize: 3 })
        const live = yield* Effect.flatMap(Ledger, (ledger) => ledger.view)
        return { firstRun, saved, resumed, fresh, queuesResumed, live, head: yield* store.headPosition }
      }),
    )
    expect(result.saved?.checkpoint).toBe(result.firstRun.checkpoint)
    expect(result.resumed.checkpoint).toBe(result.head)
    expect(auditProjection.toJSON(result.resumed.state)).toEqual(auditProjection.toJSON(result.fresh.state))
    expect(queuesProjection.toJSON(result.queuesResumed.state)).toEqual(queuesProjection.toJSON(result.live))
  })

  it("in follow mode folds live appends as they come and saves each batch", async () => {
    const checkpoints = makeMemoryProjectionCheckpoints()
    const result = await withLedger(
      Effect.gen(function* () {
        const store = yield* EventStore
        yield* recordSome(0, 10)
        const follower = yield* Effect.forkChild(
          runProjection(auditProjection, store, checkpoints, { batchSize: 4, follow: true }),
        )
        // Until the follower's save reaches `position` (it never ends by itself).
        const savedUpTo = (position: number) =>
          Effect.gen(function* () {
            while ((yield* checkpoints.load("audit"))?.checkpoint !== position)
              yield* Effect.sleep("5 millis")
          })
        yield* savedUpTo(yield* store.headPosition)
        // Appended after the follower reached the head: only a live subscription sees them.
        yield* recordSome(10, 15)
        const head = yield* store.headPosition
        yield* savedUpTo(head)
        yield* Fiber.interrupt(follower)
        const saved = yield* checkpoints.load("audit")
        const fresh = yield* catchUpProjection(auditProjection, store)
        return { saved, fresh, head }
      }),
    )
    expect(result.saved?.checkpoint).toBe(result.head)
    expect(result.saved?.state).toEqual(auditProjection.toJSON(result.fresh.state))
  })

  it("refuses to save over a checkpoint another runner moved", async () => {
    const checkpoints = makeMemoryProjectionCheckpoints()
    await Effect.runPromise(checkpoints.save("audit", { checkpoint: 5, state: {} }, undefined))
    const stale = await Effect.runPromise(checkpoints.save("audit", { checkpoint: 9, state: {} }, 3))
    expect(stale).toBe(false)
  })
})
