/**
 * Interrupting a real CLI import into SQLite — SIGKILL, SIGTERM, SIGINT at a random moment —
 * and resuming it ends with exactly the log of a clean import (ids, types, data, streams,
 * revisions, positions: everything but recordedAt), every time: each input line is one atomic
 * multi-stream append, and its ids say whether it is already recorded (import-faults.ts).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
import { afterAll, describe, it } from "vitest"
import { interruptionTrials, referenceImports } from "./import-faults.ts"

/** Counts the events of the file at `path` (0 while it or its table does not exist yet). */
function sqliteCounter(path: string): { readonly count: () => Promise<number>; readonly close: () => void } {
  let db: Database.Database | undefined
  return {
    count: async () => {
      if (db === undefined && existsSync(path))
        db = new Database(path, { readonly: true, fileMustExist: true })
      try {
        return db === undefined
          ? 0
          : (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n
      } catch {
        return 0
      }
    },
    close: () => db?.close(),
  }
}

const TRIALS = Number(process.env.HEARTBEAT_LEDGER_IMPORT_TRIALS_SQLITE ?? 100)
/** Files (seeds) the trials share; one clean reference import each. */
const FILES = 4
// fsync is what a trial would mostly wait for: tmpfs when there is one (the crash is a process's).
// On a real disk: the fsyncs between commits are what widened the window in which the old,
// one-append-per-stream import could be cut inside a line (on tmpfs 15 trials missed it).
const root = mkdtempSync(join(tmpdir(), "hbl-import-faults-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe("an interrupted import, resumed (SQLite)", () => {
  it(
    `${TRIALS} interruptions at random moments: the resumed store equals a clean import`,
    async () => {
      const files = await referenceImports(
        root,
        FILES,
        14,
        (index) => `sqlite:${join(root, `reference-${index}.db`)}`,
      )
      await interruptionTrials({
        label: "sqlite",
        trials: TRIALS,
        files,
        store: (n) => {
          const path = join(root, `trial-${n}.db`)
          return { url: `sqlite:${path}`, ...sqliteCounter(path) }
        },
      })
    },
    60_000 + TRIALS * 5_000,
  )
})
