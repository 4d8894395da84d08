/**
 * What changed between two snapshots of the gateway's queue map: the entries that appeared
 * and the ones that left. An entry is known by its session key and its identity (OpenClaw's
 * own id where a release gives one, else its enqueue time and text), counted as a multiset:
 * two identical entries are two.
 */
import type { ObservedEntry } from "./observed-events.ts"

export interface SnapshotEntry {
  /** Stable across snapshots for the same queue entry. */
  readonly identity: string
  readonly entry: ObservedEntry
}

/** session key → its queue's entries, in queue order. */
export type QueueSnapshot = ReadonlyMap<string, ReadonlyArray<SnapshotEntry>>

export interface QueueChange {
  readonly appeared: ReadonlyArray<{ readonly sessionKey: string; readonly entry: SnapshotEntry }>
  readonly left: ReadonlyArray<{
    readonly sessionKey: string
    readonly entry: SnapshotEntry
    readonly queueDeleted: boolean
  }>
}

const counts = (entries: ReadonlyArray<SnapshotEntry>): Map<string, SnapshotEntry[]> => {
  const byIdentity = new Map<string, SnapshotEntry[]>()
  for (const entry of entries) {
    const same = byIdentity.get(entry.identity) ?? []
    same.push(entry)
    byIdentity.set(entry.identity, same)
  }
  return byIdentity
}

export function diffQueues(before: QueueSnapshot, after: QueueSnapshot): QueueChange {
  const appeared: Array<QueueChange["appeared"][number]> = []
  const left: Array<QueueChange["left"][number]> = []
  const keys = new Set([...before.keys(), ...after.keys()])
  for (const sessionKey of keys) {
    const then = before.get(sessionKey)
    const now = after.get(sessionKey)
    // The same entries object: a reader that saw the queue unchanged handed back the last read.
    if (then === now) continue
    const was = counts(then ?? [])
    const queueDeleted = now === undefined
    for (const entry of now ?? []) {
      const remaining = was.get(entry.identity)
      if (remaining !== undefined && remaining.length > 0) remaining.shift()
      else appeared.push({ sessionKey, entry })
    }
    for (const remaining of was.values())
      for (const entry of remaining) left.push({ sessionKey, entry, queueDeleted })
  }
  return { appeared, left }
}
