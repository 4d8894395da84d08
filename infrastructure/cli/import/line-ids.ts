/**
 * Deterministic ids for an import, derived from what each line IS, never from where it is: the
 * same fact imported again — from the same file, a longer one (a log that grew), another file
 * holding the line, or by several imports at once — gets the same ids, and the store, whose ids
 * are idempotency keys store-wide, stores it once.
 *
 * A line's identity is SHA-256 of its canonical content (the decoded line as JSON with sorted
 * keys: whitespace and key order do not matter, values do) and of its occurrence among the
 * file's identical lines (the first, second, … such line: two identical lines are two facts).
 * Every id is an RFC 9562 version-8 (custom) UUID of SHA-256(identity, role, index): role
 * `event` for the store ids of the line's events (by index in the line's one decision), role
 * `domain` for the ids the ledger hands out while deciding (the system event's id is index 0;
 * wake and run ids follow). The store id of a line's first event is its marker: stored, the
 * line is recorded (docs/import-format.md).
 */
import { createHash } from "node:crypto"
import { Effect } from "effect"
import { Ids } from "../../../application/ids.ts"
import type { ImportLine } from "./import-line.ts"

/** 32 bytes naming one line's fact. */
export type LineIdentity = Uint8Array

const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonical(field)}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}

/** The identity of each line, in order: its canonical content and its occurrence among equals. */
export function lineIdentities(lines: ReadonlyArray<ImportLine>): LineIdentity[] {
  const seen = new Map<string, number>()
  return lines.map((line) => {
    const content = canonical(line)
    const occurrence = (seen.get(content) ?? 0) + 1
    seen.set(content, occurrence)
    return createHash("sha256")
      .update("heartbeat-ledger/import-line/v1\0")
      .update(content)
      .update(`\0${occurrence}`)
      .digest()
  })
}

export type IdRole = "event" | "domain"

/** The `index`-th id of a line in a role. */
export function lineId(identity: LineIdentity, role: IdRole, index: number): string {
  const b = createHash("sha256").update(identity).update(`\0${role}\0${index}`).digest().subarray(0, 16)
  b[6] = 0x80 | ((b[6] as number) & 0x0f)
  b[8] = 0x80 | ((b[8] as number) & 0x3f)
  const h = Buffer.from(b).toString("hex")
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** The store id of the line's first event: stored means the line's decision is committed. */
export const markerOf = (identity: LineIdentity): string => lineId(identity, "event", 0)

/** Hands out the ids of one line after another (what the ledger's Ids service reads). */
export class LineIdCursor {
  private identity: LineIdentity = new Uint8Array(32)
  private k = 0
  /** The sizes the ledger asked store ids for, on this line: one entry per decision attempt. */
  private asked: number[] = []

  /** Starts a line; its system event's id (domain 0) is returned, the ledger takes 1, 2, … */
  startLine(identity: LineIdentity): string {
    this.identity = identity
    this.k = 1
    this.asked = []
    return lineId(identity, "domain", 0)
  }

  next(): string {
    return lineId(this.identity, "domain", this.k++)
  }

  /** The store ids of the line's decision: the same for every attempt. */
  eventIds(count: number): string[] {
    this.asked.push(count)
    return Array.from({ length: count }, (_, index) => lineId(this.identity, "event", index))
  }

  /** How many events the line's decision appended on its only attempt; undefined after retries or none. */
  singleAttemptEvents(): number | undefined {
    return this.asked.length === 1 ? this.asked[0] : this.asked.length === 0 ? 0 : undefined
  }
}

/** The ledger's Ids service reading the cursor. */
export const importIds = (cursor: LineIdCursor) =>
  Ids.of({
    next: Effect.sync(() => cursor.next()),
    eventIds: (count) => Effect.sync(() => cursor.eventIds(count)),
  })
