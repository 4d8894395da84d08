/**
 * The audit as one self-contained HTML file, readable offline: inline CSS and SVG, no script,
 * no external asset. Fates per agent, queue depth over time, latency by source, the stranded
 * events (and, for a what-if, the comparison with what was recorded). Event texts are
 * untrusted: every one is made visible-safe (control characters escaped) and HTML-escaped.
 */
import type { Invariant } from "../../../application/invariants.ts"
import type { AuditState } from "../../../application/projections/audit.ts"
import {
  emptyHistogram,
  type LatencyHistogram,
  quantile,
} from "../../../application/projections/latency-histogram.ts"
import { clip, formatCount, formatDuration, formatInstant } from "../shared/format.ts"
import { safeText } from "../shared/terminal.ts"
import type { AuditDocument, QueuedEventJSON } from "./audit-document.ts"
import { observedHtmlSections } from "./render-observed-html.ts"
import { REPORT_MARKER } from "./report-file.ts"
import type { AuditRun } from "./run-audit.ts"
import { depthChart, escapeHtml, histogramChart, type Series, stackedBars } from "./svg-charts.ts"

/**
 * The report has no script and loads nothing: the policy says so, so that a text that ever
 * slipped past the escaping could run or fetch nothing. Inline styles (the `<style>` element
 * and the legend's `style=` attributes) are all it needs.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

const FATE_COLOURS = {
  consumed: "#2e7d32",
  pending: "#1565c0",
  evicted: "#ef6c00",
  pruned: "#6a1b9a",
  stranded: "#c62828",
  rejected: "#9e9e9e",
} as const

/** Untrusted text as HTML: control characters shown as escapes, markup characters escaped. */
const text = (value: string): string => escapeHtml(safeText(value))

const LATENCY_BINS: ReadonlyArray<readonly [number, string]> = [
  [250, "≤250ms"],
  [500, "≤500ms"],
  [1000, "≤1s"],
  [2000, "≤2s"],
  [5000, "≤5s"],
  [10_000, "≤10s"],
  [30_000, "≤30s"],
  [60_000, "≤1m"],
  [300_000, "≤5m"],
  [900_000, "≤15m"],
  [3_600_000, "≤1h"],
  [Number.POSITIVE_INFINITY, ">1h"],
]

const mergeHistograms = (histograms: ReadonlyArray<LatencyHistogram>): LatencyHistogram => {
  const merged = emptyHistogram()
  for (const h of histograms) {
    merged.count += h.count
    merged.sum += h.sum
    merged.max = Math.max(merged.max, h.max)
    for (const [bucket, count] of h.buckets)
      merged.buckets.set(bucket, (merged.buckets.get(bucket) ?? 0) + count)
  }
  return merged
}

/** How many recorded latencies are at most `ms`, read through the histogram's quantiles. */
const countAtMost = (h: LatencyHistogram, ms: number): number => {
  if (h.count === 0 || ms === Number.POSITIVE_INFINITY) return h.count
  let low = 0
  let high = h.count
  while (low < high) {
    const rank = Math.ceil((low + high + 1) / 2)
    if (quantile(h, rank / h.count) <= ms) low = rank
    else high = rank - 1
  }
  return low
}

const latencyBins = (h: LatencyHistogram) => {
  let below = 0
  return LATENCY_BINS.map(([edge, label]) => {
    const upTo = countAtMost(h, edge)
    const bin = { label, count: upTo - below }
    below = upTo
    return bin
  })
}

const STYLE = `
:root { color-scheme: light; --fg:#1d232a; --muted:#5f6b76; --line:#d8dee4; --bg:#fbfcfd; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 28px 32px 60px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.meta { color: var(--muted); margin: 0 0 18px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 112px; }
.card .n { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.bad { border-color: #e57373; background: #fff5f5; } .card.bad .n { color: #c62828; }
.card.good .n { color: #2e7d32; }
table { border-collapse: collapse; width: 100%; background: #fff; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.n, th.n { text-align: right; }
td.key, td.text { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
td.bad { color: #c62828; font-weight: 600; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; margin: 6px 0; color: var(--muted); font-size: 12px; }
.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.grid { display: flex; flex-wrap: wrap; gap: 12px; }
figure.small { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 6px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg .label { font-size: 12px; fill: var(--fg); } svg .value, svg .tick { font-size: 10px; fill: var(--muted); }
svg .axis { stroke: var(--line); stroke-width: 1; }
ul.inv { list-style: none; padding: 0; } ul.inv li { margin: 4px 0; }
.ok { color: #2e7d32; font-weight: 700; } .ko { color: #c62828; font-weight: 700; }
.note { color: var(--muted); font-size: 12px; }
`

const legend = () =>
  `<div class="legend">${Object.entries(FATE_COLOURS)
    .map(
      ([fate, colour]) =>
        `<span><i style="background:${colour}"></i>${fate === "pruned" ? "lost to pruning" : fate}</span>`,
    )
    .join("")}</div>`

const card = (key: string, label: string, value: number, tone: "" | "bad" | "good" = "") =>
  `<div class="card ${tone}" data-total="${key}"><div class="n">${formatCount(value)}</div><div class="k">${label}</div></div>`

