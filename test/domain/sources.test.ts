/** domain.md §6: the exact emissions of each source of system events. */
import { describe, expect, it } from "vitest"
import {
  ACP_PHASES,
  type AcpRelay,
  acpRelayEmission,
  cliWatchdogEmission,
  cronEmission,
  decideNodeExecFinishedRepeat,
  EXEC_OUTPUT_MAX,
  EXEC_OUTPUT_TAIL,
  type ExecExit,
  execExitEmission,
  execNoticeEmission,
  hookEmission,
  NODE_OUTPUT_MAX,
  type NodeExecEvent,
  nodeEventEmission,
  taskEmission,
  truncateText,
} from "../../domain/sources.ts"

const RUN = "agent:ops:cron:nightly:run:r1"
const EXEC_WAKE = { source: "exec-event", reason: "exec-event", intent: "event", coalesceMs: 0 }

describe("truncateText", () => {
  it("keeps a text up to max and cuts a longer one to max - 1 characters plus …", () => {
    expect(truncateText("abc", 3)).toBe("abc")
    expect(truncateText("abcd", 3)).toBe("ab…")
    expect(truncateText("", 3)).toBe("")
  })
})

describe("exec: background exit", () => {
  const exit = (overrides: Partial<ExecExit> = {}): ExecExit => ({
    sessionKey: RUN,
    processId: "proc-1234abcd",
    ...overrides,
  })
  const textOf = (overrides: Partial<ExecExit>) => execExitEmission(exit(overrides))?.text

  it("emits a completion with the first 8 characters of the process id, untrusted, no contextKey", () => {
    expect(execExitEmission(exit({ exitCode: 0, output: "backup ok\n" }))).toStrictEqual({
      source: "exec-exit",
      origin: RUN,
      text: "Exec completed (proc-123, code 0) :: backup ok",
      trusted: false,
      wake: EXEC_WAKE,
      wakeOnlyIfAccepted: false,
    })
  })

  // OpenClaw 2026.5.12: a process that exited by itself completed, whatever its code, except the
  // shell's 126 (not executable) and 127 (not found); timeouts, cancels and signals failed.
  it("labels a run that exited by itself as completed with its code, 126/127 as failed", () => {
    expect(textOf({ exitCode: 2, output: "disk full" })).toBe(
      "Exec completed (proc-123, code 2) :: disk full",
    )
    expect(textOf({ exitCode: -1, output: "x" })).toBe("Exec completed (proc-123, code -1) :: x")
    expect(textOf({ exitCode: 127, output: "sh: nope: not found" })).toBe(
      "Exec failed (proc-123, code 127) :: sh: nope: not found",
    )
    expect(textOf({ exitCode: 126, output: "x" })).toBe("Exec failed (proc-123, code 126) :: x")
    expect(textOf({ exitCode: 0, exitReason: "overall-timeout", output: "slow" })).toBe(
      "Exec failed (proc-123, code 0) :: slow",
    )
  })

  it("notifies only for a backgrounded run with a session key", () => {
    expect(execExitEmission(exit({ exitCode: 127, backgrounded: false }))).toBeNull()
    expect(execExitEmission(exit({ exitCode: 127, sessionKey: "  " }))).toBeNull()
  })

  it("labels a missing exit code as code 0", () => {
    expect(textOf({ exitCode: null, output: "done" })).toBe("Exec completed (proc-123, code 0) :: done")
    expect(textOf({ output: "done" })).toBe("Exec completed (proc-123, code 0) :: done")
  })

  it("labels a signalled process with its signal, as failed", () => {
    expect(textOf({ signal: "SIGTERM", exitCode: null, output: "bye" })).toBe(
      "Exec failed (proc-123, signal SIGTERM) :: bye",
    )
    expect(textOf({ signal: "SIGKILL", exitCode: 0 })).toBe("Exec failed (proc-123, signal SIGKILL)")
  })

  it("uses a process id shorter than 8 characters whole", () => {
    expect(execExitEmission(exit({ processId: "abc", exitCode: 127 }))?.text).toBe(
      "Exec failed (abc, code 127)",
    )
  })

  describe("output", () => {
    it("collapses whitespace runs and trims", () => {
      expect(textOf({ exitCode: 1, output: "  line one\n\n\tline   two \r\n" })).toBe(
        "Exec completed (proc-123, code 1) :: line one line two",
      )
    })

    it("takes the last 400 characters of the tail, then cuts to 180 (179 + …)", () => {
      expect([EXEC_OUTPUT_TAIL, EXEC_OUTPUT_MAX]).toEqual([400, 180])
      const tail = "ab  \n".repeat(80) // 400 characters → "ab ab … ab" after collapsing
      const output = `${"Z".repeat(600)}${tail}`
      const text = textOf({ exitCode: 0, output })
      expect(text).toBe(`Exec completed (proc-123, code 0) :: ${"ab ".repeat(59)}ab…`)
      expect(text?.split(" :: ")[1]).toHaveLength(180)
      expect(text).not.toContain("Z")
    })

    it("keeps an output of exactly 180 characters whole", () => {
      const output = "x".repeat(180)
      expect(textOf({ exitCode: 0, output })).toBe(`Exec completed (proc-123, code 0) :: ${output}`)
      expect(textOf({ exitCode: 0, output: "x".repeat(181) })).toBe(
        `Exec completed (proc-123, code 0) :: ${"x".repeat(179)}…`,
      )
    })

    it("treats whitespace-only output as no output", () => {
      expect(textOf({ exitCode: 127, output: " \n\t " })).toBe("Exec failed (proc-123, code 127)")
    })
  })

  describe("skip rules", () => {
    it("skips a failed manual cancel with no output", () => {
      expect(execExitEmission(exit({ signal: "SIGTERM", manualCancel: true }))).toBeNull()
      expect(execExitEmission(exit({ exitCode: 130, manualCancel: true, output: "  " }))).toBeNull()
    })

    it("does not skip a failed manual cancel with output", () => {
      expect(textOf({ signal: "SIGTERM", manualCancel: true, output: "partial" })).toBe(
        "Exec failed (proc-123, signal SIGTERM) :: partial",
      )
    })

    it("does not skip a failure with no output that was not cancelled by hand", () => {
      expect(textOf({ exitCode: 127 })).toBe("Exec failed (proc-123, code 127)")
      expect(textOf({ signal: "SIGKILL", exitReason: "overall-timeout" })).toBe(
        "Exec failed (proc-123, signal SIGKILL)",
      )
    })

    it("skips a completed run with no output unless notify-on-empty-success is on", () => {
      expect(execExitEmission(exit({ exitCode: 0 }))).toBeNull()
      expect(execExitEmission(exit({ exitCode: 0, notifyOnEmptySuccess: false }))).toBeNull()
      expect(textOf({ exitCode: 0, notifyOnEmptySuccess: true })).toBe("Exec completed (proc-123, code 0)")
    })

    it("emits nothing with notify-on-exit off; it is on unless turned off", () => {
      expect(execExitEmission(exit({ exitCode: 1, output: "x", notifyOnExit: false }))).toBeNull()
      expect(textOf({ exitCode: 1, output: "x", notifyOnExit: true })).toBe(
        "Exec completed (proc-123, code 1) :: x",
      )
    })
  })
})

