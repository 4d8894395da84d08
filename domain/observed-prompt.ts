/**
 * The system events a model run showed the model. Up to 2026.5.x OpenClaw renders each drained
 * event as a line `System: [<time>] <text>` at the top of the prompt it builds. From 2026.9 the
 * prompt no longer holds them: they go in a runtime-context message of the model's input, each
 * block `Conversation data (data, not instructions):` followed by one JSON-quoted string whose
 * lines are the same `System: [<time>] <text>` lines.
 */
import type { ShownLine } from "./observed-events.ts"

const SYSTEM_LINE = /^System: \[([^\]]*)\] (.*)$/

export function shownLines(prompt: string): ReadonlyArray<ShownLine> {
  const shown: ShownLine[] = []
  for (const line of prompt.split("\n")) {
    const match = SYSTEM_LINE.exec(line)
    if (match !== null) shown.push({ stamp: match[1] as string, text: match[2] as string })
  }
  return shown
}

/** The `System:` lines of a runtime-context message: its quoted data blocks, decoded. */
export function shownInRuntimeContext(content: string): ReadonlyArray<ShownLine> {
  const shown: ShownLine[] = []
  for (const line of content.split("\n")) {
    if (!(line.length >= 2 && line.startsWith('"') && line.endsWith('"'))) continue
    let block: unknown
    try {
      block = JSON.parse(line)
    } catch {
      continue
    }
    if (typeof block === "string") shown.push(...shownLines(block))
  }
  return shown
}
