/**
 * The audit of the latest release's gateway store (issue 13): every observed enqueue has one
 * fate, the injected events were shown, nothing lost; what the release did that our model of it
 * does not cover is listed as divergences — printed, so that a CI log shows the list that is
 * the next piece of work — and the exit code says whether there were any.
 */
import { expect, it } from "vitest"
import type { AuditDocument } from "../../infrastructure/cli/audit/audit-document.ts"
import { runCli } from "../cli/cli-harness.ts"
import type { ObservedGateway } from "./observed-gateway.ts"
import { readObserved } from "./observed-store.ts"

export function latestAuditTests(gateway: () => ObservedGateway): void {
  it("heartbeat-ledger audit --store <the gateway's store> accounts for every observed event and lists its divergences", async () => {
    const facts = await readObserved(gateway().storeUrl)
    const result = await runCli(["audit", "--json", "--store", gateway().storeUrl])
    const where = `${result.stderr}\n${result.stdout}`
    const observed = (JSON.parse(result.stdout) as AuditDocument).observed
    expect(observed, where).toBeDefined()
    const events = observed?.events ?? []
    const enqueued = facts.flatMap((fact) => (fact._tag === "ObservedEnqueued" ? [fact.observationId] : []))
    expect(events.map((event) => event.observationId).sort(), where).toEqual([...enqueued].sort())
    expect(observed?.totals.lost, where).toBe(0)
    const version = gateway().gateway.version
    for (const text of [`e2e ${version} first`, `e2e ${version} second`])
      expect(
        events.filter((event) => event.text.endsWith(text)).map((event) => event.fate),
        where,
      ).toEqual(["shown"])
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
