/**
 * Reads OpenClaw's process-global system-event queue map
 * (`globalThis[Symbol.for("openclaw.systemEvents.queues")]`: session key → `{ queue, … }`)
 * read-only, shape-checked entry by entry. Nothing here writes to it or wraps it: the gateway
 * keeps doing exactly what it does. A shape we do not know yields an error, on which the
 * observer turns the queue part off with one warning.
 */
import type { ObservedEntry } from "../../domain/observed-events.ts"
import type { QueueSnapshot, SnapshotEntry } from "../../domain/observed-queue-diff.ts"

export const QUEUE_MAP_SYMBOL = Symbol.for("openclaw.systemEvents.queues")

/** The fields we interpret; any other field of an entry is named in `otherFields`. */
const KNOWN_FIELDS = new Set(["text", "ts", "contextKey", "trusted", "deliveryContext"])

export class UnknownQueueShape extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

function readEntry(sessionKey: string, item: unknown): SnapshotEntry {
  if (!isRecord(item) || typeof item.text !== "string" || typeof item.ts !== "number")
    throw new UnknownQueueShape(`an entry of queue "${sessionKey}" has no string text and numeric ts`)
  const entry: {
    text: string
    ts: number
    contextKey?: string
    trusted?: boolean
    deliveryContext?: Record<string, string>
    otherFields?: string[]
  } = { text: item.text, ts: Math.trunc(item.ts) }
  if (typeof item.contextKey === "string") entry.contextKey = item.contextKey
  if (typeof item.trusted === "boolean") entry.trusted = item.trusted
  if (isRecord(item.deliveryContext)) {
    const route: Record<string, string> = {}
    for (const [field, value] of Object.entries(item.deliveryContext))
      if (typeof value === "string" || typeof value === "number") route[field] = String(value)
    entry.deliveryContext = route
  }
  const other = Object.keys(item).filter((field) => !KNOWN_FIELDS.has(field))
  if (other.length > 0) entry.otherFields = other
  // A release that gives entries an id names them by it; otherwise enqueue time and text do.
  const identity = typeof item.id === "string" ? `id:${item.id}` : `ts:${entry.ts}\u0000${entry.text}`
  return { identity, entry: entry as ObservedEntry }
}

/** What a queue looked like at the last read, to tell cheaply whether it changed since. */
interface SeenQueue {
  readonly array: ReadonlyArray<unknown>
  readonly length: number
  readonly first: unknown
  readonly last: unknown
  readonly entries: ReadonlyArray<SnapshotEntry>
}

/**
 * Reads the map poll after poll, re-reading only what changed. OpenClaw appends entries at a
 * queue's end and removes them (splice, shift, a filtered copy), and never edits one in place:
 * a queue whose array, length, first and last entry are the ones of the last read is unchanged,
 * and its previous entries (the same array object, which the diff skips) stand; an entry object
 * already read is not read again. A poll where nothing changed hands back the last snapshot
 * itself: one look at each queue instead of a read of every entry.
 */
export class QueueMapReader {
  private seen = new Map<string, SeenQueue>()
  private last: QueueSnapshot | undefined
  private readonly read = new WeakMap<object, SnapshotEntry>()

  /** The map's current content, or undefined when OpenClaw has not created it yet. */
  snapshot(global: object = globalThis): QueueSnapshot | undefined {
    const map = (global as Record<symbol, unknown>)[QUEUE_MAP_SYMBOL]
    if (map === undefined) return undefined
    if (!(map instanceof Map)) throw new UnknownQueueShape("the queue map is not a Map")
    const snapshot = new Map<string, ReadonlyArray<SnapshotEntry>>()
    const seen = new Map<string, SeenQueue>()
    let changed = map.size !== this.seen.size
    for (const [sessionKey, state] of map as Map<unknown, unknown>) {
      if (typeof sessionKey !== "string") throw new UnknownQueueShape("a queue map key is not a string")
      if (!isRecord(state) || !Array.isArray(state.queue))
        throw new UnknownQueueShape(`queue "${sessionKey}" has no queue array`)
      const array: ReadonlyArray<unknown> = state.queue
      const before = this.seen.get(sessionKey)
      const unchanged =
        before !== undefined &&
        before.array === array &&
        before.length === array.length &&
        before.first === array[0] &&
        before.last === array[array.length - 1]
      if (!unchanged) changed = true
      const entries = unchanged ? before.entries : array.map((item) => this.entry(sessionKey, item))
      seen.set(sessionKey, {
        array,
        length: array.length,
        first: array[0],
        last: array[array.length - 1],
        entries,
      })
      snapshot.set(sessionKey, entries)
    }
    this.seen = seen
    // Nothing changed: the last snapshot itself, which the observer compares by reference.
    if (!changed && this.last !== undefined) return this.last
    this.last = snapshot
    return snapshot
  }

  private entry(sessionKey: string, item: unknown): SnapshotEntry {
    if (typeof item !== "object" || item === null) return readEntry(sessionKey, item)
    const known = this.read.get(item)
    if (known !== undefined) return known
    const entry = readEntry(sessionKey, item)
    this.read.set(item, entry)
    return entry
  }
}

/** The map's current content read afresh, or undefined when OpenClaw has not created it yet. */
export const readQueueMap = (global: object = globalThis): QueueSnapshot | undefined =>
  new QueueMapReader().snapshot(global)