const totalsCards = (document: AuditDocument) => {
  const t = document.totals
  return `<div class="cards">${[
    card("attempts", "attempts", t.attempts),
    card("accepted", "accepted", t.accepted),
    card("rejected", "rejected", t.rejected),
    card("consumed", "consumed", t.consumed, "good"),
    card("pending", "pending", t.pending),
    card("evicted", "evicted", t.evicted),
    card("pruned", "lost to pruning", t.pruned, t.pruned > 0 ? "bad" : ""),
    card("stranded", "stranded", t.stranded, t.stranded > 0 ? "bad" : "good"),
  ].join("")}</div>`
}

const fateChart = (document: AuditDocument) =>
  stackedBars(
    document.agents.map((agent) => ({
      label: agent.agentId,
      segments: [
        { label: "consumed", value: agent.consumed, colour: FATE_COLOURS.consumed },
        { label: "pending", value: agent.pending, colour: FATE_COLOURS.pending },
        { label: "evicted", value: agent.evicted, colour: FATE_COLOURS.evicted },
        { label: "lost to pruning", value: agent.pruned, colour: FATE_COLOURS.pruned },
        { label: "stranded", value: agent.stranded, colour: FATE_COLOURS.stranded },
        { label: "rejected", value: agent.rejected, colour: FATE_COLOURS.rejected },
      ],
    })),
  )

const fateTable = (document: AuditDocument) => {
  const rows = document.agents
    .map(
      (agent) =>
        `<tr><td>${text(agent.agentId)}</td><td class="key">${text(agent.drains.join(", ") || "—")}</td>` +
        [
          agent.attempts,
          agent.accepted,
          agent.rejectedByReason["blank-text"],
          agent.rejectedByReason.duplicate,
          agent.rejectedByReason["missing-session-key"],
          agent.consumed,
          agent.pending,
          agent.evicted,
          agent.pruned,
        ]
          .map((n) => `<td class="n">${formatCount(n)}</td>`)
          .join("") +
        `<td class="n${agent.stranded > 0 ? " bad" : ""}">${formatCount(agent.stranded)}</td></tr>`,
    )
    .join("")
  return (
    "<table><thead><tr><th>agent</th><th>heartbeat drains</th><th class=n>attempts</th><th class=n>accepted</th>" +
    "<th class=n>rejected: blank</th><th class=n>duplicate</th><th class=n>no key</th><th class=n>consumed</th>" +
    "<th class=n>pending</th><th class=n>evicted</th><th class=n>lost to pruning</th><th class=n>stranded</th></tr></thead>" +
    `<tbody>${rows}</tbody></table>`
  )
}

const depthCharts = (run: AuditRun, document: AuditDocument) => {
  // The log's time span, not its first and last event: an import may append older events later.
  const from = document.from === null ? 0 : Date.parse(document.from)
  const to = document.to === null ? from : Date.parse(document.to)
  const time = (at: number) => formatInstant(at).slice(5, 16)
  const seriesOf = (state: AuditState, agentId: string) => state.depth.get(agentId)?.points() ?? []
  return `<div class="grid">${document.agents
    .map((agent) => {
      const series: Series[] = [
        {
          label: `${agent.agentId}: queued events as recorded`,
          colour: FATE_COLOURS.pending,
          points: seriesOf(run.recordedState, agent.agentId),
        },
      ]
      if (run.whatIf !== undefined) {
        series.push({
          label: `${agent.agentId}: queued events under ${run.whatIf.document.routing} routing`,
          colour: FATE_COLOURS.stranded,
          points: seriesOf(run.whatIf.state, agent.agentId),
        })
      }
      return depthChart(`${agent.agentId} — queued events`, series, { from, to }, time)
    })
    .join("")}</div>`
}

const latencyCharts = (state: AuditState, agentFilter: string | null) => {
  const bySource = new Map<string, LatencyHistogram[]>()
  for (const [agentId, sources] of state.latency) {
    if (agentFilter !== null && agentId !== agentFilter) continue
    for (const [source, histogram] of sources)
      bySource.set(source, [...(bySource.get(source) ?? []), histogram])
  }
  if (bySource.size === 0) return `<p class="note">Nothing consumed yet.</p>`
  return `<div class="grid">${[...bySource]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([source, histograms]) => {
      const merged = mergeHistograms(histograms)
      const summary =
        `n=${formatCount(merged.count)}  p50 ${formatDuration(quantile(merged, 0.5))}  ` +
        `p95 ${formatDuration(quantile(merged, 0.95))}  max ${formatDuration(merged.max)}`
      return histogramChart(source, latencyBins(merged), summary, "#546e7a")
    })
    .join("")}</div>`
}

