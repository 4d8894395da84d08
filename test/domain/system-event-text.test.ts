/** domain.md §5: how the heartbeat classifies system-event texts. */
import { describe, expect, it } from "vitest"
import {
  isCronSystemEvent,
  isExecCompletionEvent,
  isHeartbeatNoiseEvent,
} from "../../domain/system-event-text.ts"

describe("isExecCompletionEvent", () => {
  it.each([
    "Exec finished: backup.sh",
    "Exec finished (node=n1 id=r1, code 1)",
    "Exec finished(node=n1, timeout)",
    "exec finished   (node=n1, code ?)",
    "   Exec completed (abc12345, code 0)",
    "Exec completed (abc12345, code 0) :: all good",
    "Exec failed (abc12345, code 2) :: error: disk full",
    "Exec failed (abc12345, code -1)",
    "Exec failed (proc_1-2, signal SIGKILL)",
    "Exec failed (abc12345, signal SIGTERM) :: terminated",
    "EXEC COMPLETED (ABC12345, CODE 0)",
    `Exec completed (${"a".repeat(64)}, code 0)`,
    // OpenClaw 2026.5.12's rule: the output after ` :: ` may span lines.
    "Exec completed (abc12345, code 0) :: line one\nline two",
  ])("%j is an exec completion", (text) => {
    expect(isExecCompletionEvent(text)).toBe(true)
  })

  it.each([
    "Exec finished weekly backup checks",
    "Exec completed (rotate api keys)",
    "Exec completed (abc12345, code 0) trailing words",
    "Exec completed (abc12345, code x)",
    "Exec completed (abc 123, code 0)",
    `Exec completed (${"a".repeat(65)}, code 0)`,
    "Exec started (node=n1 id=r1): ls",
    "Exec denied (node=n1, policy)",
    "Note: Exec completed (abc12345, code 0)",
    "",
  ])("%j is not an exec completion", (text) => {
    expect(isExecCompletionEvent(text)).toBe(false)
  })
})

describe("heartbeat noise", () => {
  it.each([
    "HEARTBEAT_OK",
    "  heartbeat_ok  ",
    "HEARTBEAT_OK.",
    "HEARTBEAT_OK - nothing to report",
    "Heartbeat poll at 10:00",
    "scheduled heartbeat wake",
  ])("%j is noise", (text) => {
    expect(isHeartbeatNoiseEvent(text)).toBe(true)
  })

  it.each(["HEARTBEAT_OKAY", "heartbeat_ok_2", "heartbeat_ok1", "heartbeat", "report: HEARTBEAT_OK", ""])(
    "%j is not noise",
    (text) => {
      expect(isHeartbeatNoiseEvent(text)).toBe(false)
    },
  )
})

describe("isCronSystemEvent", () => {
  it("is a non-blank text that is neither noise nor an exec completion", () => {
    expect(isCronSystemEvent("Nightly report ready")).toBe(true)
    expect(isCronSystemEvent("Exec finished weekly backup checks")).toBe(true)
    expect(isCronSystemEvent("Exec completed (rotate api keys)")).toBe(true)
  })

  it.each([
    "",
    "   ",
    "HEARTBEAT_OK",
    "heartbeat poll",
    "Exec completed (abc12345, code 0)",
    "Exec finished: x",
  ])("%j is not a cron event", (text) => {
    expect(isCronSystemEvent(text)).toBe(false)
  })
})
