/**
 * The audit as text for a terminal: per agent the queue its heartbeat drains and every
 * attempt's fate, latency by source, the stranded events with their origin, the invariants,
 * and — for a what-if — the comparison with what was recorded. Untrusted text is escaped.
 */

import type { Invariant } from "../../../application/invariants.ts"
import type { LatencySummary } from "../../../application/projections/audit.ts"
import { clip, formatCount, formatDuration, formatInstant } from "../shared/format.ts"
import { renderTable } from "../shared/table.ts"
import type { Colours } from "../shared/terminal.ts"
import { safeText } from "../shared/terminal.ts"
import type { AuditDocument, QueuedEventJSON } from "./audit-document.ts"
import { renderObservedText } from "./render-observed-text.ts"

const MAX_LISTED = 15
const MAX_LISTED_VIOLATIONS = 5

/** A violated invariant's first violations, each with where it is in the log (--json lists 20). */
export function renderViolations(check: Invariant<string>, c: Colours): string[] {
  if (check.holds || check.violations === undefined) return []
  const lines = check.violations.slice(0, MAX_LISTED_VIOLATIONS).map((violation) => {
    const where = [
      violation.position === undefined ? undefined : `position ${formatCount(violation.position)}`,
      violation.streamId === undefined ? undefined : safeText(violation.streamId),
    ].filter((part) => part !== undefined)
    return `      ${where.length === 0 ? "" : c.dim(`${where.join(", ")}: `)}${safeText(violation.reason)}`
  })
  const count = check.violationCount ?? check.violations.length
  if (count > lines.length)
    lines.push(c.dim(`      … ${formatCount(count - lines.length)} more (--json lists the first 20)`))
  return lines
}

const routingLabel = (document: AuditDocument) =>
  document.whatIf
    ? `${document.routing} (what-if: the recorded work re-routed)`
    : `${document.routing} (as recorded)`

export function renderAuditText(document: AuditDocument, c: Colours): string {
  const out: string[] = []
  out.push(c.bold(`Audit of ${safeText(document.store)}`) + c.dim(` — routing ${routingLabel(document)}`))
  const span =
    document.from === null
      ? "empty log"
      : `${formatInstant(Date.parse(document.from))} → ${formatInstant(Date.parse(document.to ?? document.from))}`
  out.push(
    c.dim(
      `${document.recorded === undefined ? `${formatCount(document.events)} events` : `${formatCount(document.recorded.events)} recorded events re-routed into ${formatCount(document.events)}`}, ${span}${document.agentFilter === null ? "" : `, agent ${safeText(document.agentFilter)} only`}`,
    ),
  )
  out.push("")
  out.push(c.bold("Fates per agent"))
  const n = formatCount
  const strandedCell = (count: number) => (count > 0 ? c.red(n(count)) : n(count))
  const rows = document.agents.map((agent) => [
    safeText(agent.agentId),
    agent.drains.length === 0
      ? c.dim("—")
      : safeText(agent.drains.join(", ")) + (agent.enabled ? "" : c.dim(" (disabled)")),
    n(agent.attempts),
    n(agent.accepted),
    n(agent.rejectedByReason["blank-text"]),
    n(agent.rejectedByReason.duplicate),
    n(agent.rejectedByReason["missing-session-key"]),
    n(agent.consumed),
    n(agent.pending),
    n(agent.evicted),
    n(agent.pruned),
    strandedCell(agent.stranded),
  ])
  const t = document.totals
  const blank = document.agents.reduce((sum, a) => sum + a.rejectedByReason["blank-text"], 0)
  const dup = document.agents.reduce((sum, a) => sum + a.rejectedByReason.duplicate, 0)
  const noKey = document.agents.reduce((sum, a) => sum + a.rejectedByReason["missing-session-key"], 0)
  rows.push([
    c.bold("total"),
    "",
    n(t.attempts),
    n(t.accepted),
    n(blank),
    n(dup),
    n(noKey),
    n(t.consumed),
    n(t.pending),
    n(t.evicted),
    n(t.pruned),
    strandedCell(t.stranded),
  ])
  out.push(
    renderTable(
      [
        "agent",
        "heartbeat drains",
        "attempts",
        "accepted",
        "rej:blank",
        "rej:dup",
        "rej:no-key",
        "consumed",
        "pending",
        "evicted",
        "pruned",
        "stranded",
      ],
      rows,
      [
        "left",
        "left",
        "right",
        "right",
        "right",
        "right",
        "right",
        "right",
        "right",
        "right",
        "right",
        "right",
      ],
    ),
  )
  out.push("")
  out.push(
    ...renderLatencyLines(document.agents, c, {
      title: "Latency enqueue → consumption",
      note: " (p50 / p95 / max, by source)",
      count: "consumed",
      none: "  nothing consumed yet",
    }),
  )
  out.push("")
  out.push(...renderStranded(document.stranded, c, "Stranded events"))
  out.push("")
  out.push(c.bold("Invariants"), ...renderInvariantLines(document.invariants, c))
  if (document.observed !== undefined)
    out.push("", renderObservedText(document.observed, c, document.whatIf ? document.routing : undefined))
  return out.join("\n")
}

