/**
 * The observed audit (application/projections/observed-audit.ts) on observed logs built from
 * the real observed facts and replayed from the memory store through the audit's one pass
 * (foldAuditLog): every fate, the stranded cron-run completion of 2026.5.7, the consumed and
 * shown one of 2026.5.12 (and its legacy what-if), divergences, damage to the facts, and the
 * pieces it rests on (source inference, the release model). The CLI test runs the same logs
 * on SQLite.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { foldAuditLog } from "../../application/invariants.ts"
import { auditReport } from "../../application/projections/audit.ts"
import { type ObservedAudit, observedAudit } from "../../application/projections/observed-audit.ts"
import { observedSourceOf } from "../../domain/observed-source.ts"
import { modelOfRelease } from "../../domain/release-model.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import {
  appendScripts,
  CRON_RUN,
  consumedOn2026_5_12,
  divergingOn2026_5_7,
  EXEC_DONE,
  everyFateOn2026_5_7,
  execPromptOn,
  MAIN,
  type ObservedScript,
} from "./observed-logs.ts"

/** Appends the scripts to a fresh memory store and runs the audit's one pass over it. */
async function auditInMemory(scripts: ReadonlyArray<ObservedScript>, agent?: string): Promise<ObservedAudit> {
  const store = makeMemoryEventStore()
  return Effect.runPromise(
    Effect.gen(function* () {
      yield* appendScripts(store, scripts)
      const log = yield* foldAuditLog(store)
      // Observed facts leave the ledger's own fold untouched, and its integrity checks hold.
      expect(auditReport(log.audit).totals.attempts).toBe(0)
      expect(log.facts.positions.count + log.facts.doubledIds.count).toBe(0)
      return observedAudit(log.observed, { agent })
    }),
  )
}

const fateOf = (audit: ObservedAudit, id: string) => audit.events.find((event) => event.observationId === id)
const holds = (audit: ObservedAudit) =>
  Object.fromEntries(audit.invariants.map((check) => [check.name, check.holds]))

