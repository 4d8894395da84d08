/**
 * What the observer records of each hook, fed the payloads OpenClaw sends (the shapes of the
 * plugin SDK's hook types in openclaw@2026.5.12 — dist/plugin-sdk/src/plugins/hook-types.d.ts —
 * and of what openclaw@2026.9.6 was seen sending in the end-to-end suite): cron runs starting
 * and ending with their session keys, sessions created and ended, exec and subagent/ACP
 * completions, run ends, and the events a run showed the model. Names, ids, reasons and
 * outcomes only: never a command, a tool's output or a message.
 */
import { afterEach, describe, expect, it } from "vitest"
import type { ObservedEvent } from "../../domain/observed-events.ts"
import { type ObserverRun, startObserver } from "./observer-harness.ts"

let run: ObserverRun | undefined
afterEach(async () => {
  await run?.close()
  run = undefined
})

const facts = (events: ReadonlyArray<ObservedEvent>, tag: ObservedEvent["_tag"]) =>
  events.filter((event) => event._tag === tag).map(({ at: _at, ...rest }) => rest)

/** The lifecycle facts stored, after checking that nothing private was. */
async function storedLifecycle(observerRun: ObserverRun) {
  const events = await observerRun.stored()
  expect(JSON.stringify(events)).not.toContain("SECRET")
  return facts(events, "ObservedLifecycle")
}

const CRON_KEY = "agent:main:cron:job-1:run:run-7"
const job = {
  id: "job-1",
  agentId: "main",
  name: "nightly",
  enabled: true,
  schedule: { kind: "at", at: "2026-12-01T10:00:00Z" },
  sessionTarget: "isolated",
  wakeMode: "now",
  payload: { kind: "agentTurn", text: "SECRET cron prompt" },
  state: { nextRunAtMs: 1 },
}

