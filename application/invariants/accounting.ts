/**
 * "Every attempt has exactly one fate" (domain.md §8, accounting). Two independent checks: the
 * audit's counts add up per agent (attempts = accepted + rejected; accepted = consumed + evicted
 * + pruned + pending + stranded), and the log's own facts allow one fate per attempt — each
 * attempt id is recorded once, and every consume, eviction and prune names an event that is
 * queued in that very queue (so never one rejected, unknown, or already gone: no event is
 * consumed twice, or consumed after it was evicted or pruned). The counts alone could never
 * fail: they are sums of one fold.
 */
import type { AgentReport } from "../projections/audit.ts"
import { type Invariant, invariantOf, Violations } from "./invariant.ts"
import type { LogFacts } from "./log-facts.ts"

const unbalanced = (agents: ReadonlyArray<AgentReport>): ReadonlyArray<AgentReport> =>
  agents.filter(
    (agent) =>
      agent.attempts !== agent.accepted + agent.rejected ||
      agent.accepted !== agent.consumed + agent.evicted + agent.pruned + agent.pending + agent.stranded,
  )

export function judgeAccounting(agents: ReadonlyArray<AgentReport>, facts: LogFacts): Invariant {
  const sums = new Violations()
  const off = unbalanced(agents)
  for (const agent of off) {
    sums.add({
      reason: `agent ${agent.agentId}: attempts ${agent.attempts}, accepted ${agent.accepted}, rejected ${agent.rejected}; consumed ${agent.consumed} + evicted ${agent.evicted} + pruned ${agent.pruned} + pending ${agent.pending} + stranded ${agent.stranded}`,
    })
  }
  const logFacts = facts.repeatedAttempts.count + facts.fates.count
  return invariantOf(
    "accounting",
    [sums, facts.repeatedAttempts, facts.fates],
    "every attempt has exactly one fate",
    () =>
      [
        off.length === 0
          ? undefined
          : `fates do not add up for ${off.map((agent) => agent.agentId).join(", ")}`,
        logFacts === 0
          ? undefined
          : `${logFacts} recorded fact(s) break one fate per attempt, e.g. ${(facts.repeatedAttempts.first ?? facts.fates.first)?.reason}`,
      ]
        .filter((part) => part !== undefined)
        .join("; "),
  )
}