const eventTable = (events: ReadonlyArray<QueuedEventJSON>, limit = 500) => {
  if (events.length === 0) return `<p class="ok">None.</p>`
  const rows = events
    .slice(0, limit)
    .map(
      (event) =>
        `<tr><td>${escapeHtml(formatInstant(Date.parse(event.at)))}</td><td>${text(event.agentId)}</td><td>${text(event.source)}</td>` +
        `<td class="key">${text(event.origin)}</td><td class="key">${text(event.queueKey)}</td>` +
        `<td class="text">${text(clip(event.text, 240))}</td><td class="key">${text(event.eventId)}</td></tr>`,
    )
    .join("")
  const more =
    events.length > limit
      ? `<p class="note">… and ${formatCount(events.length - limit)} more (audit --json lists them all).</p>`
      : ""
  return (
    '<table class="stranded"><thead><tr><th>enqueued</th><th>agent</th><th>source</th><th>origin key</th><th>queue</th><th>text</th><th>event id</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>${more}`
  )
}

const comparison = (recorded: AuditDocument, whatIf: AuditDocument) => {
  const was = new Map(recorded.agents.map((agent) => [agent.agentId, agent]))
  const cell = (before: number, after: number) =>
    `<td class="n${after > before ? " bad" : ""}">${formatCount(before)} → ${formatCount(after)}</td>`
  const rows = whatIf.agents
    .map((agent) => {
      const before = was.get(agent.agentId)
      return (
        `<tr><td>${text(agent.agentId)}</td>${cell(before?.stranded ?? 0, agent.stranded)}` +
        `${cell(before?.pruned ?? 0, agent.pruned)}<td class="n">${formatCount(before?.consumed ?? 0)} → ${formatCount(agent.consumed)}</td></tr>`
      )
    })
    .join("")
  return (
    "<table><thead><tr><th>agent</th><th class=n>stranded (recorded → what-if)</th><th class=n>lost to pruning</th><th class=n>consumed</th></tr></thead>" +
    `<tbody>${rows}</tbody></table>`
  )
}

/** A violated invariant's listed violations (the first 20), each with where it is in the log. */
const violationList = (check: Invariant<string>): string =>
  check.holds || check.violations === undefined
    ? ""
    : `<ol>${check.violations
        .map(
          (violation) =>
            `<li>${violation.position === undefined ? "" : `position ${formatCount(violation.position)}, `}${violation.streamId === undefined ? "" : `${text(violation.streamId)}: `}${text(violation.reason)}</li>`,
        )
        .join(
          "",
        )}</ol>${(check.violationCount ?? 0) > check.violations.length ? `<p class="note">… and ${formatCount((check.violationCount ?? 0) - check.violations.length)} more</p>` : ""}`

const invariantList = (checks: ReadonlyArray<Invariant<string>>): string =>
  `<ul class="inv">${checks
    .map(
      (check) =>
        `<li><span class="${check.holds ? "ok" : "ko"}">${check.holds ? "✓" : "✗"}</span> <b>${escapeHtml(check.name)}</b>: ${text(check.detail)}${violationList(check)}</li>`,
    )
    .join("")}</ul>`

export function renderHtmlReport(run: AuditRun): string {
  const document = run.recorded
  const whatIf = run.whatIf?.document
  const span =
    document.from === null
      ? "empty log"
      : `${formatInstant(Date.parse(document.from))} → ${formatInstant(Date.parse(document.to ?? document.from))}`
  const sections = [
    `<h1>heartbeat-ledger audit</h1>`,
    `<p class="meta">Store <code>${text(document.store)}</code> · ${formatCount(document.events)} events · ${escapeHtml(span)}` +
      `${document.agentFilter === null ? "" : ` · agent ${text(document.agentFilter)} only`}</p>`,
    `<h2>Totals (as recorded)</h2>${totalsCards(document)}`,
  ]
  if (whatIf !== undefined) {
    sections.push(
      `<h2>What-if: the same work under ${escapeHtml(whatIf.routing)} routing</h2>${totalsCards(whatIf)}`,
      `<p class="note">Each recorded source call replayed with its policy snapshot through a fresh ledger under ${escapeHtml(whatIf.routing)} routing; see docs/audit.md.</p>`,
      comparison(document, whatIf),
    )
  }
  sections.push(
    `<h2>Fates per agent</h2>${legend()}${fateChart(document)}`,
    fateTable(document),
    `<h2>Queue depth over time</h2><p class="note">Events of each agent's work still queued, over the log's time${whatIf === undefined ? "" : `; red: under ${escapeHtml(whatIf.routing)} routing`}.</p>`,
    depthCharts(run, document),
    `<h2>Latency enqueue → consumption, by source</h2>`,
    latencyCharts(run.recordedState, document.agentFilter),
    `<h2>Stranded events (${formatCount(document.stranded.length)})</h2>`,
    eventTable(document.stranded),
  )
  if (whatIf !== undefined) {
    sections.push(
      `<h2>Would have been stranded under ${escapeHtml(whatIf.routing)} routing (${formatCount(whatIf.stranded.length)})</h2>`,
      eventTable(whatIf.stranded),
    )
  }
  sections.push(`<h2>Invariants</h2>${invariantList(document.invariants)}`)
  if (document.observed !== undefined)
    sections.push(...observedHtmlSections(document.observed, text, invariantList))
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">${REPORT_MARKER}` +
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>heartbeat-ledger audit</title><style>${STYLE}</style></head>\n<body>\n${sections.join("\n")}\n</body></html>\n`
  )
}
