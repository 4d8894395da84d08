/**
 * A retention sweep too large for one event (1,500 cron-run sessions, 4 queued events each)
 * through the real `import`: recorded in bounded parts, audited as every event pruned, and a
 * re-import says it is already recorded. Before the split, its one event was ~330 KB: the
 * import failed half-way, and every re-run said "already recorded".
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { MAX_EVENT_DATA_BYTES } from "../../application/event-store.ts"
import type { AuditDocument } from "../../infrastructure/cli/audit/audit-document.ts"
import { dropSchema, pgTestSchema } from "../contract/postgres-test-schema.ts"
import { runCli, sqliteIn, tempDir } from "./cli-harness.ts"

const SESSIONS = Number(process.env.HBL_SWEEP_SESSIONS ?? 1500)
const PER_SESSION = 4

function sweepFile(): string {
  const lines: string[] = []
  for (let s = 0; s < SESSIONS; s++)
    for (let k = 0; k < PER_SESSION; k++)
      lines.push(
        JSON.stringify({
          at: "2025-06-02T00:00:00Z",
          source: "api",
          sessionKey: `agent:ops:cron:nightly:run:r${s}`,
          text: `step ${k} of run ${s}`,
        }),
      )
  lines.push(JSON.stringify({ at: "2025-06-02T06:00:00Z", source: "prune", retention: "1h", force: true }))
  return `${lines.join("\n")}\n`
}

interface ExportedRecord {
  readonly streamId: string
  readonly type: string
  readonly data: { readonly sessions?: ReadonlyArray<{ sessionKey: string; lostEventIds: string[] }> }
}

const pg = pgTestSchema("import_sweep")

async function importSweep(store: string) {
  const dir = tempDir()
  const file = join(dir, "sweep.jsonl")
  writeFileSync(file, sweepFile())

  const first = await runCli(["import", file, "--store", store])
  expect(first.code, first.stderr).toBe(0)
  expect(first.stdout).toContain("1 retention sweep")

  const exported = await runCli(["export", "--store", store])
  expect(exported.code, exported.stderr).toBe(0)
  const records = exported.stdout
    .trim()
    .split("\n")
    .map((row) => JSON.parse(row) as ExportedRecord)
  const reaper = records.filter((record) => record.streamId === "hbl-reaper")
  expect(reaper[0]?.type).toBe("SessionsPruned")
  expect(reaper.length).toBeGreaterThan(1)
  expect(reaper.slice(1).every((record) => record.type === "SessionsPrunedContinued")).toBe(true)
  for (const record of reaper)
    expect(Buffer.byteLength(JSON.stringify(record.data))).toBeLessThanOrEqual(MAX_EVENT_DATA_BYTES)
  const sessions = reaper.flatMap((record) => record.data.sessions ?? [])
  expect(new Set(sessions.map((session) => session.sessionKey)).size).toBe(SESSIONS)
  expect(new Set(sessions.flatMap((session) => session.lostEventIds)).size).toBe(SESSIONS * PER_SESSION)
  expect(records.filter((record) => record.type === "QueuePruned")).toHaveLength(SESSIONS)

  const audit = await runCli(["audit", "--json", "--store", store])
  const document = JSON.parse(audit.stdout) as AuditDocument
  expect(document.totals).toMatchObject({
    accepted: SESSIONS * PER_SESSION,
    pruned: SESSIONS * PER_SESSION,
    pending: 0,
    stranded: 0,
  })
  expect(document.invariants.every((check) => check.holds)).toBe(true)

  const again = await runCli(["import", file, "--store", store])
  expect(again.code, again.stderr).toBe(0)
  expect(again.stdout).toContain("already recorded")
  expect((await runCli(["export", "--store", store])).stdout).toBe(exported.stdout)
}

describe("a sweep larger than one event, through import", () => {
  it("is recorded in bounded parts, audits as before, and re-importing records nothing (SQLite)", async () => {
    await importSweep(sqliteIn(tempDir()))
  })

  it.runIf(pg._tag !== "Skip")(
    "the same on PostgreSQL",
    async () => {
      if (pg._tag === "Fail") throw new Error(pg.reason)
      if (pg._tag !== "Ready") return
      try {
        await importSweep(pg.url)
      } finally {
        await dropSchema(pg.connectionString, pg.schema)
      }
    },
    180_000,
  )
})