describe("exec: notices (emitExecSystemEvent)", () => {
  it("passes the text and contextKey through, untrusted, with the exec wake", () => {
    expect(
      execNoticeEmission({ sessionKey: RUN, text: "Exec approval granted", contextKey: "exec:approval:1" }),
    ).toStrictEqual({
      source: "exec-notice",
      origin: RUN,
      text: "Exec approval granted",
      contextKey: "exec:approval:1",
      trusted: false,
      wake: EXEC_WAKE,
      wakeOnlyIfAccepted: false,
    })
  })

  it("emits nothing for a blank session key", () => {
    expect(execNoticeEmission({ sessionKey: "   ", text: "x" })).toBeNull()
    expect(execNoticeEmission({ sessionKey: "", text: "x" })).toBeNull()
  })
})

describe("ACP spawn relay", () => {
  const PARENT = "agent:ops:cron:nightly:run:r1"
  const relay = (phase: AcpRelay["phase"], extra: Partial<AcpRelay> = {}): AcpRelay => ({
    parentSessionKey: PARENT,
    runId: "run-7",
    label: "Codex",
    phase,
    ...extra,
  })
  const textOf = (phase: AcpRelay["phase"], extra: Partial<AcpRelay> = {}) =>
    acpRelayEmission(relay(phase, extra))?.text

  it("enqueues under the parent session, untrusted, with the acp-spawn wake", () => {
    expect(acpRelayEmission(relay("progress", { snippet: "compiling" }))).toStrictEqual({
      source: "acp-relay",
      origin: PARENT,
      text: "Codex: compiling",
      contextKey: "acp-spawn:run-7:progress",
      trusted: false,
      wake: { source: "acp-spawn", reason: "acp:spawn:stream", intent: "event" },
      wakeOnlyIfAccepted: false,
    })
  })

  it.each(ACP_PHASES)("the %s phase has the contextKey acp-spawn:<runId>:<phase>", (phase) => {
    expect(acpRelayEmission(relay(phase, { snippet: "x", seconds: 1 }))?.contextKey).toBe(
      `acp-spawn:run-7:${phase}`,
    )
  })

  it("progress: <label>: <snippet ≤220>, whitespace collapsed", () => {
    expect(textOf("progress", { snippet: "  step 1\n\n step 2 " })).toBe("Codex: step 1 step 2")
    expect(textOf("progress", { snippet: "y".repeat(220) })).toBe(`Codex: ${"y".repeat(220)}`)
    expect(textOf("progress", { snippet: "y".repeat(221) })).toBe(`Codex: ${"y".repeat(219)}…`)
  })

  it("progress without a snippet emits nothing", () => {
    expect(acpRelayEmission(relay("progress"))).toBeNull()
    expect(acpRelayEmission(relay("progress", { snippet: "  \n " }))).toBeNull()
  })

  it("stall, resumed, done: the texts domain.md gives", () => {
    expect(textOf("stall", { seconds: 60 })).toBe(
      "Codex has produced no output for 60s. It may be waiting for interactive input.",
    )
    expect(textOf("resumed")).toBe("Codex resumed output.")
    expect(textOf("done", { seconds: 42 })).toBe("Codex run completed in 42s.")
  })

  it("rounds the seconds", () => {
    expect(textOf("done", { seconds: 41.6 })).toBe("Codex run completed in 42s.")
    expect(textOf("stall", { seconds: 89.4 })).toBe(
      "Codex has produced no output for 89s. It may be waiting for interactive input.",
    )
  })

  // OpenClaw 2026.5.12's texts (src/agents/acp-spawn-parent-stream.ts).
  it("start, error, timeout, done without a duration: OpenClaw's texts", () => {
    expect(textOf("start", { childSessionKey: "agent:codex:acp:c1" })).toBe(
      "Started Codex session agent:codex:acp:c1. Streaming progress updates to parent session.",
    )
    expect(textOf("error", { snippet: " model  refused\n" })).toBe("Codex run failed: model  refused")
    expect(textOf("error")).toBe("Codex run failed.")
    expect(textOf("timeout", { seconds: 600 })).toBe(
      "Codex stream relay timed out after 600s without completion.",
    )
    expect(textOf("done")).toBe("Codex run completed.")
    expect(textOf("done", { seconds: 0.2 })).toBe("Codex run completed in 1s.")
  })

  it("labels with the agent id, whitespace collapsed and cut to 40, else ACP child", () => {
    expect(textOf("resumed", { label: "  claude \n code " })).toBe("claude code resumed output.")
    expect(textOf("resumed", { label: "  " })).toBe("ACP child resumed output.")
    expect(textOf("resumed", { label: "x".repeat(41) })).toBe(`${"x".repeat(39)}… resumed output.`)
  })

  it("with surface updates off, nothing is enqueued", () => {
    for (const phase of ACP_PHASES) {
      expect(acpRelayEmission(relay(phase, { snippet: "x", seconds: 1, surfaceUpdates: false }))).toBeNull()
    }
    expect(acpRelayEmission(relay("done", { seconds: 1, surfaceUpdates: true }))).not.toBeNull()
  })
})

