/**
 * P3, accounting (domain.md §8): every enqueue attempt ends in exactly one outcome — rejected
 * with a reason, or accepted and then consumed, evicted by the cap, pruned, still pending or
 * stranded — and the counts add up, per agent and in total. The audit report is compared with an
 * independent reference recomputed from the ledger's return values with plain arrays.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type AuditState, auditProjection } from "../../application/projections/audit.ts"
import type { Projection } from "../../application/projections/projection.ts"
import type { RoutingName } from "../../domain/routing.ts"
import { checkAccounting } from "./checkers.ts"
import { assertProperty, auditOf, run } from "./harness.ts"
import { describeWorkload, runWorkload, type Workload, workloadArb } from "./workload.ts"

const P3_RUNS = 200
const BROKEN_RUNS = 100

async function p3Violations(
  workload: Workload,
  routing: RoutingName,
  finalDrain: boolean,
  projection?: Projection<AuditState>,
): Promise<string[]> {
  const trace = await runWorkload(workload, { routing, finalDrain })
  const report = await auditOf(trace.env.store, projection)
  return checkAccounting(trace, report, await run(trace.env.ledger.view))
}

const p3Property = (projection?: Projection<AuditState>) =>
  fc.asyncProperty(
    workloadArb(),
    fc.constantFrom<RoutingName>("fixed", "legacy"),
    fc.boolean(),
    async (workload, routing, finalDrain) => {
      const violations = await p3Violations(workload, routing, finalDrain, projection)
      if (violations.length > 0) throw new Error(violations.join("\n"))
    },
  )

/** An audit that forgets evictions: evicted events stay "queued" in its books. */
const auditDroppingEvictions: Projection<AuditState> = {
  ...auditProjection,
  name: "audit-dropping-evictions",
  evolve: (state, event, record) =>
    event._tag === "SystemEventEvicted" ? state : auditProjection.evolve(state, event, record),
}

describe("P3 accounting", () => {
  it("holds: one fate per attempt, the counts add up and match an independent reference", async () => {
    await assertProperty("P3 accounting", p3Property(), { numRuns: P3_RUNS })
  })

  it("can fail: an audit projection that drops evictions is caught", async () => {
    const details = await fc.check(p3Property(auditDroppingEvictions), { numRuns: BROKEN_RUNS, seed: 3003 })
    expect(details.failed).toBe(true)
    const [workload, routing, finalDrain] = details.counterexample ?? []
    if (workload === undefined || routing === undefined || finalDrain === undefined)
      throw new Error("no counterexample")
    const violations = await p3Violations(workload, routing, finalDrain, auditDroppingEvictions)
    console.log(
      `P3 with an audit that drops evictions: caught after ${details.numRuns} runs (${details.numShrinks} shrinks)\n` +
        `${describeWorkload(workload)}\n${violations.map((v) => `  - ${v}`).join("\n")}`,
    )
    expect(violations.some((v) => v.includes("evicted"))).toBe(true)
    expect(await p3Violations(workload, routing, finalDrain)).toEqual([])
  })
})
