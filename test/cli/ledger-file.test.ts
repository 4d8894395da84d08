/**
 * Which SQLite files a command may open: a read-only command (audit, export, inspect) never
 * creates a ledger at a mistyped path, and no command touches a file that is not a ledger —
 * not even to switch it to WAL.
 */
import { createHash } from "node:crypto"
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import Database from "better-sqlite3"
import { describe, expect, it } from "vitest"

const LEDGER_APPLICATION_ID = 0x48424c47

import { FIXTURE, runCli, tempDir } from "./cli-harness.ts"

const READ_COMMANDS: ReadonlyArray<ReadonlyArray<string>> = [
  ["audit"],
  ["audit", "--json"],
  ["export"],
  ["inspect", "queue", "agent:ops:main"],
  ["inspect", "event", "0123456789"],
]
const WRITE_COMMANDS: ReadonlyArray<ReadonlyArray<string>> = [
  ["import", FIXTURE],
  ["demo", "--agents", "1", "--runs", "1"],
]

/**
 * Every file of the directory with a digest of its bytes: what "untouched" is compared by. A
 * `-shm` is left out: looking into a WAL database at all (read-only, as any reader does) makes
 * SQLite create that shared-memory index; the database and its WAL stay byte for byte.
 */
const snapshot = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((name) => !name.endsWith("-shm"))
      .sort()
      .map((name) => [
        name,
        createHash("sha256")
          .update(readFileSync(join(dir, name)))
          .digest("hex"),
      ]),
  )

const applicationIdOf = (path: string) => {
  const db = new Database(path, { readonly: true })
  try {
    return db.pragma("application_id", { simple: true }) as number
  } finally {
    db.close()
  }
}

/** Other applications' files, each alone in its own directory. */
const foreignFiles: ReadonlyArray<{ readonly name: string; readonly make: (path: string) => void }> = [
  {
    name: "a SQLite database with its own tables (rollback journal)",
    make: (path) => {
      const db = new Database(path)
      db.exec(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('mine')",
      )
      db.close()
    },
  },
  {
    name: "a WAL database whose WAL holds uncheckpointed pages",
    make: (path) => {
      // Closing the last connection would checkpoint and delete the WAL: copy it while open.
      const source = join(tempDir(), "source.db")
      const db = new Database(source)
      db.pragma("journal_mode = WAL")
      db.pragma("wal_autocheckpoint = 0")
      db.exec(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT); INSERT INTO events (what) VALUES ('x')",
      )
      copyFileSync(source, path)
      copyFileSync(`${source}-wal`, `${path}-wal`)
      db.close()
    },
  },
  {
    name: "an empty database marked by another application",
    make: (path) => {
      const db = new Database(path)
      db.pragma("application_id = 1234")
      db.close()
    },
  },
  { name: "a text file", make: (path) => writeFileSync(path, "not a database, but somebody's notes\n") },
]

describe("another application's file", () => {
  for (const foreign of foreignFiles) {
    it(`is refused untouched by every command: ${foreign.name}`, async () => {
      const dir = tempDir()
      const path = join(dir, "other.db")
      foreign.make(path)
      const before = snapshot(dir)
      for (const command of [...READ_COMMANDS, ...WRITE_COMMANDS]) {
        const result = await runCli([...command, "--store", `sqlite:${path}`])
        expect(result.code, `${command.join(" ")}: ${result.stderr}`).toBe(2)
        expect(result.stderr).toContain(`${path} is not a heartbeat-ledger ledger`)
        expect(result.stderr).toContain("left untouched")
        expect(snapshot(dir), command.join(" ")).toEqual(before)
      }
    })
  }
})

describe("a mistyped ledger path", () => {
  it("is refused by every read-only command, which creates nothing", async () => {
    const dir = tempDir()
    const path = join(dir, "no-such-dir", "ledger.db")
    for (const command of READ_COMMANDS) {
      const result = await runCli([...command, "--store", `sqlite:${path}`])
      expect(result.code, command.join(" ")).toBe(2)
      expect(result.stderr).toContain(`no ledger at ${path} (no such file)`)
      expect(result.stdout).toBe("")
    }
    expect(readdirSync(dir)).toEqual([])
  })

  it("an empty file is no ledger either, and stays empty", async () => {
    const dir = tempDir()
    const path = join(dir, "empty.db")
    writeFileSync(path, "")
    for (const command of READ_COMMANDS) {
      const result = await runCli([...command, "--store", `sqlite:${path}`])
      expect(result.code, command.join(" ")).toBe(2)
      expect(result.stderr).toContain(`no ledger at ${path} (the file is empty)`)
    }
    expect(readdirSync(dir)).toEqual(["empty.db"])
    expect(readFileSync(path).length).toBe(0)
  })
})

describe("our own ledgers", () => {
  it("are marked with our application_id when created", async () => {
    const dir = tempDir()
    const path = join(dir, "ledger.db")
    expect((await runCli(["import", FIXTURE, "--store", `sqlite:${path}`])).code).toBe(0)
    expect(applicationIdOf(path)).toBe(LEDGER_APPLICATION_ID)
  })

  it("from before the mark still open: read as they are, marked when next written", async () => {
    const dir = tempDir()
    const path = join(dir, "ledger.db")
    const store = `sqlite:${path}`
    expect((await runCli(["import", FIXTURE, "--store", store])).code).toBe(0)
    const marked = await runCli(["audit", "--json", "--store", store])
    // An older version's file: the same tables, no application_id.
    const db = new Database(path)
    db.pragma("application_id = 0")
    db.close()
    expect(applicationIdOf(path)).toBe(0)

    const audit = await runCli(["audit", "--json", "--store", store])
    expect(audit.stdout).toBe(marked.stdout)
    expect(audit.code).toBe(marked.code)
    expect((await runCli(["export", "--store", store])).code).toBe(0)
    expect(applicationIdOf(path)).toBe(0)

    // Re-importing records nothing new, but opens the file for writing: now it is marked.
    expect((await runCli(["import", FIXTURE, "--store", store])).code).toBe(0)
    expect(applicationIdOf(path)).toBe(LEDGER_APPLICATION_ID)
    expect(existsSync(path)).toBe(true)
  })
})
