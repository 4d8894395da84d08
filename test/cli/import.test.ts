import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, Stream } from "effect"
import { describe, expect, it } from "vitest"
import type { EventStoreShape } from "../../application/event-store.ts"
import type { AuditDocument } from "../../infrastructure/cli/audit/audit-document.ts"
import { decodeImportLine, type ImportLine } from "../../infrastructure/cli/import/import-line.ts"
import { lineId, lineIdentities } from "../../infrastructure/cli/import/line-ids.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { FIXTURE, runCli, sqliteIn, tempDir } from "./cli-harness.ts"
import { importInProcess } from "./import-in-process.ts"

const line = (fields: Record<string, unknown>) => JSON.stringify(fields)
const execExit = {
  at: "2025-06-02T02:00:41Z",
  source: "exec-exit",
  sessionKey: "agent:ops:cron:nightly:run:r1",
  policy: {},
  processId: "3f9a1c2e77d0",
  exitCode: 0,
  output: "snapshot saved",
}

/** The audit JSON without the line naming the store, to compare two stores. */
const auditOf = async (store: string) => {
  const result = await runCli(["audit", "--json", "--store", store])
  const { store: _store, ...document } = JSON.parse(result.stdout) as AuditDocument
  return document
}

describe("import lines (in process)", () => {
  it("decodes every source kind of the fixture", () => {
    const rows = readFileSync(FIXTURE, "utf8").trim().split("\n")
    const decoded = rows.map((row, index) => decodeImportLine(row, index + 1))
    expect(decoded.filter(Array.isArray)).toEqual([])
  })

  it("reports every bad field of a line, with the value it got", () => {
    const errors = decodeImportLine(
      line({ ...execExit, exitCode: "0", processId: undefined, at: "yesterday" }),
      7,
    )
    expect(errors).toEqual([
      { line: 7, field: "at", message: expect.stringContaining("ISO-8601") },
      { line: 7, field: "processId", message: "Missing key" },
      { line: 7, field: "exitCode", message: expect.stringContaining('(got "0")') },
    ])
    expect(decodeImportLine(line({ ...execExit, exitcode: 1 }), 1)).toEqual([
      { line: 1, field: "exitcode", message: expect.stringContaining("excess") },
    ])
    expect(decodeImportLine(line({ ...execExit, source: "smoke-signal" }), 2)).toEqual([
      { line: 2, field: "source", message: expect.stringContaining('"exec-exit"') },
    ])
  })

  it("derives ids from what a line is and its occurrence, never from where it is", () => {
    const decode = (row: string) => decodeImportLine(row, 1) as ImportLine
    const a = decode(line(execExit))
    const aReordered = decode(JSON.stringify(Object.fromEntries(Object.entries(execExit).reverse())))
    const b = decode(line({ ...execExit, exitCode: 1 }))
    const [a1, b1, a2, a3] = lineIdentities([a, b, aReordered, a])
    const [other] = lineIdentities([a])
    // Key order is not content; a line's first occurrence is the same fact in any file.
    expect(a1).toEqual(other)
    expect(a1).not.toEqual(b1)
    // Identical lines are distinct facts, told apart by their occurrence.
    expect(a2).not.toEqual(a1)
    expect(a3).not.toEqual(a2)
    const id = lineId(a1 as Uint8Array, "event", 3)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(lineId(a1 as Uint8Array, "event", 0)).not.toBe(lineId(a1 as Uint8Array, "domain", 0))
    expect(lineId(a1 as Uint8Array, "event", 0)).not.toBe(lineId(a1 as Uint8Array, "event", 1))
  })
})

/** Imports `upToLine` lines of the fixture (all by default) into `store`, in process. */
const importFixture = (store: EventStoreShape, upToLine = Number.POSITIVE_INFINITY) =>
  importInProcess(store, readFileSync(FIXTURE), (line) => line <= upToLine).then(({ summary }) => summary)

