/**
 * P4, replay (domain.md §8 "replaying the log reproduces the same queues"): a full replay from
 * scratch equals the incremental projection fed the log in random batches — with JSON checkpoints
 * between batches and records delivered again after a checkpoint — for the audit and the queues
 * projections; and the replayed queues equal the live ledger's view.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { LedgerView } from "../../application/ledger-view.ts"
import { type AuditState, auditProjection } from "../../application/projections/audit.ts"
import type { Projection } from "../../application/projections/projection.ts"
import { queuesProjection } from "../../application/projections/queues.ts"
import type { RoutingName } from "../../domain/routing.ts"
import { type Batch, checkReplay } from "./checkers.ts"
import { assertProperty, readAllRecords, run } from "./harness.ts"
import { runWorkload, type Workload, workloadArb } from "./workload.ts"

const P4_RUNS = 120
const BROKEN_RUNS = 60

const batchesArb: fc.Arbitrary<Batch[]> = fc.array(
  fc.record({ size: fc.integer({ min: 1, max: 40 }), redeliver: fc.nat({ max: 5 }) }),
  { minLength: 1, maxLength: 8 },
)

async function p4Violations(
  workload: Workload,
  routing: RoutingName,
  batches: ReadonlyArray<Batch>,
  audit: Projection<AuditState> = auditProjection,
  queues: Projection<LedgerView> = queuesProjection,
): Promise<string[]> {
  const trace = await runWorkload(workload, { routing, finalDrain: true })
  const { store, ledger } = trace.env
  const records = await readAllRecords(store)
  return [
    ...(await checkReplay(audit, store, records, batches)),
    ...(await checkReplay(queues, store, records, batches, await run(ledger.view))),
  ]
}

const p4Property = (audit?: Projection<AuditState>, queues?: Projection<LedgerView>) =>
  fc.asyncProperty(
    workloadArb(),
    fc.constantFrom<RoutingName>("fixed", "legacy"),
    batchesArb,
    async (workload, routing, batches) => {
      const violations = await p4Violations(workload, routing, batches, audit, queues)
      if (violations.length > 0) throw new Error(violations.join("\n"))
    },
  )

/** A queues projection that forgets evictions: its queues keep events the cap pushed out. */
const queuesDroppingEvictions: Projection<LedgerView> = {
  ...queuesProjection,
  name: "queues-dropping-evictions",
  evolve: (view, event, record) => {
    if (event._tag !== "SystemEventEvicted") return queuesProjection.evolve(view, event, record)
    view.position = Math.max(view.position, record.position)
    view.revisions.set(record.streamId, record.revision)
    return view
  },
}

/** An audit whose checkpoints lose the depth series (a field forgotten in fromJSON). */
const auditLosingDepthOnCheckpoint: Projection<AuditState> = {
  ...auditProjection,
  name: "audit-losing-depth",
  fromJSON: (json) => {
    const state = auditProjection.fromJSON(json)
    state.depth.clear()
    for (const tally of state.tallies.values()) tally.depth = 0
    return state
  },
}

describe("P4 replay", () => {
  it("holds: full replay = incremental with checkpoints = the live ledger's queues", async () => {
    await assertProperty("P4 replay", p4Property(), { numRuns: P4_RUNS })
  })

  it("can fail: a queues projection that drops evictions no longer reproduces the live queues", async () => {
    const details = await fc.check(p4Property(undefined, queuesDroppingEvictions), {
      numRuns: BROKEN_RUNS,
      seed: 4004,
    })
    expect(details.failed).toBe(true)
    const [workload, routing, batches] = details.counterexample ?? []
    if (workload === undefined || routing === undefined || batches === undefined)
      throw new Error("no counterexample")
    const violations = await p4Violations(
      workload,
      routing,
      batches,
      auditProjection,
      queuesDroppingEvictions,
    )
    console.log(`P4 with a queues projection dropping evictions: ${violations.join("; ")}`)
    expect(violations).toContain("queues-dropping-evictions: a full replay differs from the live state")
  })

  it("can fail: an audit whose checkpoints lose a field differs from a full replay", async () => {
    const details = await fc.check(p4Property(auditLosingDepthOnCheckpoint), {
      numRuns: BROKEN_RUNS,
      seed: 4005,
    })
    expect(details.failed).toBe(true)
    const [workload, routing, batches] = details.counterexample ?? []
    if (workload === undefined || routing === undefined || batches === undefined)
      throw new Error("no counterexample")
    const violations = await p4Violations(workload, routing, batches, auditLosingDepthOnCheckpoint)
    console.log(`P4 with an audit losing depth on checkpoints: ${violations.join("; ")}`)
    expect(violations).toContain("audit-losing-depth: the incremental projection differs from a full replay")
  })
})
