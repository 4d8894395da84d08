import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { decodeImportLine, type ImportLine } from "../../infrastructure/cli/import/import-line.ts"
import { lineId, lineIdentities } from "../../infrastructure/cli/import/line-ids.ts"
import { parseImport } from "../../infrastructure/cli/import/parse-file.ts"
import type { EventHistory } from "../../infrastructure/cli/inspect/event-history.ts"
import { FIXTURE, runCli, sqliteIn, tempDir } from "./cli-harness.ts"

interface QueueJSON {
  readonly position: number
  readonly drainedBy: ReadonlyArray<string>
  readonly events: ReadonlyArray<{ readonly eventId: string; readonly source: string }>
}

describe("heartbeat-ledger inspect", () => {
  let store = ""
  // The fixture's ids are derived from its lines' content (line-ids.ts).
  const parsed = parseImport("fixture", readFileSync(FIXTURE))
  const identities = lineIdentities(parsed.lines.map(({ decoded }) => decoded))
  const systemEventIdOf = (fileLine: number) =>
    lineId(identities[parsed.lines.findIndex(({ line }) => line === fileLine)] as Uint8Array, "domain", 0)
  const execExitId = systemEventIdOf(4)
  const duplicateId = systemEventIdOf(7)

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
    // Ids are hashes of the lines: search raw queue calls for two whose ids share 6 digits
    // (a birthday search: a few thousand lines), and import just those two.
    const seen = new Map<string, string>()
    let pair: [string, string] | undefined
    for (let n = 0; pair === undefined; n++) {
      const row = JSON.stringify({
        at: "2025-06-02T03:00:00Z",
        source: "api",
        sessionKey: "agent:ops:work",
        text: `t${n}`,
      })
      const [identity] = lineIdentities([decodeImportLine(row, 1) as ImportLine])
      const prefix = lineId(identity as Uint8Array, "domain", 0).slice(0, 6)
      const other = seen.get(prefix)
      if (other !== undefined) pair = [other, row]
      seen.set(prefix, row)
    }
    const dir = tempDir()
    const file = join(dir, "twins.jsonl")
    writeFileSync(file, `${pair.join("\n")}\n`)
    const twins = sqliteIn(dir)
    expect((await runCli(["import", file, "--store", twins])).code).toBe(0)
    const [identity] = lineIdentities([decodeImportLine(pair[0], 1) as ImportLine])
    const [unknown, ambiguous] = await Promise.all([
      runCli(["inspect", "event", "ffffffff-0000", "--store", store]),
      runCli(["inspect", "event", lineId(identity as Uint8Array, "domain", 0).slice(0, 6), "--store", twins]),
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("no system event with id ffffffff-0000")
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.stderr).toContain("is ambiguous")
  })
})