describe("CLI watchdog stall", () => {
  const TEXT =
    "CLI agent (claude) produced no output for 300s and was terminated. " +
    "It may have been waiting for interactive input or an approval prompt."
  // OpenClaw 2026.5.12 always appends its Claude Code advice.
  const WITH_HINT = `${TEXT} For Claude Code, prefer --permission-mode bypassPermissions --print.`

  it("emits the stall text with the cli-watchdog wake", () => {
    expect(cliWatchdogEmission({ sessionKey: RUN, provider: "claude", seconds: 300 })).toStrictEqual({
      source: "cli-watchdog",
      origin: RUN,
      text: WITH_HINT,
      trusted: true,
      wake: { source: "cli-watchdog", reason: "cli:watchdog:stall", intent: "event" },
      wakeOnlyIfAccepted: false,
    })
  })

  it("appends a given hint instead of OpenClaw's after a space; a blank hint is none", () => {
    expect(
      cliWatchdogEmission({ sessionKey: RUN, provider: "claude", seconds: 300, hint: " Run with --yes. " })
        .text,
    ).toBe(`${TEXT} Run with --yes.`)
    expect(cliWatchdogEmission({ sessionKey: RUN, provider: "claude", seconds: 300, hint: "  " }).text).toBe(
      TEXT,
    )
  })

  it("rounds the seconds", () => {
    expect(cliWatchdogEmission({ sessionKey: RUN, provider: "codex", seconds: 299.7 }).text).toContain(
      "CLI agent (codex) produced no output for 300s and was terminated.",
    )
  })
})

