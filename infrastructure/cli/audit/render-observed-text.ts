/**
 * The observed part of the text audit: each observer and our model of its release, per agent
 * the queues its heartbeat drains and every observed event's fate, latency by source, the
 * stranded events, the divergences with the facts around them, and the observed invariants.
 * Untrusted text (entry texts, keys) is escaped.
 */
import { clip, formatCount, formatInstant } from "../shared/format.ts"
import { renderTable } from "../shared/table.ts"
import type { Colours } from "../shared/terminal.ts"
import { safeText } from "../shared/terminal.ts"
import { type ObservedDocument, observedStrandedUnder } from "./observed-document.ts"
import { renderInvariantLines, renderLatencyLines } from "./render-text.ts"

const MAX_LISTED = 15

/** `whatIf`: the routing of a what-if audit, whose would-be stranded observed events are listed too. */
export function renderObservedText(
  observed: ObservedDocument,
  c: Colours,
  whatIf?: "fixed" | "legacy",
): string {
  const out: string[] = []
  const n = formatCount
  out.push(c.bold("Observed gateway") + c.dim(" (facts the OpenClaw plugin recorded)"))
  for (const observer of observed.observers) {
    const model = `${observer.model} routing${observer.modelKnown ? "" : ", version not understood: assumed"}`
    out.push(
      `  observer ${safeText(observer.observerId)}: openclaw ${safeText(observer.openclawVersion)}` +
        c.dim(` — our model: ${model}; started ${formatInstant(Date.parse(observer.startedAt))}`) +
        (observer.queueMapReadable ? "" : c.red(" — queue map not readable")),
    )
  }
  out.push("")
  const strandedCell = (count: number) => (count > 0 ? c.red(n(count)) : n(count))
  const rows = observed.agents.map((agent) => [
    safeText(agent.agentId),
    agent.drains.length === 0
      ? c.dim("—")
      : agent.drains.map((d) => safeText(d.sessionKey) + (d.seen ? "" : c.dim(" (model)"))).join(", "),
    n(agent.enqueued),
    n(agent.shown),
    n(agent.consumedUnshown),
    n(agent.evicted),
    n(agent.deletedWithSession),
    n(agent.lostWithGateway),
    n(agent.pending),
    strandedCell(agent.stranded),
  ])
  const t = observed.totals
  rows.push([
    c.bold("total"),
    "",
    n(t.enqueued),
    n(t.shown),
    n(t.consumedUnshown),
    n(t.evicted),
    n(t.deletedWithSession),
    n(t.lostWithGateway),
    n(t.pending),
    strandedCell(t.stranded),
  ])
  out.push(
    renderTable(
      [
        "agent",
        "heartbeat drains",
        "observed",
        "shown",
        "unshown",
        "evicted",
        "deleted",
        "lost",
        "pending",
        "stranded",
      ],
      rows,
      ["left", "left", "right", "right", "right", "right", "right", "right", "right", "right"],
    ),
  )
  if (t.shownUnobserved > 0 || t.lost > 0 || t.whatIfStranded > 0)
    out.push(
      c.dim(
        `  ${n(t.shownUnobserved)} prompt line(s) shown but never seen queued; ${n(t.lost)} observation(s) lost; ` +
          `${n(t.whatIfStranded)} event(s) the other routing would strand (what-if, origin known)`,
      ),
    )
  out.push("")
  out.push(
    ...renderLatencyLines(observed.agents, c, {
      title: "Latency enqueue → shown",
      note: " (p50 / p95 / max, by inferred source)",
      count: "shown",
      none: "  nothing shown yet",
    }),
  )
  out.push("")
  out.push(
    ...renderObservedStranded(
      observed.events.filter((event) => event.fate === "stranded"),
      c,
      "Observed stranded",
    ),
  )
  if (whatIf !== undefined) {
    out.push("")
    out.push(
      ...renderObservedStranded(
        observedStrandedUnder(observed, whatIf),
        c,
        `Observed events stranded under ${whatIf} routing (as observed, or what-if where the origin is known)`,
      ),
    )
  }
  out.push("")
  if (observed.divergences.length === 0)
    out.push(`${c.bold("Divergences from our model")}: ${c.green("none")}`)
  else {
    out.push(`${c.bold("Divergences from our model")}: ${c.red(n(observed.divergences.length))}`)
    for (const divergence of observed.divergences.slice(0, MAX_LISTED)) {
      out.push(`  ${c.red(divergence.kind)} ${safeText(divergence.detail)}`)
      for (const fact of divergence.around)
        out.push(
          c.dim(
            `      ${fact.position === divergence.position ? "→" : " "} ${formatCount(fact.position)} ${formatInstant(Date.parse(fact.at))} ${fact.type}${fact.sessionKey === null ? "" : ` ${safeText(fact.sessionKey)}`}: `,
          ) + safeText(clip(fact.summary, 80)),
        )
    }
    if (observed.divergences.length > MAX_LISTED)
      out.push(c.dim(`  … and ${n(observed.divergences.length - MAX_LISTED)} more (--json lists them all)`))
  }
  out.push("")
  out.push(c.bold("Observed invariants"), ...renderInvariantLines(observed.invariants, c))
  return out.join("\n")
}

function renderObservedStranded(stranded: ObservedDocument["events"], c: Colours, title: string): string[] {
  const out: string[] = []
  const n = formatCount
  if (stranded.length === 0) out.push(`${c.bold(title)}: ${c.green("none")}`)
  else {
    out.push(
      `${c.bold(title)}: ${c.red(n(stranded.length))} ${c.dim("(queued where no heartbeat drains them)")}`,
    )
    out.push(
      renderTable(
        ["enqueued", "agent", "source", "queue", "model (origin → queue)", "text"],
        stranded
          .slice(0, MAX_LISTED)
          .map((event) => [
            formatInstant(Date.parse(event.enqueuedAt)),
            safeText(event.agentId),
            event.source,
            safeText(event.sessionKey),
            `${event.model.routing}: ${safeText(event.model.origin)} → ${safeText(event.model.queueKey)}${event.model.originKnown ? "" : c.dim(" (origin assumed)")}` +
              (event.whatIf === null
                ? ""
                : c.dim(`; ${event.whatIf.routing}: → ${safeText(event.whatIf.queueKey)}`)),
            safeText(clip(event.text, 60)),
          ]),
        ["left", "left", "left", "left", "left", "left"],
      ),
    )
    if (stranded.length > MAX_LISTED)
      out.push(c.dim(`  … and ${n(stranded.length - MAX_LISTED)} more (--json lists them all)`))
  }
  return out
}
