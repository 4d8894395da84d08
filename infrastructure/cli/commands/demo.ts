/**
 * `heartbeat-ledger demo` (what `npm start` runs): records a deterministic gateway day into a
 * fresh store through the ledger, audits it, and shows what the pre-fix routing would have
 * stranded. The exit code is the recorded audit's.
 */
import { existsSync } from "node:fs"
import { Effect, Layer, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { EventStore } from "../../../application/event-store.ts"
import { layerLedger } from "../../../application/ledger.ts"
import { layerSeededIds } from "../../ids.ts"
import { layerEventStoreFromUrl } from "../../stores/store-layer.ts"
import { violatedInvariants } from "../audit/audit-document.ts"
import { renderAuditText, renderComparisonText } from "../audit/render-text.ts"
import { runAudit } from "../audit/run-audit.ts"
import { DEMO_RETENTION } from "../demo/demo-day.ts"
import { type DemoSummary, recordGatewayDay } from "../demo/gateway-day.ts"
import { AuditFindings, BadInput } from "../shared/exit.ts"
import { counted, formatCount, formatInstant } from "../shared/format.ts"
import { writeStdout } from "../shared/output.ts"
import { startProgress } from "../shared/progress.ts"
import { storeFlag } from "../shared/store-flag.ts"
import { type Colours, safeText, stdoutColours } from "../shared/terminal.ts"

export const DEMO_DEFAULTS = { agents: 5, runs: 24, seed: 42 } as const
/** What each size flag accepts, shown in --help and checked before anything is recorded. */
export const DEMO_LIMITS = {
  agents: { min: 1, max: 50 },
  runs: { min: 0, max: 500 },
  seed: { min: 0, max: 2 ** 32 - 1 },
} as const

/** A size flag whose help says its range and default. */
const sizeFlag = (name: keyof typeof DEMO_LIMITS, what: string) =>
  Flag.Int(name).pipe(
    Flag.withDescription(
      `${what}: ${DEMO_LIMITS[name].min} to ${formatCount(DEMO_LIMITS[name].max)} (default ${DEMO_DEFAULTS[name]})`,
    ),
    Flag.withDefault(DEMO_DEFAULTS[name]),
  )

/** A new SQLite file under .heartbeat-ledger/ for each demo, named after the wall-clock time. */
export function freshDemoStoreUrl(
  now: Date = new Date(),
  exists: (path: string) => boolean = existsSync,
): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)
  for (let attempt = 1; ; attempt++) {
    const path = `.heartbeat-ledger/demo-${stamp}${attempt === 1 ? "" : `-${attempt}`}.db`
    if (!exists(path)) return `sqlite:${path}`
  }
}

const inRange = (name: keyof typeof DEMO_LIMITS, value: number) => {
  const { min, max } = DEMO_LIMITS[name]
  return Number.isInteger(value) && value >= min && value <= max
    ? Effect.succeed(value)
    : Effect.fail(
        new BadInput({
          message: `--${name} must be a whole number from ${min} to ${formatCount(max)}, not ${formatCount(value)}`,
        }),
      )
}

const describeDay = (summary: DemoSummary, seed: number, store: string, c: Colours): string => {
  const agents = summary.agents
    .map((agent) => {
      const policy =
        agent.scope === "global" ? "global scope" : agent.mainKey ? `mainKey ${agent.mainKey}` : "per-sender"
      const change =
        agent.changes.length > 0
          ? `, reconfigured at ${agent.changes.map((ch) => formatInstant(summary.from + ch.at).slice(11, 16)).join(", ")}`
          : ""
      return `${agent.agentId} (${policy}${change})`
    })
    .join(", ")
  return [
    c.bold(`Recorded a gateway day into ${safeText(store)}`) +
      c.dim(` (seed ${seed}, ${formatInstant(summary.from)} → ${formatInstant(summary.to)})`),
    `  agents: ${agents}`,
    `  ${counted(summary.sourceCalls, "source call")} (${formatCount(summary.silentCalls)} more stayed silent), ` +
      `${counted(summary.rawCalls, "raw queue-API call")}, ${counted(summary.heartbeatRuns, "heartbeat run")}, ` +
      `${counted(summary.wakeSkips, "busy wake skip")} retried, ${counted(summary.configChanges, "config change")}, ` +
      `${counted(summary.sweeps, "retention sweep")} (${DEMO_RETENTION}) pruning ${counted(summary.prunedSessions, "cron-run session")}`,
  ].join("\n")
}

export const demoCommand = Command.make(
  "demo",
  {
    store: storeFlag.pipe(
      Flag.withDescription(
        "Where to record the demo day: an empty store (default: a new SQLite file under .heartbeat-ledger/)",
      ),
    ),
    agents: sizeFlag("agents", "How many agents"),
    runs: sizeFlag("runs", "Cron runs per agent over the day"),
    seed: sizeFlag("seed", "Seed of the day, the same seed recording the same log"),
  },
  (input) =>
    Effect.gen(function* () {
      const agents = yield* inRange("agents", input.agents)
      const runs = yield* inRange("runs", input.runs)
      const seed = yield* inRange("seed", input.seed)
      const url = Option.getOrElse(input.store, () => freshDemoStoreUrl())
      const c = stdoutColours()
      yield* Effect.gen(function* () {
        const store = yield* EventStore
        const head = yield* store.headPosition
        if (head > 0) {
          return yield* new BadInput({
            message: `the demo records into an empty store, and ${store.description} already holds ${head} events`,
          })
        }
        const progress = startProgress("recording the gateway day", 24 * 60)
        const summary = yield* recordGatewayDay({
          agents,
          runs,
          seed,
          onProgress: (elapsed) => progress.tick(Math.floor(elapsed / 60_000)),
        }).pipe(Effect.ensuring(Effect.sync(progress.done)))
        yield* writeStdout(`${describeDay(summary, seed, store.description, c)}\n\n`)
        const run = yield* runAudit({ store, routing: "legacy" })
        const sections = [renderAuditText(run.recorded, c)]
        if (run.whatIf !== undefined)
          sections.push(renderComparisonText(run.recorded, run.whatIf.document, c, run.whatIf.replay))
        sections.push(
          c.dim(
            `Audit it again: heartbeat-ledger audit --store ${store.description} ` +
              "[--routing legacy] [--json] [--html report.html]",
          ),
        )
        yield* writeStdout(`${sections.join("\n\n")}\n`)
        const violations = violatedInvariants(run.recorded)
        if (run.recorded.totals.stranded > 0 || violations > 0) {
          return yield* new AuditFindings({ stranded: run.recorded.totals.stranded, violations })
        }
      }).pipe(
        Effect.provide(
          Layer.provideMerge(layerLedger, Layer.merge(layerEventStoreFromUrl(url), layerSeededIds(seed))),
        ),
      )
    }),
).pipe(
  Command.withDescription(
    "Record a deterministic gateway day into a fresh store, audit it, and show the legacy what-if",
  ),
  Command.withExamples([
    { command: "heartbeat-ledger demo", description: "5 agents, 24 cron runs each, seed 42" },
    {
      command: "heartbeat-ledger demo --agents 8 --runs 48 --seed 7 --store memory:",
      description: "A bigger day, in memory",
    },
  ]),
)
