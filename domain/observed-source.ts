/**
 * Which source produced an entry a real gateway queued. The queue entry does not say: it is
 * inferred from the texts and contextKeys OpenClaw's sources write (domain.md §6), so an
 * audit can give latency per source and know which entries the fix remaps.
 */
import type { ObservedEntry } from "./observed-events.ts"
import { isExecCompletionEvent } from "./system-event-text.ts"

export const OBSERVED_SOURCES = ["exec-exit", "node-event", "cron", "exec-notice", "injected"] as const
export type ObservedSource = (typeof OBSERVED_SOURCES)[number]

/** `Exec started|finished|denied (node=…`: a node's exec report (server-node-events). */
const NODE_EXEC = /^exec (started|finished|denied) \(node=/i

export function observedSourceOf(entry: Pick<ObservedEntry, "text" | "contextKey">): ObservedSource {
  // Node reports first: `Exec finished (node=…)` would also pass the exec-completion test.
  if (NODE_EXEC.test(entry.text.trimStart())) return "node-event"
  if (isExecCompletionEvent(entry.text)) return "exec-exit"
  const contextKey = entry.contextKey?.trim().toLowerCase() ?? ""
  if (contextKey.startsWith("cron:")) return "cron"
  if (contextKey.startsWith("exec")) return "exec-notice"
  // `openclaw system event`, hooks, background-task notices and raw queue-API calls.
  return "injected"
}

/** The sources whose enqueue the fix (PR #80214) remaps; the others enqueue under the key given. */
export const isRemappedSource = (source: ObservedSource): boolean =>
  source === "exec-exit" || source === "exec-notice" || source === "node-event"
