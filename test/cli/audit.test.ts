import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import type { AuditDocument } from "../../infrastructure/cli/audit/audit-document.ts"
import { FIXTURE, runCli, sqliteIn, tempDir } from "./cli-harness.ts"

const TOTALS = ["attempts", "accepted", "rejected", "consumed", "pending", "evicted", "pruned", "stranded"]

describe("heartbeat-ledger audit", () => {
  let store = ""
  beforeAll(async () => {
    store = sqliteIn(tempDir())
    const imported = await runCli(["import", FIXTURE, "--store", store])
    expect(imported.code).toBe(0)
  })

  it("prints per agent the drained queue, every fate, latency by source, and exits 0 when clean", async () => {
    const result = await runCli(["audit", "--store", store])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/ops\s+agent:ops:work\s+3\s+2\s+0\s+1\s+0\s+2\s+0\s+0\s+0\s+0/)
    expect(result.stdout).toMatch(/research\s+global\s/)
    expect(result.stdout).toMatch(/ops\s+exec-exit\s+1\s+1\.0s\s+1\.0s\s+1\.0s/)
    expect(result.stdout).toContain("Stranded events: none")
    expect(result.stdout).not.toContain("\u001b[")
  })

  it("--json prints one document with the totals and the agents", async () => {
    const result = await runCli(["audit", "--json", "--store", store])
    expect(result.code).toBe(0)
    const document = JSON.parse(result.stdout) as AuditDocument
    expect(Object.keys(document.totals).sort()).toEqual([...TOTALS].sort())
    expect(document.totals).toMatchObject({
      attempts: 11,
      accepted: 10,
      rejected: 1,
      consumed: 10,
      stranded: 0,
    })
    expect(document.agents.map((agent) => agent.agentId)).toEqual(["main", "ops", "research"])
    expect(document.agents.find((agent) => agent.agentId === "research")?.drains).toEqual(["global"])
    expect(document.invariants.every((check) => check.holds)).toBe(true)
  })

  it("--routing legacy re-routes the recorded work: stranded events where fixed routing has none, exit 1", async () => {
    const result = await runCli(["audit", "--routing", "legacy", "--json", "--store", store])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("2 stranded events, 0 violated invariants")
    const document = JSON.parse(result.stdout) as AuditDocument
    expect(document.routing).toBe("legacy")
    expect(document.recorded?.totals.stranded).toBe(0)
    expect(document.totals.stranded).toBe(2)
    expect(document.stranded.map((event) => event.origin)).toEqual([
      "agent:ops:cron:nightly-backup:run:r1:subagent:worker",
      "agent:main:cron:inbox-sweep:run:r2:thread:reply",
    ])
    // The run key itself is pruned by the legacy reaper; its descendants are not (legacy rule).
    expect(document.totals.pruned).toBeGreaterThan(0)
  })

  it("--agent narrows the report to one agent; an unknown agent is bad input", async () => {
    const [ops, nobody] = await Promise.all([
      runCli(["audit", "--agent", "OPS", "--json", "--store", store]),
      runCli(["audit", "--agent", "nobody", "--store", store]),
    ])
    expect(ops.code).toBe(0)
    const document = JSON.parse(ops.stdout) as AuditDocument
    expect(document.agents.map((agent) => agent.agentId)).toEqual(["ops"])
    expect(document.totals.attempts).toBe(3)
    expect(nobody.code).toBe(2)
    expect(nobody.stderr).toContain('no agent "nobody"')
  })

  it("exits 1 when the recorded queues strand events", async () => {
    const dir = tempDir()
    const file = join(dir, "raw.jsonl")
    // The low-level queue API never remaps: this lands in the cron run's own queue, never drained.
    writeFileSync(
      file,
      `${JSON.stringify({ at: "2025-06-02T01:00:00Z", source: "api", sessionKey: "agent:ops:cron:j:run:r9", text: "usage-meter: 12 tokens" })}\n`,
    )
    const target = sqliteIn(dir)
    expect((await runCli(["import", file, "--store", target])).code).toBe(0)
    const result = await runCli(["audit", "--store", target])
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/Stranded events: 1/)
    expect(result.stdout).toContain("agent:ops:cron:j:run:r9")
    expect(result.stderr).toContain("1 stranded event, 0 violated invariants")
  })

  it("refuses bad usage with exit 2", async () => {
    const [routing, url, unknown] = await Promise.all([
      runCli(["audit", "--routing", "sideways", "--store", store]),
      runCli(["audit", "--store", "ftp://nowhere"]),
      runCli(["frobnicate"]),
    ])
    expect(routing.code).toBe(2)
    expect(routing.stdout + routing.stderr).toContain("sideways")
    expect(url.code).toBe(2)
    expect(url.stderr).toContain("unknown scheme")
    expect(unknown.code).toBe(2)
  })

  it("every command takes --store and --help", async () => {
    const commands = [["demo"], ["audit"], ["import"], ["export"], ["inspect", "queue"], ["inspect", "event"]]
    const results = await Promise.all(commands.map((command) => runCli([...command, "--help"])))
    for (const result of results) {
      expect(result.code).toBe(0)
      expect(result.stdout).toContain("--store")
    }
  })
})
