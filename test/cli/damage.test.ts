/**
 * `heartbeat-ledger audit` on a ledger damaged on purpose: the fixture day imported into SQLite,
 * then one fact doubled, added, removed or renumbered with SQL. Each time the audit exits 1 and
 * names the violated invariant — with the record — in the text, the JSON and the HTML report.
 */
import { copyFileSync, readFileSync } from "node:fs"
import { join } from "node:path"
import Database from "better-sqlite3"
import { beforeAll, describe, expect, it } from "vitest"
import type { AuditDocument } from "../../infrastructure/cli/audit/audit-document.ts"
import { FIXTURE, runCli, tempDir } from "./cli-harness.ts"

const dir = tempDir()
const clean = join(dir, "clean.db")
let copies = 0

/** A copy of the clean ledger, damaged by `damage`; returns its store URL. */
function damaged(damage: (db: Database.Database) => void): string {
  const path = join(dir, `damaged-${++copies}.db`)
  copyFileSync(clean, path)
  const db = new Database(path)
  try {
    damage(db)
  } finally {
    db.close()
  }
  return `sqlite:${path}`
}

const firstPosition = (db: Database.Database, type: string): number =>
  db.prepare("SELECT min(position) FROM events WHERE type = ?").pluck().get(type) as number

/** Appends a copy of the row at `position` at the end of its stream, changed as given. */
function appendCopy(
  db: Database.Database,
  position: number,
  change: { eventId?: string; type?: string; data?: string } = {},
) {
  const row = db.prepare("SELECT * FROM events WHERE position = ?").get(position) as {
    stream_id: string
    event_id: string
    type: string
    version: number
    data: string
  }
  db.prepare(
    `INSERT INTO events (stream_id, revision, event_id, type, version, data, recorded_at)
     VALUES (?, (SELECT max(revision) + 1 FROM events WHERE stream_id = ?), ?, ?, ?, ?, 0)`,
  ).run(
    row.stream_id,
    row.stream_id,
    change.eventId ?? row.event_id,
    change.type ?? row.type,
    row.version,
    change.data ?? row.data,
  )
  return db.prepare("SELECT max(position) FROM events").pluck().get() as number
}

async function audit(store: string) {
  const text = await runCli(["audit", "--store", store])
  const json = await runCli(["audit", "--json", "--store", store])
  return { text, json, document: JSON.parse(json.stdout) as AuditDocument }
}

const violated = (document: AuditDocument) =>
  document.invariants.filter((check) => !check.holds).map((check) => check.name)

beforeAll(async () => {
  const imported = await runCli(["import", FIXTURE, "--store", `sqlite:${clean}`])
  expect(imported.code).toBe(0)
})

describe("audit of a damaged ledger", () => {
  it("the undamaged copy is clean: exit 0, every invariant ✓", async () => {
    const { text, json, document } = await audit(damaged(() => {}))
    expect(text.code).toBe(0)
    expect(json.code).toBe(0)
    expect(violated(document)).toEqual([])
    expect(text.stdout).toContain("✓ no-half-recorded-decision")
  })

  it("a row copied under the same event id: no-doubled-event-id, exit 1, the copy's position named", async () => {
    let copy = 0
    const store = damaged((db) => {
      copy = appendCopy(db, firstPosition(db, "HeartbeatRan"))
    })
    const { text, json, document } = await audit(store)
    expect(text.code).toBe(1)
    expect(json.code).toBe(1)
    expect(text.stdout).toContain("✗ no-doubled-event-id")
    expect(text.stderr).toContain("0 stranded events, 2 violated invariants")
    // The copy also consumes its events a second time.
    expect(violated(document)).toEqual(["accounting", "no-doubled-event-id"])
    const check = document.invariants.find((c) => c.name === "no-doubled-event-id")
    expect(check?.violations?.[0]?.position).toBe(copy)
    expect(text.stdout).toContain(`position ${copy}`)
  })

  it("a second consume of a consumed event: accounting fails, naming the event and the second fate", async () => {
    const store = damaged((db) => {
      const ran = db
        .prepare("SELECT position, data FROM events WHERE type = 'HeartbeatRan' LIMIT 1")
        .get() as {
        position: number
        data: string
      }
      const { queueKey, consumed } = JSON.parse(ran.data) as { queueKey: string; consumed: string[] }
      appendCopy(db, ran.position, {
        eventId: "second-consume",
        type: "SystemEventsConsumed",
        data: JSON.stringify({
          _tag: "SystemEventsConsumed",
          queueKey,
          eventIds: consumed,
          at: Date.UTC(2025, 5, 3),
        }),
      })
    })
    const { text, document } = await audit(store)
    expect(text.code).toBe(1)
    expect(violated(document)).toEqual(["accounting"])
    expect(text.stdout).toMatch(/✗ accounting: .*a second fate/)
    // Today's sums alone still add up: the failure comes from the log's facts.
    expect(text.stdout).not.toContain("fates do not add up")
  })

  it("a decision's event deleted: no-half-recorded-decision and the hole (SQLite never leaves one)", async () => {
    let deleted = 0
    const store = damaged((db) => {
      deleted = firstPosition(db, "HeartbeatWakeRequested")
      db.prepare("DELETE FROM events WHERE position = ?").run(deleted)
    })
    const { text, document } = await audit(store)
    expect(text.code).toBe(1)
    expect(violated(document)).toEqual(["no-half-recorded-decision", "positions-in-order"])
    expect(text.stdout).toContain("but no wake is recorded with it")
    expect(text.stdout).toContain(`position ${deleted} is missing, and this store never leaves holes`)
    expect(text.stderr).toContain("0 stranded events, 2 violated invariants")
  })

  it("positions renumbered with SQL: positions-in-order, in text, JSON and HTML", async () => {
    const store = damaged((db) => {
      db.exec("UPDATE events SET position = -position WHERE position > 3")
      db.exec("UPDATE events SET position = -position + 100 WHERE position < 0")
    })
    const html = join(dir, "renumbered.html")
    const { text, document } = await audit(store)
    expect(text.code).toBe(1)
    expect(violated(document)).toEqual(["positions-in-order"])
    expect(text.stdout).toContain("✗ positions-in-order: 1 position(s) out of order or missing")
    expect(document.invariants.find((c) => c.name === "positions-in-order")?.violations).toEqual([
      {
        reason: "positions 4–103 are missing, and this store never leaves holes",
        eventId: expect.any(String),
        position: 104,
        streamId: expect.any(String),
      },
    ])
    const withHtml = await runCli(["audit", "--html", html, "--store", store])
    expect(withHtml.code).toBe(1)
    expect(readFileSync(html, "utf8")).toContain("positions 4–103 are missing")
  })
})
