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
  interruptionTrials,
  logOf,
  referenceImports,
  SEED,
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
      const files = await referenceImports(root, FILES, 10, () => freshStore("import_ref").url)
      await interruptionTrials({
        label: "postgres",
        trials: TRIALS,
        files,
        store: () => {
          const target = freshStore("import_trial")
          return { url: target.url, ...pgCounter(target.connectionString, target.schema) }
        },
      })
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