const logOf = (store: EventStoreShape) =>
  Effect.runPromise(Stream.runCollect(store.readAll())).then((records) =>
    [...records].map(({ recordedAt: _recordedAt, ...record }) => record),
  )

describe("resuming an interrupted import (in process)", () => {
  it("skips the lines a previous run recorded and records the rest, as one run would have", async () => {
    const interrupted = makeMemoryEventStore({ now: () => 0 })
    const first = await importFixture(interrupted, 10)
    expect(first.lines).toBe(10)
    const resumed = await importFixture(interrupted)
    expect(resumed.alreadyRecorded).toBe(10)
    expect(resumed.lines - resumed.alreadyRecorded).toBe(12)

    const once = makeMemoryEventStore({ now: () => 0 })
    await importFixture(once)
    expect(await logOf(interrupted)).toEqual(await logOf(once))
  })
})

describe("heartbeat-ledger import", () => {
  it("refuses a file with bad lines, naming file:line and field, and writes nothing", async () => {
    const dir = tempDir()
    const file = join(dir, "bad.jsonl")
    writeFileSync(
      file,
      [
        line(execExit),
        line({ ...execExit, processId: undefined }),
        "{not json",
        line({ ...execExit, exitCode: "0" }),
      ].join("\n"),
    )
    const dbPath = join(dir, "ledger.db")
    const result = await runCli(["import", file, "--store", `sqlite:${dbPath}`])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`${file}:2: processId: Missing key`)
    expect(result.stderr).toContain(`${file}:3: (line): not valid JSON`)
    expect(result.stderr).toMatch(new RegExp(`${file}:4: exitCode: .*\\(got "0"\\)`))
    expect(result.stderr).toContain("nothing was imported")
    // Validation happens before the store is even opened.
    expect(existsSync(dbPath)).toBe(false)
  })

  it("records a file once, however often it is imported", async () => {
    const store = sqliteIn(tempDir())
    const first = await runCli(["import", FIXTURE, "--store", store])
    expect(first.code).toBe(0)
    expect(first.stdout).toContain(
      "12 source calls (1 silent), 6 heartbeats, 1 retention sweep, 3 config lines",
    )
    const exported = await runCli(["export", "--store", store])
    const second = await runCli(["import", FIXTURE, "--store", store])
    expect(second.code).toBe(0)
    expect(second.stdout).toContain("22 lines were already recorded and skipped")
    const again = await runCli(["export", "--store", store])
    expect(again.stdout).toBe(exported.stdout)
  })

  it("reads standard input for -", async () => {
    const store = sqliteIn(tempDir())
    const result = await runCli(["import", "-", "--store", store], { input: `${line(execExit)}\n` })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Imported 1 line from <stdin>")
    expect((await auditOf(store)).totals.accepted).toBe(1)
  })

  it("export then import into an empty store reproduces the same audit, and re-importing adds nothing", async () => {
    const dir = tempDir()
    const source = sqliteIn(dir, "a.db")
    const copy = sqliteIn(dir, "b.db")
    expect((await runCli(["demo", "--agents", "2", "--runs", "2", "--store", source])).code).toBe(0)
    const exported = await runCli(["export", "--store", source])
    expect(exported.code).toBe(0)
    const file = join(dir, "export.jsonl")
    writeFileSync(file, exported.stdout)
    expect((await runCli(["import", file, "--store", copy])).code).toBe(0)
    const [a, b] = await Promise.all([auditOf(source), auditOf(copy)])
    expect(b).toEqual(a)
    expect(a.totals.attempts).toBeGreaterThan(0)
    const twice = await runCli(["import", file, "--store", copy])
    expect(twice.stdout).toMatch(/(\d+) lines were already recorded/)
    const reExported = await runCli(["export", "--store", copy])
    expect(reExported.stdout.split("\n").length).toBe(exported.stdout.split("\n").length)
  })

  it("reports an unreadable file as bad input", async () => {
    const result = await runCli(["import", "/nonexistent/gateway.jsonl", "--store", "memory:"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("cannot read /nonexistent/gateway.jsonl")
  })
})