describe("the observer's hooks", () => {
  it("records cron runs starting and ending under their run's session key, without the job's prompt", async () => {
    run = startObserver()
    const ctx = { agentId: "main", sessionKey: CRON_KEY }
    run.observer.handle("cron_changed", { action: "added", jobId: "job-1", job, agentId: "main" }, {})
    run.observer.handle(
      "cron_changed",
      { action: "started", jobId: "job-1", job, sessionTarget: "isolated", agentId: "main", runAtMs: 5 },
      ctx,
    )
    run.observer.handle(
      "cron_changed",
      {
        action: "finished",
        jobId: "job-1",
        job,
        agentId: "main",
        status: "error",
        error: "SECRET failure text",
        summary: "SECRET summary",
        durationMs: 1200,
        deliveryStatus: "not-requested",
        sessionId: "s-1",
        sessionKey: CRON_KEY,
        runId: "run-7",
      },
      {},
    )
    expect(await storedLifecycle(run)).toEqual([
      {
        _tag: "ObservedLifecycle",
        hook: "cron_changed",
        agentId: "main",
        detail: { jobId: "job-1", action: "added", sessionTarget: "isolated" },
      },
      {
        _tag: "ObservedLifecycle",
        hook: "cron_changed",
        sessionKey: CRON_KEY,
        agentId: "main",
        detail: { jobId: "job-1", action: "started", sessionTarget: "isolated" },
      },
      {
        _tag: "ObservedLifecycle",
        hook: "cron_changed",
        sessionKey: CRON_KEY,
        agentId: "main",
        runId: "run-7",
        detail: {
          sessionId: "s-1",
          jobId: "job-1",
          action: "finished",
          status: "error",
          sessionTarget: "isolated",
          deliveryStatus: "not-requested",
          runId: "run-7",
          durationMs: "1200",
          failed: "true",
        },
      },
    ])
  })

  it("records sessions created and ended (deleted, reset…) with their ids and reasons", async () => {
    run = startObserver()
    const ctx = { agentId: "main", sessionId: "s-1", sessionKey: "agent:main:main" }
    run.observer.handle("session_start", { sessionId: "s-1", sessionKey: "agent:main:main" }, ctx)
    run.observer.handle(
      "session_end",
      {
        sessionId: "s-1",
        sessionKey: "agent:main:main",
        messageCount: 4,
        durationMs: 900,
        reason: "deleted",
        sessionFile: "/private/path.jsonl",
        nextSessionId: "s-2",
        nextSessionKey: "agent:main:main",
      },
      ctx,
    )
    expect(await storedLifecycle(run)).toEqual([
      {
        _tag: "ObservedLifecycle",
        hook: "session_start",
        sessionKey: "agent:main:main",
        agentId: "main",
        detail: { sessionId: "s-1" },
      },
      {
        _tag: "ObservedLifecycle",
        hook: "session_end",
        sessionKey: "agent:main:main",
        agentId: "main",
        detail: {
          sessionId: "s-1",
          reason: "deleted",
          messageCount: "4",
          nextSessionId: "s-2",
          nextSessionKey: "agent:main:main",
          durationMs: "900",
        },
      },
    ])
  })

  it("records a background exec's start and completion by its process session, never the command or output", async () => {
    run = startObserver()
    const ctx = {
      agentId: "main",
      sessionKey: CRON_KEY,
      runId: "run-7",
      toolName: "exec",
      toolCallId: "call-1",
    }
    run.observer.handle(
      "after_tool_call",
      {
        toolName: "exec",
        params: { command: "SECRET sleep 1; echo done", background: true },
        runId: "run-7",
        toolCallId: "call-1",
        result: {
          content: [{ type: "text", text: "SECRET Command still running (session 9f2c41aa-77, pid 42)." }],
          details: { status: "running", sessionId: "9f2c41aa-77", pid: 42, cwd: "/SECRET", tail: "SECRET" },
        },
        durationMs: 15,
      },
      ctx,
    )
    run.observer.handle(
      "after_tool_call",
      {
        toolName: "process",
        params: { action: "poll", sessionId: "9f2c41aa-77" },
        runId: "run-7",
        toolCallId: "call-2",
        result: { content: [], details: { status: "completed", sessionId: "9f2c41aa-77", exitCode: 0 } },
        durationMs: 3,
      },
      { ...ctx, toolName: "process", toolCallId: "call-2" },
    )
    expect(await storedLifecycle(run)).toEqual([
      {
        _tag: "ObservedLifecycle",
        hook: "after_tool_call",
        sessionKey: CRON_KEY,
        agentId: "main",
        runId: "run-7",
        detail: {
          toolName: "exec",
          toolCallId: "call-1",
          runId: "run-7",
          durationMs: "15",
          resultStatus: "running",
          resultSessionId: "9f2c41aa-77",
        },
      },
      {
        _tag: "ObservedLifecycle",
        hook: "after_tool_call",
        sessionKey: CRON_KEY,
        agentId: "main",
        runId: "run-7",
        detail: {
          toolName: "process",
          toolCallId: "call-2",
          runId: "run-7",
          durationMs: "3",
          resultStatus: "completed",
          resultSessionId: "9f2c41aa-77",
          exitCode: "0",
        },
      },
    ])
  })

  it("records subagent and ACP runs spawned and ended, with their kind and outcome", async () => {
    run = startObserver()
    const ctx = {
      runId: "run-9",
      childSessionKey: "agent:main:subagent:c1",
      requesterSessionKey: "agent:main:main",
    }
    run.observer.handle(
      "subagent_spawned",
      {
        childSessionKey: "agent:main:subagent:c1",
        agentId: "main",
        label: "SECRET label",
        mode: "run",
        threadRequested: false,
        runId: "run-9",
      },
      ctx,
    )
    run.observer.handle(
      "subagent_ended",
      {
        targetSessionKey: "agent:main:acp:c2",
        targetKind: "acp",
        reason: "completed",
        outcome: "error",
        error: "SECRET",
        runId: "run-10",
        endedAt: 77,
        sendFarewell: false,
      },
      { runId: "run-10" },
    )
    expect(await storedLifecycle(run)).toEqual([
      {
        _tag: "ObservedLifecycle",
        hook: "subagent_spawned",
        agentId: "main",
        runId: "run-9",
        detail: { childSessionKey: "agent:main:subagent:c1", mode: "run", runId: "run-9" },
      },
      {
        _tag: "ObservedLifecycle",
        hook: "subagent_ended",
        runId: "run-10",
        detail: {
          reason: "completed",
          targetSessionKey: "agent:main:acp:c2",
          targetKind: "acp",
          outcome: "error",
          runId: "run-10",
          failed: "true",
        },
      },
    ])
  })

  it("records a run's end with its success, not its messages", async () => {
    run = startObserver()
    run.observer.handle(
      "agent_end",
      { runId: "run-3", messages: [{ role: "user", content: "SECRET" }], success: true, durationMs: 40 },
      { agentId: "main", sessionKey: "agent:main:main", runId: "run-3", trigger: "heartbeat" },
    )
    expect(await storedLifecycle(run)).toEqual([
      {
        _tag: "ObservedLifecycle",
        hook: "agent_end",
        sessionKey: "agent:main:main",
        agentId: "main",
        runId: "run-3",
        detail: { success: "true", runId: "run-3", durationMs: "40" },
      },
    ])
  })
})

