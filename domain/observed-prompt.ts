/**
 * The system events a prompt showed the model: OpenClaw renders each drained event as a line
 * `System: [<time>] <text>` at the top of the prompt it builds.
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
