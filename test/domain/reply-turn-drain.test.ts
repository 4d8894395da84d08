/** The reply-turn drain (domain/reply-turn-drain.ts) and the gateway session key, by example. */
import { describe, expect, it } from "vitest"
import { formatUtcSystemEventTimestamp, planReplyTurnDrain } from "../../domain/reply-turn-drain.ts"
import { resolveSessionStoreKey } from "../../domain/session-store-key.ts"

const AT = Date.UTC(2026, 4, 12, 9, 48, 1)

describe("planReplyTurnDrain", () => {
  it("shows and consumes all but exec completions, which stay for the heartbeat", () => {
    const events = [
      { text: "Cron: backup done", ts: AT, trusted: true },
      { text: "Exec completed (amber-at, code 0) :: ok", ts: AT, trusted: false },
      { text: "Hook:\nline two", ts: AT + 1000, trusted: false },
    ]
    const drain = planReplyTurnDrain(events)
    expect(drain.consumed).toEqual([events[0], events[2]])
    expect(drain.block).toBe(
      [
        "System: [2026-05-12T09:48:01Z] Cron: backup done",
        "System (untrusted): [2026-05-12T09:48:02Z] Hook:",
        "System (untrusted): line two",
      ].join("\n"),
    )
  })

  it("consumes heartbeat chatter unseen and strips a node's last-input age", () => {
    const drain = planReplyTurnDrain([
      { text: "heartbeat poll", ts: AT },
      { text: "Read HEARTBEAT.md first", ts: AT },
      { text: "Node: pi · last input 5m ago · online", ts: AT },
    ])
    expect(drain.consumed).toHaveLength(3)
    expect(drain.block).toBe("System: [2026-05-12T09:48:01Z] Node: pi· online")
    expect(planReplyTurnDrain([{ text: "HEARTBEAT wake", ts: AT }]).block).toBeUndefined()
  })

  it("formats UTC timestamps as OpenClaw does, including far dates", () => {
    expect(formatUtcSystemEventTimestamp(0)).toBe("1970-01-01T00:00:00Z")
    expect(formatUtcSystemEventTimestamp(-1)).toBe("1969-12-31T23:59:59Z")
    expect(formatUtcSystemEventTimestamp(Date.UTC(2000, 1, 29, 23, 59, 59))).toBe("2000-02-29T23:59:59Z")
    expect(formatUtcSystemEventTimestamp(Number.NaN)).toBe("unknown-time")
  })
})

describe("resolveSessionStoreKey (the gateway's canonical session key)", () => {
  it.each([
    ["node-n1", {}, "agent:main:node-n1"],
    ["  AGENT:Ops:Slack:C1 ", {}, "agent:ops:slack:c1"],
    ["main", { mainKey: "Work" }, "agent:main:work"],
    ["work", { mainKey: "Work" }, "agent:main:work"],
    ["agent:ops:main", { mainKey: "work" }, "agent:ops:work"],
    ["agent:ops:main", { scope: "global" as const }, "global"],
    ["Global", {}, "global"],
    ["agent:x", {}, "agent:x"],
    ["", {}, ""],
  ])("%j %j → %j", (key, policy, expected) => {
    expect(resolveSessionStoreKey(key, policy)).toBe(expected)
  })
})
