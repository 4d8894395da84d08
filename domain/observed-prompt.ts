/**
 * The system events a model run showed the model. Up to 2026.5.x OpenClaw renders each drained
 * event as a line `System: [<time>] <text>` at the top of the prompt it builds. From 2026.9 the
 * prompt no longer holds them: they go in a runtime-context message of the model's input, each
 * block `Conversation data (data, not instructions):` followed by one JSON-quoted string whose
 * lines are the same `System: [<time>] <text>` lines.
 *
 * Exec completions are never `System:` lines: a heartbeat woken for them gets OpenClaw's exec
 * prompt instead, whose "completion details are:" block holds each completion's text as queued
 * (`Exec completed (<id>, code 0) :: <output>`; a success with no output is left out, a failure
 * without output is reworded `Exec failed (<id>, <result>) without captured stdout/stderr.`).
 * Only when the heartbeat can deliver to a user: otherwise the prompt says "user delivery is
 * disabled" and shows no text. A completion shown this way has an empty stamp.
 */
import type { ShownLine } from "./observed-events.ts"

const SYSTEM_LINE = /^System: \[([^\]]*)\] (.*)$/

/** The header of the exec prompt's block (both wordings: with and without captured output). */
const EXEC_DETAILS = /completion details are:$/
const EXEC_LINE = /^Exec (completed|failed) \([a-z0-9_-]{1,64}, (code -?\d+|signal [^)]+)\)/i
const NO_OUTPUT = / without captured stdout\/stderr\.$/

export function shownLines(prompt: string): ReadonlyArray<ShownLine> {
  const shown: ShownLine[] = []
  let inExecDetails = false
  for (const line of prompt.split("\n")) {
    const match = SYSTEM_LINE.exec(line)
    if (match !== null) shown.push({ stamp: match[1] as string, text: match[2] as string })
    else if (EXEC_DETAILS.test(line)) inExecDetails = true
    // The block ends at the instructions after it; a completion's own output lines are not
    // completions (the first line is what an entry is matched by).
    else if (inExecDetails && /^(Please relay|Tell the user) /.test(line)) inExecDetails = false
    else if (inExecDetails && EXEC_LINE.test(line))
      shown.push({ stamp: "", text: line.replace(NO_OUTPUT, "") })
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
