import { describe, expect, it } from "vitest"
import type { ObservedEntry } from "../../domain/observed-events.ts"
import { shownLines } from "../../domain/observed-prompt.ts"
import { diffQueues, type SnapshotEntry } from "../../domain/observed-queue-diff.ts"

const entry = (text: string, ts: number): SnapshotEntry => ({
  identity: `ts:${ts}\u0000${text}`,
  entry: { text, ts } satisfies ObservedEntry,
})

describe("diffQueues", () => {
  it("finds what appeared and what left, counting identical entries as many", () => {
    const a = entry("a", 1)
    const b = entry("b", 2)
    const before = new Map([
      ["k1", [a, a]],
      ["k2", [b]],
    ])
    const after = new Map([["k1", [a, entry("c", 3)]]])
    const change = diffQueues(before, after)
    expect(change.appeared).toEqual([{ sessionKey: "k1", entry: entry("c", 3) }])
    expect(change.left).toEqual([
      { sessionKey: "k1", entry: a, queueDeleted: false },
      { sessionKey: "k2", entry: b, queueDeleted: true },
    ])
  })

  it("sees no change between equal snapshots", () => {
    const snapshot = new Map([["k", [entry("x", 5)]]])
    expect(diffQueues(snapshot, new Map(snapshot))).toEqual({ appeared: [], left: [] })
  })
})

describe("shownLines", () => {
  it("reads the System: [time] text lines of a prompt, and nothing else", () => {
    const prompt =
      "System: [2026-12-01 10:22:40 UTC] first\nSystem: [2026-12-01 10:22:41 UTC] second one\n\nRead HEARTBEAT.md"
    expect(shownLines(prompt)).toEqual([
      { stamp: "2026-12-01 10:22:40 UTC", text: "first" },
      { stamp: "2026-12-01 10:22:41 UTC", text: "second one" },
    ])
    expect(shownLines("no events here\nSystem: not a line")).toEqual([])
  })
})
