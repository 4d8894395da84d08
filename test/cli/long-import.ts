/**
 * A long import to interrupt, and what to compare it with: a file of hook calls into 500
 * sessions (one append to one stream per line, so a line is recorded whole or not at all and
 * resuming is exact even without multi-stream atomicity), the store's head read beside a
 * writer, and the log without its wall-clock `recordedAt`.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import Database from "better-sqlite3"
import { beforeAll, expect } from "vitest"
import { runCli, sqliteIn, tempDir } from "./cli-harness.ts"

/** Lines of the long import (each records two events); HBL_LONG_IMPORT_LINES to change. */
export const LONG_IMPORT_LINES = Number(process.env.HBL_LONG_IMPORT_LINES ?? 3000)

export function writeLongImport(file: string, lines = LONG_IMPORT_LINES): void {
  const content = Array.from({ length: lines }, (_, i) =>
    JSON.stringify({
      at: new Date(Date.UTC(2025, 5, 2) + i * 1000).toISOString(),
      source: "hook",
      sessionKey: `agent:main:hook:k${i % 500}:1`,
      policy: {},
      name: "webhook",
      text: `event ${i}`,
    }),
  )
  writeFileSync(file, `${content.join("\n")}\n`)
}

/** The SQLite store's head position, read beside whatever writes it (0 before the first event). */
export function headOf(path: string): number {
  let db: Database.Database | undefined
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
    return (db.prepare("SELECT coalesce(max(position), 0) AS head FROM events").get() as { head: number })
      .head
  } catch {
    return 0 // not created or not migrated yet
  } finally {
    db?.close()
  }
}

/** The log as exported, without the wall-clock `recordedAt`: what a clean import must equal. */
export async function exportedLog(store: string): Promise<ReadonlyArray<unknown>> {
  const result = await runCli(["export", "--store", store])
  expect(result.code).toBe(0)
  return result.stdout
    .trim()
    .split("\n")
    .map((line) => {
      const { recordedAt: _recordedAt, ...rest } = JSON.parse(line) as Record<string, unknown>
      return rest
    })
}

/**
 * For a describe block: a temporary folder, the long import written into it and imported
 * once cleanly (before the block's tests): the file and its log.
 */
export function longImportFixture(): {
  readonly dir: string
  readonly file: string
  readonly clean: ReadonlyArray<unknown>
} {
  const fixture = { dir: tempDir(), file: "", clean: [] as ReadonlyArray<unknown> }
  beforeAll(async () => {
    fixture.file = join(fixture.dir, "day.jsonl")
    writeLongImport(fixture.file)
    const store = sqliteIn(fixture.dir, "clean.db")
    expect((await runCli(["import", fixture.file, "--store", store])).code).toBe(0)
    fixture.clean = await exportedLog(store)
  }, 120_000)
  return fixture
}