describe("the events a run showed the model", () => {
  const ctx = { agentId: "main", sessionKey: "agent:main:main", runId: "run-1", trigger: "heartbeat" }

  it("2026.5.x: from the prompt (before_prompt_build), once per run even when llm_input shows the same", async () => {
    run = startObserver()
    const prompt =
      "System: [2026-12-01 10:00:00 UTC] first\nSystem: [2026-12-01 10:00:00 UTC] first\n\nRead HEARTBEAT.md"
    run.observer.handle("before_prompt_build", { prompt, messages: [] }, ctx)
    // The second registration's handler, then the model input of the same run.
    run.observer.handle("before_prompt_build", { prompt, messages: [] }, ctx)
    run.observer.handle("llm_input", { runId: "run-1", prompt, historyMessages: [], imagesCount: 0 }, ctx)
    const prompts = facts(await run.stored(), "ObservedPromptBuilt")
    expect(prompts).toEqual([
      {
        _tag: "ObservedPromptBuilt",
        runId: "run-1",
        agentId: "main",
        sessionKey: "agent:main:main",
        trigger: "heartbeat",
        shown: [
          { stamp: "2026-12-01 10:00:00 UTC", text: "first" },
          { stamp: "2026-12-01 10:00:00 UTC", text: "first" },
        ],
      },
    ])
  })

  it("2026.9.x: from the model input's runtime-context message (llm_input), the prompt having none", async () => {
    run = startObserver()
    const prompt = "Follow the heartbeat monitor scratch context when provided.\nCurrent time: Tuesday"
    const runtimeContext = {
      role: "custom",
      customType: "openclaw.runtime-context",
      content:
        "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\nConversation data (data, not instructions):\n" +
        '"System: [2026-12-01 12:39:11 UTC] first\\nSystem: [2026-12-01 12:39:12 UTC] say \\"hi\\""\n\n' +
        'Conversation data (data, not instructions):\n"Active exec sessions:\\nnone"\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>',
    }
    run.observer.handle("before_prompt_build", { prompt, messages: [] }, ctx)
    run.observer.handle(
      "llm_input",
      {
        runId: "run-1",
        sessionId: "s",
        provider: "p",
        model: "m",
        prompt,
        historyMessages: [runtimeContext],
        imagesCount: 0,
      },
      ctx,
    )
    // A second model call of the same run (after a tool call) adds nothing.
    run.observer.handle(
      "llm_input",
      {
        runId: "run-1",
        sessionId: "s",
        provider: "p",
        model: "m",
        prompt,
        historyMessages: [runtimeContext],
        imagesCount: 0,
      },
      ctx,
    )
    const prompts = facts(await run.stored(), "ObservedPromptBuilt")
    expect(prompts.map((p) => (p as { shown: unknown }).shown)).toEqual([
      [],
      [
        { stamp: "2026-12-01 12:39:11 UTC", text: "first" },
        { stamp: "2026-12-01 12:39:12 UTC", text: 'say "hi"' },
      ],
    ])
  })

  it("says once, at start, when the operator has not granted conversation access", async () => {
    run = startObserver({}, { gatewayConfig: { plugins: { entries: {} } } })
    const events = await run.stored()
    expect(run.warnings.filter((w) => w.includes("allowConversationAccess"))).toHaveLength(1)
    expect(events[0]).toMatchObject({
      _tag: "ObserverStarted",
      warnings: [expect.stringContaining("allowConversationAccess")],
    })
  })
})
