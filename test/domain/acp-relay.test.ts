/** The ACP parent-stream relay as a component (domain/acp-relay.ts), by example. */
import { describe, expect, it } from "vitest"
import {
  type AcpRelayInput,
  type AcpRelayState,
  startAcpRelay,
  stepAcpRelay,
} from "../../domain/acp-relay.ts"

const T0 = 1_000_000
const start = (extra: Partial<Parameters<typeof startAcpRelay>[0]> = {}) =>
  startAcpRelay({
    runId: "r1",
    parentSessionKey: "agent:ops:main",
    childSessionKey: "agent:codex:acp:c1",
    agentId: "codex",
    at: T0,
    ...extra,
  })

/** Runs inputs in order and returns every notice's text, with the final state. */
function run(state: AcpRelayState, inputs: ReadonlyArray<AcpRelayInput>) {
  const texts: string[] = []
  let current = state
  for (const input of inputs) {
    const step = stepAcpRelay(current, input)
    current = step.state
    texts.push(...step.notices.map((notice) => notice.text))
  }
  return { texts, state: current }
}

const delta = (text: string, at: number, phase?: string): AcpRelayInput => ({
  _tag: "Assistant",
  runId: "r1",
  delta: text,
  phase,
  at,
})

describe("the ACP relay", () => {
  it("announces the child on start unless the spawner will", () => {
    expect(start().notices.map((notice) => [notice.text, notice.contextKey])).toEqual([
      [
        "Started codex session agent:codex:acp:c1. Streaming progress updates to parent session.",
        "acp-spawn:r1:start",
      ],
    ])
    expect(start({ emitStartNotice: false }).notices).toEqual([])
  })

  it("buffers deltas and flushes them 2.5 s after the first, as one progress notice", () => {
    const { state } = start({ emitStartNotice: false })
    const early = run(state, [
      delta("compiling ", T0 + 100),
      delta("tests", T0 + 2000),
      { _tag: "Advance", to: T0 + 2599 },
    ])
    expect(early.texts).toEqual([])
    expect(run(early.state, [{ _tag: "Advance", to: T0 + 2600 }]).texts).toEqual(["codex: compiling tests"])
  })

  it("flushes at once on a blank line or at 220 characters", () => {
    const { state } = start({ emitStartNotice: false })
    expect(run(state, [delta("part one\n\npart two", T0)]).texts).toEqual(["codex: part one part two"])
    expect(run(state, [delta("x".repeat(230), T0)]).texts).toEqual([`codex: ${"x".repeat(219)}…`])
  })

  it("notices a stall once, on the poll after 60 s without output, and the output that resumes it", () => {
    const { state } = start({ emitStartNotice: false })
    const stalled = run(state, [{ _tag: "Advance", to: T0 + 120_000 }])
    expect(stalled.texts).toEqual([
      "codex has produced no output for 60s. It may be waiting for interactive input.",
    ])
    expect(
      run(stalled.state, [delta("back", T0 + 120_001), { _tag: "Advance", to: T0 + 130_000 }]).texts,
    ).toEqual(["codex resumed output.", "codex: back"])
  })

  it("does not count commentary as relayed output, but as a sign of life", () => {
    const { state } = start({ emitStartNotice: false })
    const quiet = run(state, [
      delta("thinking", T0 + 50_000, "commentary"),
      { _tag: "Advance", to: T0 + 100_000 },
    ])
    expect(quiet.texts).toEqual([])
  })

  it("ends with the run, flushing first; nothing after dispose but a late start notice", () => {
    const { state } = start({ emitStartNotice: false })
    const ended = run(state, [
      delta("last words", T0 + 10),
      { _tag: "Lifecycle", runId: "r1", phase: "end", startedAt: 0, endedAt: 42_400, at: T0 + 20 },
      delta("ignored", T0 + 30),
      { _tag: "Advance", to: T0 + 10_000_000 },
      { _tag: "NotifyStarted", at: T0 + 10_000_001 },
    ])
    expect(ended.texts).toEqual([
      "codex: last words",
      "codex run completed in 42s.",
      "Started codex session agent:codex:acp:c1. Streaming progress updates to parent session.",
    ])
  })

  it("times out after its lifetime; a poll due at the same moment fires first when it was scheduled first", () => {
    const { state } = start({
      emitStartNotice: false,
      maxRelayLifetimeMs: 1000,
      noOutputPollMs: 250,
      noOutputNoticeMs: 1000,
    })
    // The poll was rescheduled at 750 ms, after the lifetime timer was created: the lifetime fires first.
    expect(run(state, [{ _tag: "Advance", to: T0 + 5000 }]).texts).toEqual([
      "codex stream relay timed out after 1s without completion.",
    ])
  })

  it("does nothing without a run id or a parent session", () => {
    expect(start({ runId: " " }).notices).toEqual([])
    expect(run(start({ parentSessionKey: "" }).state, [delta("x\n\ny", T0)]).texts).toEqual([])
  })
})
