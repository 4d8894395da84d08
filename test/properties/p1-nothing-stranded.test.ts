/**
 * P1, nothing stranded (domain.md §8): every event whose origin is a cron-run key (or a
 * descendant) is enqueued into the queue its agent's heartbeat drains under the policy captured
 * at the work's start, its wake reaches that agent, and after the final heartbeats none is left.
 * It holds under the fixed routing and must fail — with a small counterexample — under legacy.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { RoutingName } from "../../domain/routing.ts"
import { checkNothingStranded } from "./checkers.ts"
import { assertProperty, auditOf } from "./harness.ts"
import {
  CRON_KINDS,
  describeAttempts,
  describeWorkload,
  runWorkload,
  type Workload,
  type WorkloadConstraints,
  workloadArb,
} from "./workload.ts"

const P1_RUNS = 200
const P1_CRON_ONLY_RUNS = 100
const LEGACY_RUNS = 200
const POLICY_AT_END_RUNS = 200

/** Runs a workload and returns P1's violations (empty when it holds). */
async function p1Violations(
  workload: Workload,
  routing: RoutingName,
  cronOnly: boolean,
  policyAtEnd = false,
): Promise<string[]> {
  const trace = await runWorkload(workload, { routing, finalDrain: true, policyAtEnd })
  const report = await auditOf(trace.env.store)
  const violations = checkNothingStranded(trace, report)
  // With only cron-run work, every accepted event is one P1 speaks of: the whole report is clean.
  if (cronOnly && (report.totals.stranded !== 0 || report.totals.pending !== 0)) {
    violations.push(
      `cron-only workload: ${report.totals.stranded} stranded, ${report.totals.pending} pending at the end`,
    )
  }
  return violations
}

const p1Property = (routing: RoutingName, constraints: WorkloadConstraints = {}, policyAtEnd = false) =>
  fc.asyncProperty(workloadArb(constraints), async (workload) => {
    const violations = await p1Violations(workload, routing, constraints.kinds !== undefined, policyAtEnd)
    if (violations.length > 0) throw new Error(violations.join("\n"))
  })

describe("P1 nothing stranded", () => {
  it("holds under the fixed routing (every source, every key shape, config changes, prunes)", async () => {
    await assertProperty("P1 fixed, all key shapes", p1Property("fixed"), { numRuns: P1_RUNS })
  })

  it("holds under the fixed routing with only cron-run work: totals.stranded === 0 and nothing pending", async () => {
    await assertProperty("P1 fixed, cron-run work only", p1Property("fixed", { kinds: CRON_KINDS }), {
      numRuns: P1_CRON_ONLY_RUNS,
    })
  })

  it("fails under the legacy routing, and fast-check shrinks it to a small counterexample", async () => {
    const started = performance.now()
    const details = await fc.check(p1Property("legacy"), { numRuns: LEGACY_RUNS })
    const ms = Math.round(performance.now() - started)
    expect(details.failed).toBe(true)
    const [workload] = details.counterexample ?? []
    if (workload === undefined) throw new Error("fast-check reported a failure without a counterexample")
    const trace = await runWorkload(workload, { routing: "legacy", finalDrain: true })
    const violations = await p1Violations(workload, "legacy", false)
    console.log(
      [
        `P1 legacy: counterexample after ${details.numRuns} runs and ${details.numShrinks} shrinks in ${ms} ms (seed ${details.seed}, path ${details.counterexamplePath})`,
        "workload:",
        describeWorkload(workload),
        "source calls:",
        describeAttempts(trace),
        "violations:",
        ...violations.map((violation) => `  - ${violation}`),
      ].join("\n"),
    )
    expect(violations.length).toBeGreaterThan(0)
    expect(trace.attempts.length).toBeGreaterThanOrEqual(1)
    expect(trace.attempts.length).toBeLessThanOrEqual(3)
    // The very same workload is fine under the fixed routing: the routing is what strands.
    expect(await p1Violations(workload, "fixed", false)).toEqual([])
  })

  it("can also fail under the fixed routing when a source routes by the config at its end, not its start", async () => {
    const details = await fc.check(p1Property("fixed", { kinds: CRON_KINDS }, true), {
      numRuns: POLICY_AT_END_RUNS,
      seed: 1001,
    })
    expect(details.failed).toBe(true)
    const [workload] = details.counterexample ?? []
    if (workload === undefined) throw new Error("no counterexample")
    const violations = await p1Violations(workload, "fixed", true, true)
    console.log(
      `P1 with the policy read at the work's end: caught after ${details.numRuns} runs (${details.numShrinks} shrinks)\n` +
        `${describeWorkload(workload)}\n${violations.map((v) => `  - ${v}`).join("\n")}`,
    )
    expect(violations.some((v) => v.includes("under the captured policy"))).toBe(true)
    expect(await p1Violations(workload, "fixed", true)).toEqual([])
  })
})
