/**
 * The source helpers of the drop-in, through the calls an OpenClaw caller makes: a source's own
 * delivery context is kept on the entry, a node event's gateway config routes it, and a node's
 * repeated `exec.finished` is dropped — decided from the recorded log, so a reopened store
 * (a replay) decides the same.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it, vi } from "vitest"
import { NODE_EXEC_FINISHED_DEDUPE_MS } from "../../domain/sources.ts"
import { createSystemEvents, type SystemEvents } from "../../infrastructure/openclaw/index.ts"

const open: SystemEvents[] = []
const folders: string[] = []
const fresh = (options?: Parameters<typeof createSystemEvents>[0]) => {
  const instance = createSystemEvents(options)
  open.push(instance)
  return instance
}
afterEach(async () => {
  vi.useRealTimers()
  for (const instance of open.splice(0)) await instance.close()
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

const T0 = Date.UTC(2026, 4, 12, 9)
const finished = { event: "exec.finished", nodeId: "n1", runId: "r1", exitCode: 1 } as const

describe("drop-in source helpers", () => {
  it("keeps a source's own delivery context on the entry (normalized as enqueueSystemEvent does)", () => {
    const events = fresh()
    events.notifyExecExit({
      sessionKey: "agent:main:main",
      processId: "p1",
      exitCode: 2,
      output: "boom",
      deliveryContext: { channel: " Slack ", to: "C1", threadId: 7 },
    })
    events.relayAcpSpawnEvent({
      parentSessionKey: "agent:main:main",
      runId: "run-1",
      label: "codex",
      phase: "error",
      snippet: "failed",
      deliveryContext: { channel: "telegram", to: "42" },
    })
    expect(events.peekSystemEventEntries("agent:main:main").map((entry) => entry.deliveryContext)).toEqual([
      { channel: "slack", to: "C1", threadId: 7 },
      { channel: "telegram", to: "42" },
    ])
  })

  it("the call's delivery context wins over the source's", () => {
    const events = fresh()
    events.notifyExecExit(
      {
        sessionKey: "agent:main:main",
        processId: "p1",
        exitCode: 2,
        output: "x",
        deliveryContext: { channel: "slack" },
      },
      { deliveryContext: { channel: "discord" } },
    )
    expect(events.peekSystemEventEntries("agent:main:main")[0]?.deliveryContext).toEqual({
      channel: "discord",
    })
  })

  it("routes a node event with the gateway session config it carries", () => {
    const events = fresh()
    // A cron run's events go to the main session: `agent:main:<mainKey>`, or `global` when global.
    const cronRun = "agent:main:cron:nightly:run:r1"
    expect(events.handleNodeExecEvent({ ...finished, sessionKey: cronRun, mainKey: "work" })?.queueKey).toBe(
      "agent:main:work",
    )
    expect(
      events.handleNodeExecEvent({ ...finished, runId: "r2", sessionKey: cronRun, scope: "global" })
        ?.queueKey,
    ).toBe("global")
    expect(events.peekSystemEvents("global")).toEqual(["Exec finished (node=n1 id=r2, code 1)"])
  })

  it("drops a repeated exec.finished of one session and run within 10 minutes, and replays that memory", () => {
    const folder = mkdtempSync(join(tmpdir(), "hbl-wiring-"))
    folders.push(folder)
    const store = `sqlite:${join(folder, "ledger.db")}`
    // The ledger's Clock reads Date.now().
    vi.useFakeTimers({ toFake: ["Date"] })
    vi.setSystemTime(T0)
    const first = fresh({ store })
    expect(first.handleNodeExecEvent(finished)?.accepted).toBe(true)
    first.drainSystemEvents("agent:main:node-n1")
    vi.setSystemTime(T0 + NODE_EXEC_FINISHED_DEDUPE_MS)
    // Within the window (its end included): dropped, nothing recorded, no wake.
    expect(first.handleNodeExecEvent(finished)).toBeNull()
    expect(first.peekSystemEvents("agent:main:node-n1")).toEqual([])
    // Another run of the same session is no repeat.
    expect(first.handleNodeExecEvent({ ...finished, runId: "r2" })?.accepted).toBe(true)
    return first.close().then(() => {
      const replayed = fresh({ store })
      expect(replayed.handleNodeExecEvent({ ...finished, runId: "r2" })).toBeNull()
      vi.setSystemTime(T0 + NODE_EXEC_FINISHED_DEDUPE_MS + 1)
      // Past the window of r1's report (the dropped repeat did not renew it).
      expect(replayed.handleNodeExecEvent(finished)?.accepted).toBe(true)
    })
  })

  it("runs OpenClaw's ACP relay on the instance's timers: buffered output flushed, stall, done", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] })
    vi.setSystemTime(T0)
    const events = fresh()
    const relay = events.startAcpSpawnParentStreamRelay({
      runId: "acp-1",
      parentSessionKey: "agent:main:main",
      childSessionKey: "agent:codex:acp:1",
      agentId: "codex",
      deliveryContext: { channel: "slack", to: "C1" },
    })
    relay.onAgentEvent({ runId: "acp-1", stream: "assistant", data: { delta: "hello" } })
    relay.onAgentEvent({ runId: "other", stream: "assistant", data: { delta: "not ours" } })
    const texts = () => events.peekSystemEventEntries("agent:main:main").map((entry) => entry.text)
    await vi.advanceTimersByTimeAsync(2499)
    expect(texts()).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(texts()).toEqual([
      "Started codex session agent:codex:acp:1. Streaming progress updates to parent session.",
      "codex: hello",
    ])
    await vi.advanceTimersByTimeAsync(75_000)
    relay.onAgentEvent({
      runId: "acp-1",
      stream: "lifecycle",
      data: { phase: "end", startedAt: 0, endedAt: 90_000 },
    })
    expect(texts().slice(2)).toEqual([
      "codex has produced no output for 60s. It may be waiting for interactive input.",
      "codex run completed in 90s.",
    ])
    expect(events.peekSystemEventEntries("agent:main:main")[1]?.deliveryContext).toEqual({
      channel: "slack",
      to: "C1",
      accountId: undefined,
    })
  })
})
