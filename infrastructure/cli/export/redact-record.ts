/**
 * `export --redact`: every text a record carries — a ledger event's text, an observed entry's
 * text, a prompt's shown line — replaced by a fingerprint, `sha256:<first 16 hex>` of the line,
 * line by line. The same line always gives the same fingerprint, so a redacted log still pairs
 * each shown line with its enqueue (an entry's first line and the prompt's line fingerprint
 * alike) and still tells repeats apart. The machine-made head of an exec completion or a node
 * report (`Exec completed (abcd1234, code 0)`, `Exec finished (node=`) is kept, so the source of
 * an entry and the heartbeat's exec prompt read the same; what follows it is fingerprinted.
 * Session keys, ids, times and delivery routes are kept: they are what the audit is about.
 */
import { createHash } from "node:crypto"
import type { RecordedEvent } from "../../../application/event-store.ts"

export const fingerprint = (text: string): string =>
  `sha256:${createHash("sha256").update(text, "utf8").digest("hex").slice(0, 16)}`

/** Heads OpenClaw's sources write, kept verbatim (domain/system-event-text.ts, observed-source.ts). */
const KEPT_HEADS = [
  /^\s*exec (?:completed|failed) \([a-z0-9_-]{1,64}, (?:code -?\d+|signal [^)]+)\)(?: :: )?/i,
  /^\s*exec (?:started|finished|denied) \(node=/i,
  /^\s*exec finished(?::|\s*\()/i,
]

/** One line: its kept head (if any), the rest as a fingerprint; a blank line stays as it is. */
export function redactLine(line: string): string {
  if (line.trim() === "") return line
  for (const head of KEPT_HEADS) {
    const match = head.exec(line)
    if (match === null) continue
    const rest = line.slice(match[0].length)
    return rest === "" ? match[0] : `${match[0]}${fingerprint(rest)}`
  }
  return fingerprint(line)
}

/** A text, line by line: its first line redacts as a prompt's shown line of it does. */
export const redactText = (text: string): string => text.split("\n").map(redactLine).join("\n")

type Data = Record<string, unknown>
const isData = (value: unknown): value is Data => typeof value === "object" && value !== null

const withText = (data: Data, redact: (text: string) => string): Data =>
  typeof data.text === "string" ? { ...data, text: redact(data.text) } : data

/** The record's data with every text redacted (the record decoded first: the shapes are known). */
export function redactData(record: Pick<RecordedEvent, "type" | "data">): unknown {
  const data = record.data
  if (!isData(data)) return data
  switch (record.type) {
    case "SystemEventEnqueued":
    case "SystemEventRejected":
      return withText(data, redactText)
    case "ObservedEnqueued":
      return isData(data.entry) ? { ...data, entry: withText(data.entry, redactText) } : data
    case "ObservedPromptBuilt":
      return Array.isArray(data.shown)
        ? { ...data, shown: data.shown.map((line) => (isData(line) ? withText(line, redactLine) : line)) }
        : data
    default:
      return data
  }
}
