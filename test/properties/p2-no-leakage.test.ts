/**
 * P2, no cross-agent leakage (domain.md §8): under per-sender scope an event from agent A's work
 * never lands in agent B's queue, never wakes agent B, and is never consumed by B's heartbeat.
 * Judged on the log alone; holds under both routings (legacy strands, but it does not leak).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { fixedRouting, type Routing, type RoutingName } from "../../domain/routing.ts"
import { buildAgentMainSessionKey, isCronRunSessionKey } from "../../domain/session-key.ts"
import { agentOfKey, checkNoLeakage } from "./checkers.ts"
import { assertProperty } from "./harness.ts"
import { CANONICAL_AGENTS, describeWorkload, runWorkload, type Workload, workloadArb } from "./workload.ts"

const P2_RUNS = 150
const BROKEN_RUNS = 100

async function p2Violations(workload: Workload, routing: RoutingName): Promise<string[]> {
  const trace = await runWorkload(workload, { routing, finalDrain: false })
  return checkNoLeakage(trace.env.store)
}

const p2Property = fc.asyncProperty(
  workloadArb(),
  fc.constantFrom<RoutingName>("fixed", "legacy"),
  async (workload, routing) => {
    const violations = await p2Violations(workload, routing)
    if (violations.length > 0) throw new Error(violations.join("\n"))
  },
)

/** The agent after `agentId` among the canonical ones: where the broken routing sends its events. */
const neighbourOf = (agentId: string): string =>
  CANONICAL_AGENTS[(CANONICAL_AGENTS.indexOf(agentId as (typeof CANONICAL_AGENTS)[number]) + 1) % 3] ?? "main"

/**
 * Runs `body` while the fixed routing is replaced by a broken one that sends per-sender cron-run
 * events to the neighbour agent's main queue and wakes that agent. Restored afterwards.
 */
async function withCrossAgentRouting<A>(body: () => Promise<A>): Promise<A> {
  const routing = fixedRouting as { -readonly [K in keyof Routing]: Routing[K] }
  const { queueKey, wakeTarget } = routing
  const misdirect = (origin: string, scope: string | undefined) => {
    const agent = agentOfKey(origin)
    return agent !== undefined && scope !== "global" && isCronRunSessionKey(origin)
      ? neighbourOf(agent)
      : undefined
  }
  routing.queueKey = (origin, mainKey, scope) => {
    const other = misdirect(origin, scope)
    return other === undefined
      ? queueKey(origin, mainKey, scope)
      : buildAgentMainSessionKey({ agentId: other, mainKey })
  }
  routing.wakeTarget = (origin, mainKey, scope) => {
    const other = misdirect(origin, scope)
    return other === undefined
      ? wakeTarget(origin, mainKey, scope)
      : { sessionKey: buildAgentMainSessionKey({ agentId: other, mainKey }) }
  }
  try {
    return await body()
  } finally {
    routing.queueKey = queueKey
    routing.wakeTarget = wakeTarget
  }
}

describe("P2 no cross-agent leakage", () => {
  it("holds: per-sender events stay in their agent's queues and wake only their agent", async () => {
    await assertProperty("P2 no leakage", p2Property, { numRuns: P2_RUNS })
  })

  it("can fail: a routing that sends cron-run events to another agent is caught", async () => {
    const details = await withCrossAgentRouting(() =>
      fc.check(p2Property, { numRuns: BROKEN_RUNS, seed: 2002 }),
    )
    expect(details.failed).toBe(true)
    const [workload, routing] = details.counterexample ?? []
    if (workload === undefined || routing === undefined) throw new Error("no counterexample")
    const violations = await withCrossAgentRouting(() => p2Violations(workload, routing))
    console.log(
      `P2 with a cross-agent routing: caught after ${details.numRuns} runs (${details.numShrinks} shrinks)\n` +
        `${describeWorkload(workload)}\n${violations.map((v) => `  - ${v}`).join("\n")}`,
    )
    expect(violations.some((v) => v.includes("lands in"))).toBe(true)
    expect(violations.some((v) => v.includes("wake"))).toBe(true)
    // And the real routing is back in place.
    expect(await p2Violations(workload, routing)).toEqual([])
  })
})
