/**
 * Interrupting a real CLI import into SQLite — SIGKILL, SIGTERM, SIGINT at a random moment —
 * and resuming it ends with exactly the log of a clean import (ids, types, data, streams,
 * revisions, positions: everything but recordedAt), every time: each input line is one atomic
 * multi-stream append, and its ids say whether it is already recorded (import-faults.ts).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
import { afterAll, describe, expect, it } from "vitest"
import {
  cliImport,
  expectSameLog,
  generateImport,
  importInProcess,
  interruptedImport,
  type LoggedEvent,
  logOf,
  random,
  SEED,
  SIGNALS,
} from "./import-faults.ts"

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
const root = mkdtempSync(join(tmpdir(), "hbl-import-faults-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe("an interrupted import, resumed (SQLite)", () => {
  it(
    `${TRIALS} interruptions at random moments: the resumed store equals a clean import`,
    async () => {
      const next = random(SEED)
      const files = await Promise.all(
        Array.from({ length: FILES }, async (_, index) => {
          const file = join(root, `gateway-${index}.jsonl`)
          writeFileSync(file, generateImport(SEED + index))
          const store = `sqlite:${join(root, `reference-${index}.db`)}`
          await cliImport(file, store)
          return { file, reference: await logOf(store) }
        }),
      )
      const tally = { midway: 0, before: 0, after: 0 }
      const trial = async (n: number) => {
        const { file, reference, ms } = files[n % FILES] as {
          file: string
          reference: LoggedEvent[]
          ms: number
        }
        const store = `sqlite:${join(root, `trial-${n}.db`)}`
        const signal = SIGNALS[n % SIGNALS.length] as (typeof SIGNALS)[number]
        const path = join(root, `trial-${n}.db`)
        // At a random point of the recording: once the store holds `target` events.
        const target = 1 + Math.floor(next() * (reference.length - 1))
        const counter = sqliteCounter(path)
        await interruptedImport(file, store, signal, target, counter.count).finally(counter.close)
        const left = existsSync(path) ? (await logOf(store)).length : 0
        if (left === 0) tally.before++
        else if (left === reference.length) tally.after++
        else tally.midway++
        // Every tenth resume through the CLI, the rest in process (the same recordImport).
        if (n % 10 === 0) await cliImport(file, store)
        else await importInProcess(file, store)
        expectSameLog(await logOf(store), reference)
      }
      for (let n = 0; n < TRIALS; n += 2)
        await Promise.all([trial(n), ...(n + 1 < TRIALS ? [trial(n + 1)] : [])])
      console.log(
        `import faults sqlite: seed ${SEED}, ${TRIALS} interruptions (${SIGNALS.join("/")}): ${tally.midway} mid-import, ${tally.before} before the first line, ${tally.after} after the last; ${files.map((f) => f.reference.length).join("/")} events per file`,
      )
      expect(tally.midway).toBeGreaterThan(0)
    },
    60_000 + TRIALS * 5_000,
  )
})
