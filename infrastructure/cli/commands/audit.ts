/**
 * `heartbeat-ledger audit`: replays the log through the projections and reports every
 * attempt's fate per agent, latency by source and the stranded events; `--routing legacy`
 * re-routes the same recorded work with the pre-fix rules and reports what would have been
 * stranded next to what was. Exit 1 when the audited routing strands events or breaks an
 * invariant.
 */
import { writeFileSync } from "node:fs"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { EventStore } from "../../../application/event-store.ts"
import { layerEventStoreFromUrl } from "../../stores/store-layer.ts"
import { violatedInvariants } from "../audit/audit-document.ts"
import { renderHtmlReport } from "../audit/render-html.ts"
import { renderAuditText, renderComparisonText } from "../audit/render-text.ts"
import { type AuditRun, runAudit } from "../audit/run-audit.ts"
import { AuditFindings, BadInput } from "../shared/exit.ts"
import { writeStdout } from "../shared/output.ts"
import { storeFlag, storeUrlOf } from "../shared/store-flag.ts"
import { stdoutColours } from "../shared/terminal.ts"

export const routingFlag = Flag.Literals("routing", ["fixed", "legacy"]).pipe(
  Flag.withDescription("fixed: the queues as recorded; legacy: the same work re-routed by the pre-fix rules"),
  Flag.withDefault("fixed" as const),
)

/** Prints an audit run in the asked format and fails with AuditFindings when it found any. */
export const reportAudit = (
  run: AuditRun,
  options: { readonly json: boolean; readonly html: string | undefined },
) =>
  Effect.gen(function* () {
    const { document } = run
    if (options.html !== undefined) {
      const html = renderHtmlReport(run)
      const path = options.html
      yield* Effect.try({
        try: () => writeFileSync(path, html),
        catch: (error) =>
          new BadInput({ message: `cannot write the HTML report to ${path}: ${String(error)}` }),
      })
    }
    if (options.json) {
      yield* writeStdout(`${JSON.stringify(document, null, 2)}\n`)
    } else {
      const c = stdoutColours()
      const parts = [renderAuditText(document, c)]
      if (run.whatIf !== undefined) {
        parts.push(renderComparisonText(run.recorded, run.whatIf.document, c, run.whatIf.replay))
      }
      if (options.html !== undefined) parts.push(c.dim(`HTML report written to ${options.html}`))
      yield* writeStdout(`${parts.join("\n\n")}\n`)
    }
    const violations = violatedInvariants(document)
    if (document.totals.stranded > 0 || violations > 0) {
      return yield* new AuditFindings({ stranded: document.totals.stranded, violations })
    }
  })

export const auditCommand = Command.make(
  "audit",
  {
    store: storeFlag,
    routing: routingFlag,
    agent: Flag.String("agent").pipe(
      Flag.withMetavar("ID"),
      Flag.withDescription("Report one agent only"),
      Flag.optional,
    ),
    json: Flag.Boolean("json").pipe(
      Flag.withDescription("Print one JSON document (schema: docs/audit.md)"),
      Flag.withDefault(false),
    ),
    html: Flag.String("html").pipe(
      Flag.withMetavar("FILE"),
      Flag.withDescription("Also write a self-contained HTML report to FILE"),
      Flag.optional,
    ),
  },
  (input) =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const agent = Option.getOrUndefined(input.agent)?.trim().toLowerCase()
      const run = yield* runAudit({ store, routing: input.routing, agent })
      if (agent !== undefined && run.recorded.agents.length === 0) {
        return yield* new BadInput({ message: `no agent "${agent}" in the log` })
      }
      yield* reportAudit(run, { json: input.json, html: Option.getOrUndefined(input.html) })
    }).pipe(Effect.provide(layerEventStoreFromUrl(storeUrlOf(input.store), { access: "read" }))),
).pipe(
  Command.withDescription(
    "Replay the log and report every system event's fate, per agent (exit 1 on findings)",
  ),
  Command.withExamples([
    { command: "heartbeat-ledger audit", description: "Audit the default store" },
    {
      command: "heartbeat-ledger audit --routing legacy",
      description: "What the pre-fix routing would have stranded",
    },
    { command: "heartbeat-ledger audit --json --agent ops", description: "One agent, as JSON" },
    { command: "heartbeat-ledger audit --html report.html", description: "Also write an HTML report" },
  ]),
)
