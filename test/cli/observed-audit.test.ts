/**
 * `heartbeat-ledger audit` of observed stores, through the real CLI on SQLite: a plugin's own
 * file (observed facts only) and a shared store (the ledger's events and observed facts) —
 * every fate, the stranded 2026.5.7 cron-run completion (exit 1), the shown 2026.5.12 one
 * (exit 0; its legacy what-if exit 1), a diverging gateway (exit 1), the text and HTML
 * renderings; and `export --redact`: no original text in it, and the audit of its import
 * gives the same fates.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import type { AuditDocument } from "../../infrastructure/cli/audit/audit-document.ts"
import {
  CRON_RUN,
  consumedOn2026_5_12,
  divergingOn2026_5_7,
  everyFateOn2026_5_7,
  MAIN,
  writeObserved,
} from "../application/observed-logs.ts"
import { FIXTURE, runCli, sqliteIn, tempDir } from "./cli-harness.ts"

type Observed = NonNullable<AuditDocument["observed"]>

const auditJson = async (store: string, ...flags: string[]) => {
  const result = await runCli(["audit", "--json", "--store", store, ...flags])
  const document = JSON.parse(result.stdout) as AuditDocument
  return { code: result.code, stderr: result.stderr, document, observed: document.observed as Observed }
}
const fates = (observed: Observed) =>
  Object.fromEntries(observed.events.map((event) => [event.observationId, event.fate]))

describe("heartbeat-ledger audit of an observed store", () => {
  const dir = tempDir()
  const everyFate = everyFateOn2026_5_7()
  const consumed = consumedOn2026_5_12()
  const diverging = divergingOn2026_5_7()
  const stores = {
    old: sqliteIn(dir, "old.db"),
    fixed: sqliteIn(dir, "fixed.db"),
    diverging: sqliteIn(dir, "diverging.db"),
    shared: sqliteIn(dir, "shared.db"),
    ledgerOnly: sqliteIn(dir, "ledger.db"),
  }
  beforeAll(async () => {
    await writeObserved(stores.old, [everyFate.script, everyFate.next])
    await writeObserved(stores.fixed, [consumed.script])
    await writeObserved(stores.diverging, [diverging.script])
    // The plugin wrote first, then the ledger recorded an import into the same store: the
    // ledger's positions come after the observed ones, and its catch-up passes over them.
    await writeObserved(stores.shared, [everyFate.script, everyFate.next])
    for (const store of [stores.shared, stores.ledgerOnly])
      expect((await runCli(["import", FIXTURE, "--store", store])).code).toBe(0)
  }, 60_000)

  it("2026.5.7: every fate, the cron run's exec completion stranded under the cron-run key, exit 1", async () => {
    const { code, stderr, observed } = await auditJson(stores.old)
    expect(code).toBe(1)
    expect(stderr).toContain("1 stranded event, 0 violated invariants")
    const { ids } = everyFate
    expect(fates(observed)).toMatchObject({
      [ids.shown as string]: "shown",
      [ids.unshown as string]: "consumed-unshown",
      [ids.evicted as string]: "evicted",
      [ids.deleted as string]: "deleted-with-session",
      [ids.lost as string]: "lost-with-gateway",
      [ids.pending as string]: "pending",
      [ids.stranded as string]: "stranded",
    })
    const stranded = observed.events.find((event) => event.fate === "stranded")
    expect(stranded).toMatchObject({
      sessionKey: CRON_RUN,
      source: "exec-exit",
      trusted: false,
      fateAt: null,
      model: { routing: "legacy", origin: CRON_RUN, originKnown: true, queueKey: CRON_RUN, drained: false },
      whatIf: { routing: "fixed", queueKey: MAIN, drained: true },
    })
    // The gateway and its next process after the restart: one observer each.
    expect(observed.observers).toEqual(
      ["gw57-1", "gw57-1b"].map((observerId) =>
        expect.objectContaining({
          observerId,
          openclawVersion: "2026.5.7",
          model: "legacy",
          queueMapReadable: true,
        }),
      ),
    )
    expect(observed.totals).toMatchObject({ enqueued: 27, stranded: 1, lostWithGateway: 21, divergences: 0 })
    expect(observed.invariants.map((check) => [check.name, check.holds])).toEqual([
      ["observed-nothing-stranded", false],
      ["observed-one-fate", true],
      ["observed-matches-model", true],
      ["observed-complete", true],
    ])
  })

  it("2026.5.12: the cron run's exec completion consumed by the main heartbeat and shown, exit 0; legacy what-if exit 1", async () => {
    const { code, observed } = await auditJson(stores.fixed)
    expect(code).toBe(0)
    expect(observed.events).toEqual([
      expect.objectContaining({
        observationId: consumed.id,
        sessionKey: MAIN,
        fate: "shown",
        shownBy: expect.objectContaining({ trigger: "heartbeat", sessionKey: MAIN }),
        latencyMs: 300,
        model: { routing: "fixed", origin: CRON_RUN, originKnown: true, queueKey: MAIN, drained: true },
        whatIf: { routing: "legacy", queueKey: CRON_RUN, drained: false },
      }),
    ])
    // An agent known only from observed facts is a known agent.
    expect((await auditJson(stores.fixed, "--agent", "main")).observed.events).toHaveLength(1)
    expect((await runCli(["audit", "--agent", "nobody", "--store", stores.fixed])).code).toBe(2)
    const legacy = await runCli(["audit", "--routing", "legacy", "--store", stores.fixed])
    expect(legacy.code).toBe(1)
    expect(legacy.stderr).toContain("1 stranded event")
    expect(legacy.stdout).toMatch(/Observed events stranded under legacy routing[^\n]*: 1/)
  })

  it("a gateway that does what our model of its release would not: the divergences with the facts around them, exit 1", async () => {
    const { code, stderr, observed } = await auditJson(stores.diverging)
    expect(code).toBe(1)
    expect(stderr).toContain("0 stranded events, 1 violated invariant")
    expect(observed.divergences.map((d) => [d.kind, d.observationId])).toEqual([
      ["unexpected-queue", diverging.misrouted],
      ["unexpected-removal", diverging.vanished],
    ])
    const around = observed.divergences[0]?.around ?? []
    expect(around.map((fact) => fact.type)).toContain("ObservedEnqueued")
    expect(
      around.find((fact) => fact.type === "ObservedLifecycle" && fact.sessionKey === CRON_RUN)?.summary,
    ).toBe("after_tool_call toolName=exec")
    const text = await runCli(["audit", "--store", stores.diverging])
    expect(text.stdout).toContain("Divergences from our model: 2")
    expect(text.stdout).toContain(`the legacy routing of this release queues it under ${CRON_RUN}`)
  })

  it("the text and HTML reports show the observed part", async () => {
    const html = join(dir, "report.html")
    const result = await runCli(["audit", "--store", stores.old, "--html", html])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain("Observed gateway")
    expect(result.stdout).toMatch(
      /main\s+agent:main:hook:burst, agent:main:main\s+27\s+1\s+1\s+1\s+1\s+21\s+1\s+1/,
    )
    expect(result.stdout).toContain("Observed stranded: 1")
    expect(result.stdout).toContain("✗ observed-nothing-stranded")
    const report = readFileSync(html, "utf8")
    expect(report).toContain("<h2>Observed stranded events (1)</h2>")
    expect(report).toContain("Exec completed (abcd1234, code 0) :: backup done")
  })

  it("a shared store: the ledger's part is that of the ledger alone, the observed part beside it", async () => {
    const shared = await auditJson(stores.shared)
    const alone = await auditJson(stores.ledgerOnly)
    expect(alone.document.observed).toBeUndefined()
    for (const key of ["totals", "agents", "stranded", "invariants"] as const)
      expect(shared.document[key]).toEqual(alone.document[key])
    expect(shared.document.events).toBe(
      alone.document.events + everyFate.script.events.length + everyFate.next.events.length,
    )
    expect(fates(shared.observed)).toEqual(fates((await auditJson(stores.old)).observed))
  })

  it("export --redact: no original text leaves, and the audit of its import gives the same fates", async () => {
    const plain = await runCli(["export", "--store", stores.shared])
    const redacted = await runCli(["export", "--redact", "--store", stores.shared])
    expect(redacted.code).toBe(0)
    const texts = new Set<string>()
    for (const line of plain.stdout.trim().split("\n")) {
      const { type, data } = JSON.parse(line) as { type: string; data: Record<string, unknown> }
      if (type === "SystemEventEnqueued" || type === "SystemEventRejected") texts.add(data.text as string)
      if (type === "ObservedEnqueued") texts.add((data.entry as { text: string }).text)
      if (type === "ObservedPromptBuilt")
        for (const line of data.shown as { text: string }[]) texts.add(line.text)
    }
    expect(texts.size).toBeGreaterThan(20)
    const kept = /^exec (completed|failed) \([^)]*\)( :: )?/i
    for (const original of texts) {
      const secret = original.replace(kept, "")
      if (secret.trim() === "") continue
      expect(redacted.stdout, original).not.toContain(JSON.stringify(secret).slice(1, -1))
    }
    expect(redacted.stdout).toMatch(/"text":"sha256:[0-9a-f]{16}"/)

    const file = join(dir, "redacted.jsonl")
    writeFileSync(file, redacted.stdout)
    const copy = sqliteIn(dir, "copy.db")
    expect((await runCli(["import", file, "--store", copy])).code).toBe(0)
    const original = await auditJson(stores.shared)
    const imported = await auditJson(copy)
    expect(imported.code).toBe(original.code)
    expect(fates(imported.observed)).toEqual(fates(original.observed))
    expect(imported.observed.totals).toEqual(original.observed.totals)
    // Shown lines still pair with their enqueues: the same event is shown by the same run.
    const shownBy = (o: Observed) => o.events.map((event) => event.shownBy?.runId ?? null)
    expect(shownBy(imported.observed)).toEqual(shownBy(original.observed))
    expect(imported.observed.events.map((e) => e.source)).toEqual(
      original.observed.events.map((e) => e.source),
    )
    for (const key of ["totals", "agents", "invariants"] as const)
      expect(imported.document[key]).toEqual(original.document[key])
  })

  it("stores recorded by the plugin in real gateways (fixtures): every injected event shown by a heartbeat, exit 0, also after a redacted round trip", async () => {
    for (const version of ["2026.5.7", "2026.5.12"]) {
      // Exported, as recorded, from the plugin's store of a real gateway of that release (started
      // by test/e2e/observed-gateway.ts), after two `openclaw system event` injections.
      const fixture = join(import.meta.dirname, "fixtures", `observed-${version}.jsonl`)
      const store = sqliteIn(dir, `real-${version}.db`)
      expect((await runCli(["import", fixture, "--store", store])).code).toBe(0)
      const { code, observed } = await auditJson(store)
      expect(code, version).toBe(0)
      expect(observed.observers[0]?.openclawVersion).toBe(version)
      expect(
        observed.events.map((event) => [event.text, event.sessionKey, event.fate, event.shownBy?.trigger]),
      ).toEqual(["first", "second"].map((which) => [`real ${version} ${which}`, MAIN, "shown", "heartbeat"]))
      const redacted = join(dir, `real-${version}-redacted.jsonl`)
      writeFileSync(redacted, (await runCli(["export", "--redact", "--store", store])).stdout)
      expect(readFileSync(redacted, "utf8")).not.toContain(`real ${version}`)
      const copy = sqliteIn(dir, `real-${version}-copy.db`)
      expect((await runCli(["import", redacted, "--store", copy])).code).toBe(0)
      const again = await auditJson(copy)
      expect(again.code).toBe(0)
      expect(fates(again.observed)).toEqual(fates(observed))
    }
  })
})
