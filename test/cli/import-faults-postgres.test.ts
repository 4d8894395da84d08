/**
 * Interrupting a real CLI import into PostgreSQL — SIGKILL, SIGTERM, SIGINT at a random moment
 * of the recording — and resuming it ends with exactly the log of a clean import, every time;
 * and four imports of one file at once store what one stores (import-faults.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import pg from "pg"
import { afterAll, describe, expect, it } from "vitest"
import { dropSchema, pgTestSchema } from "../contract/postgres-test-schema.ts"
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

const TRIALS = Number(process.env.HEARTBEAT_LEDGER_IMPORT_TRIALS_PG ?? 30)
const FILES = 2
const root = mkdtempSync(join(tmpdir(), "hbl-import-faults-pg-"))
const schemas: Array<{ connectionString: string; schema: string }> = []
afterAll(async () => {
  rmSync(root, { recursive: true, force: true })
  for (const { connectionString, schema } of schemas) await dropSchema(connectionString, schema)
})

/** A fresh schema for one store. */
function freshStore(label: string) {
  const target = pgTestSchema(label)
  if (target._tag !== "Ready") throw new Error(target.reason)
  schemas.push(target)
  return target
}

/** Counts the schema's events (0 while the table does not exist yet). */
function pgCounter(connectionString: string, schema: string) {
  const client = new pg.Client({ connectionString })
  const connected = client.connect()
  return {
    count: async () => {
      await connected
      const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".events`)
      return Number(result.rows[0]?.n ?? 0)
    },
    close: () => client.end(),
  }
}

const probe = pgTestSchema("import-faults")

describe.runIf(probe._tag !== "Skip")("the import against PostgreSQL", () => {
  if (probe._tag === "Skip") return
  it.runIf(probe._tag === "Fail")("has a server to run against", () => {
    expect.fail(probe._tag === "Fail" ? probe.reason : "")
  })
  if (probe._tag === "Fail") return

  it(
    `${TRIALS} interruptions at random moments: the resumed store equals a clean import`,
    async () => {
      const next = random(SEED)
      const files = await Promise.all(
        Array.from({ length: FILES }, async (_, index) => {
          const file = join(root, `gateway-${index}.jsonl`)
          writeFileSync(file, generateImport(SEED + index, 10))
          const store = freshStore("import_ref").url
          await cliImport(file, store)
          return { file, reference: await logOf(store) }
        }),
      )
      const tally = { midway: 0, before: 0, after: 0 }
      const trial = async (n: number) => {
        const { file, reference } = files[n % FILES] as { file: string; reference: LoggedEvent[] }
        const target = freshStore("import_trial")
        const signal = SIGNALS[n % SIGNALS.length] as (typeof SIGNALS)[number]
        const counter = pgCounter(target.connectionString, target.schema)
        const at = 1 + Math.floor(next() * (reference.length - 1))
        await interruptedImport(file, target.url, signal, at, counter.count).finally(counter.close)
        const left = (await logOf(target.url)).length
        if (left === 0) tally.before++
        else if (left === reference.length) tally.after++
        else tally.midway++
        if (n % 10 === 0) await cliImport(file, target.url)
        else await importInProcess(file, target.url)
        expectSameLog(await logOf(target.url), reference)
      }
      for (let n = 0; n < TRIALS; n += 3) {
        await Promise.all([n, n + 1, n + 2].filter((k) => k < TRIALS).map(trial))
      }
      console.log(
        `import faults postgres: seed ${SEED}, ${TRIALS} interruptions (${SIGNALS.join("/")}): ${tally.midway} mid-import, ${tally.before} before the first line, ${tally.after} after the last`,
      )
      expect(tally.midway).toBeGreaterThan(0)
    },
    60_000 + TRIALS * 5_000,
  )

  it("four imports of one file at once store exactly what one import stores", async () => {
    const file = join(root, "shared.jsonl")
    writeFileSync(file, generateImport(SEED + 7, 12))
    const reference = freshStore("import_one").url
    await importInProcess(file, reference)
    const store = freshStore("import_four").url
    await Promise.all([0, 1, 2, 3].map(() => cliImport(file, store)))
    expectSameLog(await logOf(store), await logOf(reference))
  }, 180_000)
})