/** Each invariant ✓ or ✗ with its detail, and a violated one's first violations. */
export function renderInvariantLines(checks: ReadonlyArray<Invariant<string>>, c: Colours): string[] {
  return checks.flatMap((check) => [
    `  ${check.holds ? c.green("✓") : c.red("✗")} ${check.name}: ${safeText(check.detail)}`,
    ...renderViolations(check, c),
  ])
}

/** Latency by source, per agent: count, p50, p95 and max (the ledger's and the observed part's). */
export function renderLatencyLines(
  agents: ReadonlyArray<{
    readonly agentId: string
    readonly latencyBySource: Readonly<Record<string, LatencySummary>>
  }>,
  c: Colours,
  labels: { readonly title: string; readonly note: string; readonly count: string; readonly none: string },
): string[] {
  const rows = agents.flatMap((agent) =>
    Object.entries(agent.latencyBySource)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([source, summary]) => [
        safeText(agent.agentId),
        source,
        formatCount(summary.count),
        formatDuration(summary.p50),
        formatDuration(summary.p95),
        formatDuration(summary.max),
      ]),
  )
  return [
    c.bold(labels.title) + c.dim(labels.note),
    rows.length === 0
      ? c.dim(labels.none)
      : renderTable(["agent", "source", labels.count, "p50", "p95", "max"], rows, [
          "left",
          "left",
          "right",
          "right",
          "right",
          "right",
        ]),
  ]
}

export function renderStranded(
  stranded: ReadonlyArray<QueuedEventJSON>,
  c: Colours,
  title: string,
): string[] {
  if (stranded.length === 0) return [`${c.bold(title)}: ${c.green("none")}`]
  const rows = stranded
    .slice(0, MAX_LISTED)
    .map((event) => [
      formatInstant(Date.parse(event.at)),
      safeText(event.agentId),
      event.source,
      safeText(event.origin),
      event.queueKey === event.origin ? c.dim("(same)") : safeText(event.queueKey),
      safeText(clip(event.text, 70)),
    ])
  const more =
    stranded.length > MAX_LISTED
      ? [c.dim(`  … and ${formatCount(stranded.length - MAX_LISTED)} more (--json lists them all)`)]
      : []
  return [
    `${c.bold(title)}: ${c.red(formatCount(stranded.length))} ${c.dim("(queued where no heartbeat drains them, oldest first)")}`,
    renderTable(["enqueued", "agent", "source", "origin key", "queue", "text"], rows, [
      "left",
      "left",
      "left",
      "left",
      "left",
      "left",
    ]),
    ...more,
  ]
}

/** Recorded vs. re-routed, per agent: what the what-if changes. */
export function renderComparisonText(
  recorded: AuditDocument,
  whatIf: AuditDocument,
  c: Colours,
  replay: { readonly replayedCalls: number; readonly replayedRuns: number; readonly retargetedRuns: number },
): string {
  const out: string[] = []
  out.push(c.bold(`What-if: the same recorded work under ${whatIf.routing} routing`))
  const byId = new Map(recorded.agents.map((agent) => [agent.agentId, agent]))
  const arrow = (before: number, after: number, bad: boolean) => {
    const text = `${formatCount(before)} → ${formatCount(after)}`
    return bad && after > before ? c.red(text) : text
  }
  const rows = whatIf.agents.map((agent) => {
    const was = byId.get(agent.agentId)
    return [
      safeText(agent.agentId),
      arrow(was?.stranded ?? 0, agent.stranded, true),
      arrow(was?.pruned ?? 0, agent.pruned, true),
      arrow(was?.consumed ?? 0, agent.consumed, false),
      arrow(was?.evicted ?? 0, agent.evicted, false),
    ]
  })
  const a = recorded.totals
  const b = whatIf.totals
  rows.push([
    c.bold("total"),
    arrow(a.stranded, b.stranded, true),
    arrow(a.pruned, b.pruned, true),
    arrow(a.consumed, b.consumed, false),
    arrow(a.evicted, b.evicted, false),
  ])
  out.push(
    renderTable(["agent", "stranded (recorded → what-if)", "lost to pruning", "consumed", "evicted"], rows, [
      "left",
      "right",
      "right",
      "right",
      "right",
    ]),
  )
  out.push(
    c.dim(
      `  replayed ${formatCount(replay.replayedCalls)} source calls and ${formatCount(replay.replayedRuns)} heartbeat runs; ` +
        `${formatCount(replay.retargetedRuns)} runs re-targeted to the key the ${whatIf.routing} wake would have named`,
    ),
  )
  out.push("")
  out.push(...renderStranded(whatIf.stranded, c, `Would have been stranded under ${whatIf.routing} routing`))
  return out.join("\n")
}