describe("gateway node events", () => {
  const node = (event: NodeExecEvent["event"], extra: Partial<NodeExecEvent> = {}): NodeExecEvent => ({
    event,
    nodeId: "n1",
    ...extra,
  })
  const textOf = (event: NodeExecEvent["event"], extra: Partial<NodeExecEvent> = {}) =>
    nodeEventEmission(node(event, extra))?.text

  it("emits untrusted, with the exec wake, waking only when the event was accepted", () => {
    expect(nodeEventEmission(node("exec.started", { runId: "r1", command: "ls -la" }))).toStrictEqual({
      source: "node-event",
      origin: "agent:main:node-n1",
      text: "Exec started (node=n1 id=r1): ls -la",
      contextKey: "exec:r1",
      trusted: false,
      wake: EXEC_WAKE,
      wakeOnlyIfAccepted: true,
    })
  })

  it("exec.started: Exec started (node=<id>[ id=<runId>])[: <command>]", () => {
    expect(textOf("exec.started")).toBe("Exec started (node=n1)")
    expect(textOf("exec.started", { runId: "r1" })).toBe("Exec started (node=n1 id=r1)")
    expect(textOf("exec.started", { command: "  make test " })).toBe("Exec started (node=n1): make test")
    expect(textOf("exec.started", { command: "   " })).toBe("Exec started (node=n1)")
  })

  it("exec.finished: Exec finished (node=<id>[ id=<runId>], code N) plus a newline and the output", () => {
    expect(textOf("exec.finished", { runId: "r1", exitCode: 1, output: " error: boom \n" })).toBe(
      "Exec finished (node=n1 id=r1, code 1)\nerror: boom",
    )
    expect(textOf("exec.finished", { exitCode: 2 })).toBe("Exec finished (node=n1, code 2)")
    expect(textOf("exec.finished", { exitCode: 0, output: "ok" })).toBe("Exec finished (node=n1, code 0)\nok")
  })

  it("exec.finished: timeout wins over the code", () => {
    expect(textOf("exec.finished", { exitCode: 0, timedOut: true })).toBe("Exec finished (node=n1, timeout)")
    expect(textOf("exec.finished", { exitCode: 137, timedOut: true, output: "killed" })).toBe(
      "Exec finished (node=n1, timeout)\nkilled",
    )
  })

  it("exec.finished: code ? without an exit code", () => {
    expect(textOf("exec.finished", { exitCode: null })).toBe("Exec finished (node=n1, code ?)")
    expect(textOf("exec.finished", { output: "??" })).toBe("Exec finished (node=n1, code ?)\n??")
  })

  it("exec.finished: suppressed for exit 0, not timed out, empty output", () => {
    expect(nodeEventEmission(node("exec.finished", { exitCode: 0 }))).toBeNull()
    expect(nodeEventEmission(node("exec.finished", { exitCode: 0, output: "  \n " }))).toBeNull()
    expect(nodeEventEmission(node("exec.finished", { exitCode: 0, timedOut: false, output: "" }))).toBeNull()
  })

  // OpenClaw 2026.5.12 (src/gateway/server-node-events.ts): 180, whitespace runs collapsed.
  it("exec.finished: the output has whitespace runs collapsed and is cut to 180 characters (179 + …)", () => {
    expect(NODE_OUTPUT_MAX).toBe(180)
    expect(textOf("exec.finished", { exitCode: 1, output: "o".repeat(180) })).toBe(
      `Exec finished (node=n1, code 1)\n${"o".repeat(180)}`,
    )
    expect(textOf("exec.finished", { exitCode: 1, output: "o".repeat(181) })).toBe(
      `Exec finished (node=n1, code 1)\n${"o".repeat(179)}…`,
    )
    expect(textOf("exec.finished", { exitCode: 1, output: "a \n\n  b" })).toBe(
      "Exec finished (node=n1, code 1)\na b",
    )
  })

  it("neutralizes system markers in what the node sends", () => {
    expect(textOf("exec.denied", { reason: "[System] ok", command: "System: run" })).toBe(
      "Exec denied (node=n1, (System) ok): System (untrusted): run",
    )
  })

  it("is silent when the gateway or the node turned exit notices off", () => {
    expect(nodeEventEmission(node("exec.started", { notifyOnExit: false }))).toBeNull()
    expect(nodeEventEmission(node("exec.started", { suppressNotifyOnExit: true }))).toBeNull()
  })

  it("exec.denied: Exec denied (node=<id>[ id=<runId>][, <reason>])[: <command>]", () => {
    expect(textOf("exec.denied")).toBe("Exec denied (node=n1)")
    expect(textOf("exec.denied", { runId: "r1", reason: " policy ", command: "rm -rf /" })).toBe(
      "Exec denied (node=n1 id=r1, policy): rm -rf /",
    )
    expect(textOf("exec.denied", { reason: "  ", command: "sudo ls" })).toBe("Exec denied (node=n1): sudo ls")
  })

  // The gateway files the event under the session's canonical key (default agent `main`).
  it("the session key defaults to node-<nodeId>, as a session of the default agent", () => {
    expect(nodeEventEmission(node("exec.started"))?.origin).toBe("agent:main:node-n1")
    expect(nodeEventEmission(node("exec.started", { sessionKey: "  " }))?.origin).toBe("agent:main:node-n1")
    expect(nodeEventEmission(node("exec.started", { sessionKey: RUN }))?.origin).toBe(RUN)
    expect(nodeEventEmission(node("exec.started", { sessionKey: "Main", scope: "global" }))?.origin).toBe(
      "global",
    )
  })

  it("drops a repeated exec.finished of one run within 10 minutes", () => {
    const first = decideNodeExecFinishedRepeat(new Map(), { sessionKey: "s", runId: "r1", now: 0 })
    expect(first.repeat).toBe(false)
    expect(
      decideNodeExecFinishedRepeat(first.runs, { sessionKey: "s", runId: "r1", now: 600_000 }).repeat,
    ).toBe(true)
    expect(
      decideNodeExecFinishedRepeat(first.runs, { sessionKey: "s", runId: "r1", now: 600_001 }).repeat,
    ).toBe(false)
    expect(decideNodeExecFinishedRepeat(first.runs, { sessionKey: "t", runId: "r1", now: 1 }).repeat).toBe(
      false,
    )
  })

  it("the contextKey is exec:<runId>, or exec without a run id", () => {
    expect(nodeEventEmission(node("exec.denied", { runId: "r9" }))?.contextKey).toBe("exec:r9")
    expect(nodeEventEmission(node("exec.denied"))?.contextKey).toBe("exec")
  })
})

