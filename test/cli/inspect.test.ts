import { readFileSync } from "node:fs"
import { beforeAll, describe, expect, it } from "vitest"
import { fileNamespace, lineId } from "../../infrastructure/cli/import/line-ids.ts"
import type { EventHistory } from "../../infrastructure/cli/inspect/event-history.ts"
import { FIXTURE, runCli, sqliteIn, tempDir } from "./cli-harness.ts"

interface QueueJSON {
  readonly position: number
  readonly drainedBy: ReadonlyArray<string>
  readonly events: ReadonlyArray<{ readonly eventId: string; readonly source: string }>
}

describe("heartbeat-ledger inspect", () => {
  let store = ""
  // The fixture's ids are derived from its content and line numbers.
  const namespace = fileNamespace(readFileSync(FIXTURE))
  const execExitId = lineId(namespace, 4, 0)
  const duplicateId = lineId(namespace, 7, 0)

  beforeAll(async () => {
    store = sqliteIn(tempDir())
    expect((await runCli(["import", FIXTURE, "--store", store])).code).toBe(0)
  })

  it("shows a queue as it stood at a position, and as it stands now", async () => {
    const [then, now] = await Promise.all([
      runCli(["inspect", "queue", "agent:ops:work", "--at", "4", "--json", "--store", store]),
      runCli(["inspect", "queue", "agent:ops:work", "--json", "--store", store]),
    ])
    expect(then.code).toBe(0)
    const before = JSON.parse(then.stdout) as QueueJSON
    expect(before.position).toBe(4)
    expect(before.drainedBy).toEqual(["ops"])
    expect(before.events.map((event) => [event.eventId, event.source])).toEqual([[execExitId, "exec-exit"]])
    expect((JSON.parse(now.stdout) as QueueJSON).events).toEqual([])
  })

  it("tells one event's history: routing, wake, the run that consumed it", async () => {
    const result = await runCli(["inspect", "event", execExitId, "--json", "--store", store])
    expect(result.code).toBe(0)
    const history = JSON.parse(result.stdout) as EventHistory
    expect(history.queueKey).toBe("agent:ops:work")
    expect(history.provenance.origin).toBe("agent:ops:cron:nightly-backup:run:r1")
    expect(history.steps.map((step) => step.kind)).toEqual(["accepted", "wake-requested", "consumed"])
    expect(history.fate).toBe("consumed")
    expect(history.settledAfterMs).toBe(1000)

    const text = await runCli(["inspect", "event", duplicateId.slice(0, 36), "--store", store])
    expect(text.stdout).toContain("rejected (duplicate)")
    expect(text.stdout).toContain("fate: rejected")
  })

  it("refuses an unknown or ambiguous id with exit 2", async () => {
    const [unknown, ambiguous] = await Promise.all([
      runCli(["inspect", "event", "ffffffff-0000", "--store", store]),
      runCli(["inspect", "event", execExitId.slice(0, 8), "--store", store]),
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("no system event with id ffffffff-0000")
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.stderr).toContain("is ambiguous")
  })
})
