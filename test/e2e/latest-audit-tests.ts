/**
 * The audit of the latest release's gateway store (issue 13): every observed enqueue has one
 * fate, the injected events were shown, nothing lost; what the release did that our model of it
 * does not cover is listed as divergences — printed, so that a CI log shows the list that is
 * the next piece of work — and the exit code says whether there were any.
 */
import { expect, it } from "vitest"
import { auditObservedStore } from "./observed-audit-cli.ts"
import type { ObservedGateway } from "./observed-gateway.ts"

export function latestAuditTests(gateway: () => ObservedGateway): void {
  it("heartbeat-ledger audit --store <the gateway's store> accounts for every observed event and lists its divergences", async () => {
    const { result, where, observed, fateOf } = await auditObservedStore(gateway())
    const version = gateway().gateway.version
    for (const text of [`e2e ${version} first`, `e2e ${version} second`])
      expect(fateOf(text), where).toEqual(["shown"])
    const divergences = observed?.divergences ?? []
    const findings = divergences.length + (observed?.totals.stranded ?? 0)
    expect(result.code, where).toBe(findings > 0 ? 1 : 0)
    console.log(
      `e2e openclaw@${version}: ${divergences.length} divergence(s) from our model${divergences
        .map((divergence) => `\n  ${divergence.kind} ${divergence.sessionKey}: ${divergence.detail}`)
        .join("")}`,
    )
  }, 60_000)
}
