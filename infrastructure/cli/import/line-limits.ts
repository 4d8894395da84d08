/**
 * What recording could refuse, checked on the parsed line before anything is written
 * (docs/import-format.md, "Limits"): nesting deeper than any of our formats, characters a store
 * cannot keep in a stream name or id, and events over the store's size limit.
 */
import { MAX_EVENT_DATA_BYTES } from "../../../application/event-store.ts"
import { unstorableNameProblem } from "../../stores/append-rules.ts"
import { formatCount } from "../shared/format.ts"

/** Deeper than any line or recorded event we write (they nest 4 levels); checked without recursion. */
export const MAX_DEPTH = 64

export interface FieldProblem {
  readonly field: string
  readonly message: string
}

const pathOf = (path: ReadonlyArray<string | number>) => path.join(".")

/** A short, bounded quote of a value: never a megabyte of it in a message. */
export function quote(text: string): string {
  const shown = JSON.stringify(text.length > 32 ? text.slice(0, 32) : text)
  return text.length > 32 ? `${shown.slice(0, -1)}…" (${formatCount(text.length)} characters)` : shown
}

/** The first place `value` nests deeper than MAX_DEPTH, walked with an explicit stack. */
export function depthProblem(value: unknown): FieldProblem | undefined {
  const stack: Array<{
    readonly value: unknown
    readonly depth: number
    readonly path: ReadonlyArray<string | number>
  }> = [{ value, depth: 0, path: [] }]
  while (stack.length > 0) {
    const next = stack.pop()!
    if (typeof next.value !== "object" || next.value === null) continue
    if (next.depth >= MAX_DEPTH)
      return {
        field: pathOf(next.path.slice(0, 3)),
        message: `nested deeper than ${MAX_DEPTH} levels; no line of the format nests so deep`,
      }
    for (const [key, child] of Object.entries(next.value))
      stack.push({
        value: child,
        depth: next.depth + 1,
        path: [...next.path, Array.isArray(next.value) ? Number(key) : key],
      })
  }
  return undefined
}

/** Every string of a (depth-checked) value with its path, object keys included. */
function* stringsOf(
  value: unknown,
  path: ReadonlyArray<string | number> = [],
): Generator<{ readonly path: ReadonlyArray<string | number>; readonly text: string }> {
  if (typeof value === "string") yield { path, text: value }
  else if (Array.isArray(value))
    for (const [index, item] of value.entries()) yield* stringsOf(item, [...path, index])
  else if (typeof value === "object" && value !== null)
    for (const [key, item] of Object.entries(value)) {
      yield { path: [...path, key], text: key }
      yield* stringsOf(item, [...path, key])
    }
}

/**
 * Fields whose value is only ever copied into an event's text (once per event), or into nothing
 * that names a stream: a NUL or lone surrogate is kept faithfully there (the stores keep data
 * as JSON). Every other string may become part of a stream name (a queue key), and stores keep
 * names as text, which cannot hold those.
 */
export const FREE_TEXT_FIELDS: ReadonlySet<string> = new Set([
  "text",
  "output",
  "snippet",
  "hint",
  "command",
  "reason",
  "label",
  "provider",
  // an ACP relay line's child output and error message
  "delta",
  "error",
])

/** Fields the sources cut before they reach an event (exec and node output, ACP snippets). */
const TRUNCATED_FIELDS: ReadonlySet<string> = new Set(["output", "snippet"])

/**
 * NUL or a lone surrogate in a field that may name a stream (checked only when the line has a
 * `\u` escape: raw, neither can be in valid JSON read from valid UTF-8).
 */
export function unstorableKeyProblem(line: string, value: object): FieldProblem | undefined {
  if (!line.includes("\\u")) return undefined
  for (const { path, text } of stringsOf(value)) {
    if (FREE_TEXT_FIELDS.has(String(path[0]))) continue
    const problem = unstorableNameProblem(text)
    if (problem !== undefined) return { field: pathOf(path), message: `${problem} (got ${quote(text)})` }
  }
  return undefined
}

/**
 * A conservative bound on the encoded size of any one event a source, config or heartbeat line
 * records. Each string reaches an event's JSON at most as long as it is in the line (JSON.stringify
 * escapes no more than the line had to); a free-text field appears once per event; any other
 * string at most five times (queue key, origin, wake target and agent, context key or wake reason),
 * lower-cased (up to 1.5× the bytes): 8×. Ids, field names and up to 40 event ids are within
 * OVERHEAD_BYTES.
 */
export const KEY_WEIGHT = 8
export const OVERHEAD_BYTES = 4096
/** A truncated field contributes at most its cut: 400 UTF-16 units, 6 bytes each escaped. */
const TRUNCATED_MAX_BYTES = 2400

/**
 * Config and heartbeat lines share one event (a heartbeat's queue key may be a configured
 * `heartbeatSession`), so each gets half the limit.
 */
export const budgetOf = (kind: "source" | "config" | "heartbeat"): number =>
  kind === "source" ? MAX_EVENT_DATA_BYTES : MAX_EVENT_DATA_BYTES / 2

interface Contribution {
  readonly path: ReadonlyArray<string | number>
  readonly text: string
  readonly bytes: number
  readonly weight: number
}

/** The bound (above) on the encoded size of any one event the line records, and its largest term. */
export function eventSizeBound(value: object): { readonly bound: number; readonly largest?: Contribution } {
  let bound = OVERHEAD_BYTES
  let largest: Contribution | undefined
  for (const { path, text } of stringsOf(value)) {
    const top = String(path[0])
    const encoded = Buffer.byteLength(JSON.stringify(text), "utf8")
    const bytes = TRUNCATED_FIELDS.has(top) ? Math.min(encoded, TRUNCATED_MAX_BYTES) : encoded
    const weight = FREE_TEXT_FIELDS.has(top) ? 1 : KEY_WEIGHT
    bound += weight * bytes
    if (largest === undefined || weight * bytes > largest.weight * largest.bytes)
      largest = { path, text, bytes, weight }
  }
  return largest === undefined ? { bound } : { bound, largest }
}

export function sizeProblem(lineBytes: number, value: object, budget: number): FieldProblem | undefined {
  // The line's own length bounds every string in it: most lines are decided here.
  if (OVERHEAD_BYTES + KEY_WEIGHT * lineBytes <= budget) return undefined
  const { bound, largest } = eventSizeBound(value)
  if (bound <= budget || largest === undefined) return undefined
  const counted =
    largest.weight === 1 ? "" : `, counted ${largest.weight}× as it may be copied into queue keys and wakes`
  return {
    field: pathOf(largest.path),
    message: `too large to record: this line's events could reach ${formatCount(bound)} bytes, over the ${formatCount(budget)}-byte limit (this field is ${formatCount(largest.bytes)} bytes as JSON${counted}; got ${quote(largest.text)})`,
  }
}

/** A recorded event's data is appended as it is: its exact size. */
export function recordedSizeProblem(data: unknown): FieldProblem | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(data ?? null), "utf8")
  if (bytes <= MAX_EVENT_DATA_BYTES) return undefined
  return {
    field: "data",
    message: `too large to record: ${formatCount(bytes)} bytes as JSON, over the ${formatCount(MAX_EVENT_DATA_BYTES)}-byte limit`,
  }
}
