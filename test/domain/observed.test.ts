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

  // The heartbeat's exec prompt as 2026.5.12 words it (heartbeat-events-filter).
  const relay =
    "Please relay the command output to the user in a helpful way. If the command succeeded, share the relevant output."
  it("reads the completions of an exec prompt's details block, and not the lines around it", () => {
    const prompt = [
      "An async command you ran earlier has completed. The command completion details are:",
      "",
      "Exec completed (brisk-cove, code 0) :: e2e-exec-done one",
      "Exec failed (calm-reef, code 2) :: boom",
      "second output line",
      "",
      relay,
      "Exec completed (not-shown, code 0) :: after the block",
    ].join("\n")
    expect(shownLines(prompt)).toEqual([
      { stamp: "", text: "Exec completed (brisk-cove, code 0) :: e2e-exec-done one" },
      { stamp: "", text: "Exec failed (calm-reef, code 2) :: boom" },
    ])
  })
  it("reads a failure without output as the completion queued, and nothing when delivery is off", () => {
    const missing = [
      "An async command you ran earlier completed without captured stdout/stderr. The completion details are:",
      "",
      "Exec failed (calm-reef, code 1) without captured stdout/stderr.",
      "",
      "Tell the user the command completed without captured output and include the exit status or signal.",
    ].join("\n")
    expect(shownLines(missing)).toEqual([{ stamp: "", text: "Exec failed (calm-reef, code 1)" }])
    const disabled =
      "An async command completion event was triggered, but user delivery is disabled for this run. Handle the result internally and reply HEARTBEAT_OK only."
    expect(shownLines(disabled)).toEqual([])
    // Outside a details block an Exec line is not shown.
    expect(shownLines("Exec completed (brisk-cove, code 0) :: e2e")).toEqual([])
  })
})
