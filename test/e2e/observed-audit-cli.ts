/**
 * `heartbeat-ledger audit --json --store <the gateway's store>`, run as an operator runs it, and
 * the account every e2e audit must give: each observed enqueue exactly one fate, nothing lost.
 */
import { expect } from "vitest"
import type { AuditDocument } from "../../infrastructure/cli/audit/audit-document.ts"
import { runCli } from "../cli/cli-harness.ts"
import type { ObservedGateway } from "./observed-gateway.ts"
import { readObserved } from "./observed-store.ts"

export async function auditObservedStore(gateway: ObservedGateway) {
  const facts = await readObserved(gateway.storeUrl)
  const result = await runCli(["audit", "--json", "--store", gateway.storeUrl])
  const where = `${result.stderr}\n${result.stdout}`
  const observed = (JSON.parse(result.stdout) as AuditDocument).observed
  expect(observed, where).toBeDefined()
  const events = observed?.events ?? []
  const enqueued = facts.flatMap((fact) => (fact._tag === "ObservedEnqueued" ? [fact.observationId] : []))
  expect(events.map((event) => event.observationId).sort(), where).toEqual([...enqueued].sort())
  expect(observed?.totals.lost, where).toBe(0)
  const fateOf = (ending: string) =>
    events.filter((event) => event.text.endsWith(ending)).map((event) => event.fate)
  return { result, where, observed, events, fateOf }
}