describe("the observed audit", () => {
  it("gives each observed enqueue of a 2026.5.7 gateway one fate, the cron run's exec completion stranded", async () => {
    const { script, next, ids } = everyFateOn2026_5_7()
    const audit = await auditInMemory([script, next])
    expect(fateOf(audit, ids.shown as string)).toMatchObject({
      fate: "shown",
      shownBy: { trigger: "heartbeat", sessionKey: MAIN, completed: null },
      latencyMs: 1_000,
    })
    expect(fateOf(audit, ids.unshown as string)?.fate).toBe("consumed-unshown")
    expect(fateOf(audit, ids.evicted as string)?.fate).toBe("evicted")
    expect(fateOf(audit, ids.deleted as string)?.fate).toBe("deleted-with-session")
    expect(fateOf(audit, ids.lost as string)?.fate).toBe("lost-with-gateway")
    expect(fateOf(audit, ids.pending as string)?.fate).toBe("pending")
    const stranded = fateOf(audit, ids.stranded as string)
    expect(stranded).toMatchObject({
      fate: "stranded",
      sessionKey: CRON_RUN,
      model: {
        routing: "legacy",
        source: "exec-exit",
        origin: CRON_RUN,
        originKnown: true,
        queueKey: CRON_RUN,
        drained: false,
        whatIf: { routing: "fixed", queueKey: MAIN, drained: true },
      },
    })
    // 20 burst entries queued where a heartbeat was seen running, and "injected later", are lost
    // with the first process; the cron run's completion was stranded all the same.
    expect(audit.totals).toMatchObject({
      enqueued: 27,
      shown: 1,
      consumedUnshown: 1,
      evicted: 1,
      deletedWithSession: 1,
      lostWithGateway: 21,
      pending: 1,
      stranded: 1,
      divergences: 0,
      lost: 0,
    })
    const fates = audit.totals
    expect(
      fates.shown +
        fates.consumedUnshown +
        fates.evicted +
        fates.deletedWithSession +
        fates.lostWithGateway +
        fates.pending +
        fates.stranded,
    ).toBe(fates.enqueued)
    expect(audit.agents.map((agent) => agent.agentId)).toEqual(["main"])
    expect(audit.agents[0]?.drains).toContainEqual({ sessionKey: MAIN, seen: true })
    expect(audit.agents[0]?.latencyBySource.injected).toMatchObject({ count: 1, max: 1_000 })
    expect(holds(audit)).toEqual({
      "observed-nothing-stranded": false,
      "observed-one-fate": true,
      "observed-matches-model": true,
      "observed-complete": true,
    })
  })

  it("shows a 2026.5.12 gateway consuming the cron run's exec completion on the main queue, and what 2026.5.7 would have done", async () => {
    const { script, id } = consumedOn2026_5_12()
    const audit = await auditInMemory([script])
    expect(fateOf(audit, id)).toMatchObject({
      fate: "shown",
      sessionKey: MAIN,
      shownBy: { trigger: "heartbeat" },
      latencyMs: 300,
      model: {
        routing: "fixed",
        source: "exec-exit",
        origin: CRON_RUN,
        originKnown: true,
        queueKey: MAIN,
        drained: true,
        whatIf: { routing: "legacy", queueKey: CRON_RUN, drained: false },
      },
    })
    expect(audit.totals).toMatchObject({ stranded: 0, divergences: 0, whatIfStranded: 1 })
    expect(audit.agents[0]?.latencyBySource["exec-exit"]).toMatchObject({ count: 1, max: 300 })
    expect(audit.invariants.every((check) => check.holds)).toBe(true)
  })

  it("lists what the gateway did that our model of its release would not, with the facts around it", async () => {
    const { script, misrouted, vanished } = divergingOn2026_5_7()
    const audit = await auditInMemory([script])
    expect(audit.divergences.map((d) => [d.kind, d.observationId])).toEqual([
      ["unexpected-queue", misrouted],
      ["unexpected-removal", vanished],
    ])
    const [queue, removal] = audit.divergences
    expect(queue?.detail).toContain(`queues it under ${CRON_RUN}`)
    // The enqueue and the cron run's tool call before it are among the facts listed around it.
    expect(queue?.around.map((record) => record.event._tag)).toContain("ObservedLifecycle")
    expect(queue?.around.some((record) => record.position === queue.position)).toBe(true)
    expect(removal?.around.at(-1)?.event._tag).toBe("ObservedRemoved")
    expect(audit.totals.stranded).toBe(0)
    expect(holds(audit)["observed-matches-model"]).toBe(false)
    const check = audit.invariants.find((c) => c.name === "observed-matches-model")
    expect(check?.violationCount).toBe(2)
  })

  it("exec completions as real gateways take them (their exec prompt shows no System: line)", async () => {
    const fixed = execPromptOn("2026.5.12", MAIN)
    const onMain = await auditInMemory([fixed.script])
    expect(fateOf(onMain, fixed.id)).toMatchObject({
      fate: "consumed-unshown",
      takenBy: { trigger: "heartbeat", sessionKey: MAIN },
      model: { routing: "fixed", origin: CRON_RUN, queueKey: MAIN, drained: true },
    })
    expect(onMain.divergences).toEqual([])
    // Global scope: the fixed routing's other answer for a cron run's work, not a divergence.
    const global = execPromptOn("2026.5.12", "global")
    const inGlobal = await auditInMemory([global.script])
    expect(fateOf(inGlobal, global.id)).toMatchObject({
      fate: "consumed-unshown",
      model: { origin: CRON_RUN, originKnown: true, queueKey: "global", drained: true },
    })
    expect(inGlobal.divergences).toEqual([])
    // 2026.5.7 runs a heartbeat on the wake's forced cron-run key: our legacy model does not.
    const old = execPromptOn("2026.5.7", CRON_RUN)
    const forced = await auditInMemory([old.script])
    expect(fateOf(forced, old.id)).toMatchObject({
      fate: "consumed-unshown",
      takenBy: { trigger: "heartbeat", sessionKey: CRON_RUN },
      model: { routing: "legacy", queueKey: CRON_RUN, drained: false },
    })
    expect(forced.divergences.map((d) => [d.kind, d.observationId])).toEqual([["unexpected-drain", old.id]])
  })

  it("two gateways in one store: each judged by its own release's model", async () => {
    const old = everyFateOn2026_5_7().script
    const fixed = consumedOn2026_5_12()
    const audit = await auditInMemory([old, fixed.script])
    expect(audit.observers.map((o) => [o.openclawVersion, o.model.routing])).toEqual([
      ["2026.5.7", "legacy"],
      ["2026.5.12", "fixed"],
    ])
    expect(fateOf(audit, fixed.id)?.fate).toBe("shown")
    expect(audit.totals).toMatchObject({ stranded: 1, divergences: 0 })
  })

  it("fails one-fate on damaged facts and completeness on lost observations", async () => {
    const { script, id } = consumedOn2026_5_12()
    script.remove("never-enqueued", MAIN)
    script.remove(id, MAIN)
    script.enqueue(MAIN, "doubled")
    const doubled = script.events.at(-1)
    if (doubled !== undefined) script.events.push(doubled)
    script.events.push({ _tag: "ObservationsLost", count: 3, from: script.at, to: script.at, at: script.at })
    const audit = await auditInMemory([script])
    const oneFate = audit.invariants.find((c) => c.name === "observed-one-fate")
    expect(oneFate?.holds).toBe(false)
    expect(oneFate?.violations?.map((v) => v.reason)).toEqual([
      "removal of an observation never enqueued",
      `removal of an observation not queued under ${MAIN} at that moment`,
      "observation id enqueued twice",
    ])
    expect(audit.totals.lost).toBe(3)
    expect(holds(audit)["observed-complete"]).toBe(false)
  })

  it("--agent keeps one agent's events", async () => {
    const other = everyFateOn2026_5_7().script
    other.enqueue("agent:ops:main", "ops only")
    expect((await auditInMemory([other], "ops")).events.map((e) => e.entry.text)).toEqual(["ops only"])
  })
})