describe("plain sources", () => {
  it("cron main-session jobs: contextKey cron:<jobId>", () => {
    expect(
      cronEmission({ sessionKey: "agent:ops:main", jobId: "nightly", text: "Nightly report" }),
    ).toStrictEqual({
      source: "cron",
      origin: "agent:ops:main",
      text: "Nightly report",
      contextKey: "cron:nightly",
      trusted: true,
      wake: { source: "cron", reason: "cron:nightly", intent: "event" },
      wakeOnlyIfAccepted: false,
    })
  })

  it("hooks: no contextKey", () => {
    const emission = hookEmission({
      sessionKey: "agent:ops:hook:webhook:42",
      name: "github",
      text: "PR merged",
    })
    expect(emission).toMatchObject({
      source: "hook",
      origin: "agent:ops:hook:webhook:42",
      text: "PR merged",
      trusted: true,
      wake: { source: "hook", reason: "hook:github", intent: "event" },
    })
    expect(emission.contextKey).toBeUndefined()
  })

  it("background-task notices: contextKey task:<taskId>", () => {
    expect(taskEmission({ sessionKey: "agent:ops:main", taskId: "t1", text: "Task done" })).toMatchObject({
      source: "task",
      contextKey: "task:t1",
      trusted: true,
      wake: { source: "background-task", reason: "task:t1", intent: "event" },
    })
  })
})
