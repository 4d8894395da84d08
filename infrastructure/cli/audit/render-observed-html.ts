/**
 * The observed part of the HTML report: the observers and our model of their release, the
 * fates per agent, the stranded observed events, the divergences with the facts around them
 * and the observed invariants — the same content as the text report (render-observed-text.ts),
 * every untrusted text escaped.
 */
import { clip, formatCount, formatInstant } from "../shared/format.ts"
import type { ObservedDocument } from "./observed-document.ts"
import { escapeHtml } from "./svg-charts.ts"

const FATE_COLUMNS = [
  ["enqueued", "observed"],
  ["shown", "shown"],
  ["consumedUnshown", "consumed unshown"],
  ["evicted", "evicted"],
  ["deletedWithSession", "deleted with session"],
  ["lostWithGateway", "lost with the gateway"],
  ["pending", "pending"],
  ["stranded", "stranded"],
] as const

const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, css = ""): string =>
  `<table${css === "" ? "" : ` class="${css}"`}><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead>` +
  `<tbody>${rows.map((row) => `<tr>${row.join("")}</tr>`).join("")}</tbody></table>`

/**
 * `text`: the report's escaping of untrusted text; `invariants`: its rendering of an invariant
 * list (render-html.ts), so both parts look alike.
 */
export function observedHtmlSections(
  observed: ObservedDocument,
  text: (value: string) => string,
  invariants: (checks: ObservedDocument["invariants"]) => string,
): ReadonlyArray<string> {
  const n = formatCount
  const cell = (value: string) => `<td>${value}</td>`
  const number = (value: number, bad = false) =>
    `<td class="n${bad && value > 0 ? " bad" : ""}">${n(value)}</td>`
  const observers = observed.observers
    .map(
      (o) =>
        `<li>observer <code>${text(o.observerId)}</code>: openclaw ${text(o.openclawVersion)} — our model: ${escapeHtml(o.model)} routing` +
        `${o.modelKnown ? "" : " (version not understood: assumed)"}${o.queueMapReadable ? "" : ' — <span class="ko">queue map not readable</span>'}</li>`,
    )
    .join("")
  const agentRows = observed.agents.map((agent) => [
    cell(text(agent.agentId)),
    cell(agent.drains.map((d) => `${text(d.sessionKey)}${d.seen ? "" : " (model)"}`).join(", ")),
    ...FATE_COLUMNS.map(([key]) => number(agent[key], key === "stranded")),
  ])
  const stranded = observed.events.filter((event) => event.fate === "stranded")
  const strandedRows = stranded.map((event) => [
    cell(escapeHtml(formatInstant(Date.parse(event.enqueuedAt)))),
    cell(text(event.agentId)),
    cell(escapeHtml(event.source)),
    `<td class="key">${text(event.sessionKey)}</td>`,
    `<td class="key">${escapeHtml(event.model.routing)}: ${text(event.model.origin)} → ${text(event.model.queueKey)}</td>`,
    `<td class="text">${text(clip(event.text, 240))}</td>`,
  ])
  const divergences = observed.divergences
    .map(
      (d) =>
        `<li><b>${escapeHtml(d.kind)}</b> ${text(d.detail)}<ol>${d.around
          .map(
            (fact) =>
              `<li${fact.position === d.position ? ' class="ko"' : ""}>position ${n(fact.position)}, ${escapeHtml(formatInstant(Date.parse(fact.at)))} ${escapeHtml(fact.type)}${fact.sessionKey === null ? "" : ` ${text(fact.sessionKey)}`}: ${text(clip(fact.summary, 160))}</li>`,
          )
          .join("")}</ol></li>`,
    )
    .join("")
  return [
    `<h2>Observed gateway</h2><ul>${observers}</ul>`,
    table(
      ["agent", "heartbeat drains", ...FATE_COLUMNS.map(([, label]) => `<span class=n>${label}</span>`)],
      agentRows,
    ),
    `<h2>Observed stranded events (${n(stranded.length)})</h2>`,
    table(
      ["enqueued", "agent", "source", "queue", "model (origin → queue)", "text"],
      strandedRows,
      "stranded",
    ),
    `<h2>Divergences from our model (${n(observed.divergences.length)})</h2>`,
    observed.divergences.length === 0 ? '<p class="note">None.</p>' : `<ul>${divergences}</ul>`,
    `<h2>Observed invariants</h2>${invariants(observed.invariants)}`,
  ]
}
