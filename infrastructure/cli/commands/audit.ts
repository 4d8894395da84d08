/**
 * `heartbeat-ledger audit`: replays the log through the projections and reports every
 * attempt's fate per agent, latency by source and the stranded events; `--routing legacy`
 * re-routes the same recorded work with the pre-fix rules and reports what would have been
 * stranded next to what was. Exit 1 when the audited routing strands events or breaks an
 * invariant.
 */
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { EventStore } from "../../../application/event-store.ts"
import { parseStoreUrl } from "../../store-url.ts"
import { layerEventStoreFromUrl } from "../../stores/store-layer.ts"
import { strandedEvents, violatedInvariants } from "../audit/audit-document.ts"
import { renderHtmlReport } from "../audit/render-html.ts"
import { renderAuditText, renderComparisonText } from "../audit/render-text.ts"
import { reportTargetRefusal, writeReportFile } from "../audit/report-file.ts"
import { type AuditRun, runAudit } from "../audit/run-audit.ts"
import { AuditFindings, BadInput } from "../shared/exit.ts"
import { writeStdout } from "../shared/output.ts"
import { storeFlag, storeUrlOf } from "../shared/store-flag.ts"
import { stdoutColours } from "../shared/terminal.ts"

export const routingFlag = Flag.Literals("routing", ["fixed", "legacy"]).pipe(
  Flag.withDescription("fixed: the queues as recorded; legacy: the same work re-routed by the pre-fix rules"),
  Flag.withDefault("fixed" as const),
)

/** Where the report may go (report-file.ts), checked before the replay and again before writing. */
export interface HtmlTarget {
  readonly path: string
  /** The SQLite file the audit reads, never to be overwritten. */
  readonly storePath: string | undefined
  readonly force: boolean
}

const checkHtmlTarget = (target: HtmlTarget) => {
  const refusal = reportTargetRefusal(target.path, target.storePath, target.force)
  return refusal === undefined
    ? Effect.void
    : Effect.fail(new BadInput({ message: `cannot write the HTML report: ${refusal}` }))
}

/** Prints an audit run in the asked format and fails with AuditFindings when it found any. */
export const reportAudit = (
  run: AuditRun,
  options: { readonly json: boolean; readonly html: HtmlTarget | undefined },
) =>
  Effect.gen(function* () {
    const { document } = run
    const target = options.html
    if (target !== undefined) {
      const html = renderHtmlReport(run)
      yield* checkHtmlTarget(target)
      yield* Effect.try({
        try: () => writeReportFile(target.path, html),
        catch: (error) =>
          new BadInput({ message: `cannot write the HTML report to ${target.path}: ${String(error)}` }),
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
      if (target !== undefined) parts.push(c.dim(`HTML report written to ${target.path}`))
      yield* writeStdout(`${parts.join("\n\n")}\n`)
    }
    const violations = violatedInvariants(document)
    const stranded = strandedEvents(document)
    if (stranded > 0 || violations > 0) {
      return yield* new AuditFindings({ stranded, violations })
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
      Flag.withDescription(
        "Also write a self-contained HTML report to FILE (never over the store, nor over a file that is not a report)",
      ),
      Flag.optional,
    ),
    force: Flag.Boolean("force").pipe(
      Flag.withDescription("With --html: overwrite FILE even if it is not a heartbeat-ledger report"),
      Flag.withDefault(false),
    ),
  },
  (input) =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const url = yield* parseStoreUrl(storeUrlOf(input.store))
      const html = Option.getOrUndefined(input.html)
      const target =
        html === undefined
          ? undefined
          : { path: html, storePath: url._tag === "Sqlite" ? url.path : undefined, force: input.force }
      // Before the replay: a refused path should not cost a whole audit first.
      if (target !== undefined) yield* checkHtmlTarget(target)
      const agent = Option.getOrUndefined(input.agent)?.trim().toLowerCase()
      const run = yield* runAudit({ store, routing: input.routing, agent })
      if (
        agent !== undefined &&
        run.recorded.agents.length === 0 &&
        !(run.recorded.observed?.agents.length ?? 0)
      ) {
        return yield* new BadInput({ message: `no agent "${agent}" in the log` })
      }
      yield* reportAudit(run, { json: input.json, html: target })
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
