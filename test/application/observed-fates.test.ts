import { describe, expect, it } from "vitest"
import { accountObserved } from "../../application/projections/observed-fates.ts"
import type { ObservedEvent } from "../../domain/observed-events.ts"

const enqueued = (id: string, sessionKey: string, text: string, ts: number): ObservedEvent => ({
  _tag: "ObservedEnqueued",
  observationId: id,
  sessionKey,
  entry: { text, ts },
  at: ts,
})
const removed = (id: string, sessionKey: string, at: number): ObservedEvent => ({
  _tag: "ObservedRemoved",
  observationId: id,
  sessionKey,
  how: "queue-deleted",
  at,
})
const prompt = (
  runId: string,
  sessionKey: string,
  texts: ReadonlyArray<string>,
  at: number,
): ObservedEvent => ({
  _tag: "ObservedPromptBuilt",
  runId,
  sessionKey,
  agentId: "main",
  trigger: "heartbeat",
  shown: texts.map((text) => ({ stamp: "t", text })),
  at,
})

describe("accountObserved", () => {
  it("gives every observed event one fate: shown, removed unshown, pending or stranded", () => {
    const main = "agent:main:main"
    const cron = "agent:main:cron:job:run:1"
    const account = accountObserved([
      enqueued("1", main, "shown", 100),
      enqueued("2", main, "taken quietly", 110),
      enqueued("3", cron, "exec finished", 120),
      removed("1", main, 200),
      removed("2", main, 200),
      prompt("r1", main, ["shown", "never seen queued"], 250),
      enqueued("4", main, "still queued", 300),
    ])
    const fate = (id: string) => account.fates.find((item) => item.observationId === id)
    expect(fate("1")?.fate).toEqual({ _tag: "Shown", runId: "r1", trigger: "heartbeat", at: 250 })
    expect(fate("1")?.latencyMs).toBe(150)
    expect(fate("2")?.fate).toEqual({ _tag: "RemovedUnshown", at: 200, how: "queue-deleted" })
    expect(fate("3")?.fate).toEqual({ _tag: "Stranded" })
    expect(fate("4")?.fate).toEqual({ _tag: "Pending" })
    expect(account.heartbeatKeys).toEqual([main])
    expect(account.shownUnobserved).toEqual([{ sessionKey: main, text: "never seen queued" }])
  })

  it("does not credit a prompt of another session, nor one entry to two lines", () => {
    const account = accountObserved([
      enqueued("1", "a", "same", 1),
      removed("1", "a", 2),
      prompt("r1", "b", ["same"], 3),
      prompt("r2", "a", ["same", "same"], 4),
    ])
    expect(account.fates[0]?.fate).toMatchObject({ _tag: "Shown", runId: "r2" })
    expect(account.shownUnobserved).toEqual([
      { sessionKey: "b", text: "same" },
      { sessionKey: "a", text: "same" },
    ])
  })
})