describe("what the observed audit rests on", () => {
  it("infers an entry's source from OpenClaw's texts and contextKeys", () => {
    expect(observedSourceOf({ text: EXEC_DONE })).toBe("exec-exit")
    expect(observedSourceOf({ text: "Exec failed (abcd1234, signal SIGKILL)" })).toBe("exec-exit")
    expect(observedSourceOf({ text: "Exec finished (node=n1 id=r1, code 0)" })).toBe("node-event")
    expect(observedSourceOf({ text: "Exec started (node=n1): ls" })).toBe("node-event")
    expect(observedSourceOf({ text: "nightly report ready", contextKey: "cron:nightly" })).toBe("cron")
    expect(observedSourceOf({ text: "build 42 running", contextKey: "exec:42" })).toBe("exec-notice")
    expect(observedSourceOf({ text: "Exec completed (rotate api keys)" })).toBe("injected")
  })

  it("models releases before 2026.5.12 by the legacy routing", () => {
    expect(modelOfRelease("2026.5.7")).toEqual({ routing: "legacy", known: true })
    expect(modelOfRelease("2026.5.11")).toEqual({ routing: "legacy", known: true })
    expect(modelOfRelease("2025.12.30")).toEqual({ routing: "legacy", known: true })
    expect(modelOfRelease("2026.5.12")).toEqual({ routing: "fixed", known: true })
    expect(modelOfRelease("2026.9.6")).toEqual({ routing: "fixed", known: true })
    expect(modelOfRelease("2026.10.1-beta.2")).toEqual({ routing: "fixed", known: true })
    expect(modelOfRelease("unknown")).toEqual({ routing: "fixed", known: false })
  })
})
