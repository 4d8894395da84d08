import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { Effect, Layer, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { EventStore } from "../../application/event-store.ts"
import { layerLedger } from "../../application/ledger.ts"
import type { LedgerEvent } from "../../domain/events.ts"
import { decodedEvents } from "../../infrastructure/cli/audit/replay-audit.ts"
import { freshDemoStoreUrl } from "../../infrastructure/cli/commands/demo.ts"
import { recordGatewayDay } from "../../infrastructure/cli/demo/gateway-day.ts"
import { layerSeededIds } from "../../infrastructure/ids.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { runCli, tempDir } from "./cli-harness.ts"

const recordDay = (seed: number) => {
  const store = makeMemoryEventStore({ now: () => 0 })
  const layer = Layer.provideMerge(
    layerLedger,
    Layer.merge(Layer.succeed(EventStore, store), layerSeededIds(seed)),
  )
  return Effect.runPromise(
    Effect.gen(function* () {
      const summary = yield* recordGatewayDay({ agents: 4, runs: 6, seed })
      const events = yield* Stream.runCollect(decodedEvents(store))
      return { summary, events: [...events] as LedgerEvent[] }
    }).pipe(Effect.provide(layer)),
  )
}

describe("the demo gateway day (in process)", () => {
  it("is deterministic: one seed, one log", async () => {
    const [a, b, c] = await Promise.all([recordDay(7), recordDay(7), recordDay(8)])
    expect(a.events).toEqual(b.events)
    expect(a.events).not.toEqual(c.events)
  })

  it("covers every source, both scopes, config changes mid-work, busy retries and pruning", async () => {
    const { events, summary } = await recordDay(42)
    const attempts = events.filter(
      (e): e is Extract<LedgerEvent, { _tag: "SystemEventEnqueued" | "SystemEventRejected" }> =>
        e._tag === "SystemEventEnqueued" || e._tag === "SystemEventRejected",
    )
    expect(new Set(attempts.map((e) => e.provenance.source))).toEqual(
      new Set([
        "exec-exit",
        "exec-notice",
        "acp-relay",
        "cli-watchdog",
        "node-event",
        "cron",
        "hook",
        "task",
        "api",
      ]),
    )
    expect(new Set(attempts.map((e) => e._tag === "SystemEventRejected" && e.reason))).toEqual(
      new Set([false, "blank-text", "duplicate", "missing-session-key"]),
    )
    expect(attempts.some((e) => e.provenance.policy.scope === "global")).toBe(true)
    expect(attempts.some((e) => /:run:[^:]+:subagent:/.test(e.provenance.origin))).toBe(true)
    expect(attempts.some((e) => /:run:[^:]+:thread:/.test(e.provenance.origin))).toBe(true)
    // Work that started before ops was reconfigured ends after it, with the old mainKey.
    const renamedAt = events.find(
      (e) => e._tag === "AgentConfigured" && e.agentId === "ops" && e.mainKey === "Desk",
    )
    expect(renamedAt).toBeDefined()
    expect(
      attempts.some(
        (e) => e.provenance.policy.mainKey === "Work" && renamedAt !== undefined && e.at > renamedAt.at,
      ),
    ).toBe(true)
    const skip = events.find((e) => e._tag === "HeartbeatWakeSkipped" && e.retryAt !== undefined)
    expect(skip).toBeDefined()
    expect(
      events.some(
        (e) =>
          e._tag === "HeartbeatRan" && skip?._tag === "HeartbeatWakeSkipped" && e.at >= (skip.retryAt ?? 0),
      ),
    ).toBe(true)
    expect(events.some((e) => e._tag === "SystemEventEvicted")).toBe(true)
    expect(
      events.some((e) => e._tag === "SessionsPruned" && e.sessions.some((s) => s.lostEventIds.length > 0)),
    ).toBe(true)
    expect(summary.configChanges).toBe(2)
  })

  it("names a fresh SQLite file under .heartbeat-ledger/ and never reuses one", () => {
    const now = new Date("2026-01-02T03:04:05Z")
    expect(freshDemoStoreUrl(now, () => false)).toBe("sqlite:.heartbeat-ledger/demo-20260102-030405.db")
    const taken = new Set([".heartbeat-ledger/demo-20260102-030405.db"])
    expect(freshDemoStoreUrl(now, (path) => taken.has(path))).toBe(
      "sqlite:.heartbeat-ledger/demo-20260102-030405-2.db",
    )
  })
})

describe("heartbeat-ledger demo", () => {
  it("records into a new SQLite file, audits it clean and shows what legacy routing strands", async () => {
    const cwd = tempDir()
    const result = await runCli(["demo", "--agents", "3", "--runs", "3"], { cwd })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /Recorded a gateway day into sqlite:\.heartbeat-ledger\/demo-\d{8}-\d{6}\.db/,
    )
    const files = readdirSync(join(cwd, ".heartbeat-ledger")).filter((name) => name.endsWith(".db"))
    expect(files).toHaveLength(1)
    expect(result.stdout).toContain("Stranded events: none")
    expect(result.stdout).toContain("✓ accounting")
    const wouldStrand = /Would have been stranded under legacy routing: (\d+)/.exec(result.stdout)
    expect(Number(wouldStrand?.[1])).toBeGreaterThan(0)

    // The store is not empty any more: a second demo into it is refused.
    const again = await runCli(["demo", "--store", `sqlite:.heartbeat-ledger/${files[0]}`], { cwd })
    expect(again.code).toBe(2)
    expect(again.stderr).toContain("records into an empty store")
  })

  it("prints the same day twice for one seed", async () => {
    const args = ["demo", "--agents", "2", "--runs", "2", "--seed", "9", "--store", "memory:"]
    const [a, b] = await Promise.all([runCli(args), runCli(args)])
    expect(a.code).toBe(0)
    expect(a.stdout).toBe(b.stdout)
  })

  it("refuses bad sizes with exit 2", async () => {
    const [zero, word] = await Promise.all([
      runCli(["demo", "--agents", "0", "--store", "memory:"]),
      runCli(["demo", "--runs", "many", "--store", "memory:"]),
    ])
    expect(zero.code).toBe(2)
    expect(zero.stderr).toContain("--agents must be a whole number from 1 to 50")
    expect(word.code).toBe(2)
    expect(existsSync(".heartbeat-ledger/many")).toBe(false)
  })

  it("--help shows each size flag's range and default; out of range is exit 2 naming the range", async () => {
    const help = await runCli(["demo", "--help"])
    expect(help.stdout).toMatch(/--agents integer\s+How many agents: 1 to 50 \(default 5\)/)
    expect(help.stdout).toMatch(/--runs integer\s+Cron runs per agent over the day: 0 to 500 \(default 24\)/)
    expect(help.stdout).toMatch(/--seed integer\s+.*: 0 to 4,294,967,295 \(default 42\)/)
    const tooMany = await runCli(["demo", "--runs", "5000", "--store", "memory:"])
    expect(tooMany.code).toBe(2)
    expect(tooMany.stderr).toContain("--runs must be a whole number from 0 to 500, not 5,000")
    expect(tooMany.stdout).toBe("")
  })
})
