/**
 * A stored row that cannot be read — damaged on purpose here: not JSON, the wrong shape, an
 * unknown type, a version from the future — is reported in plain words (position, stream,
 * event id, type, why; one bounded line) with exit 3, and `export --skip-undecodable`
 * salvages every other record. On SQLite and on PostgreSQL (whose `json` column cannot hold
 * text that is not JSON, so that damage is SQLite's only).
 */
import { join } from "node:path"
import Database from "better-sqlite3"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { counted } from "../../infrastructure/cli/shared/format.ts"
import { dropSchema, pgTestSchema } from "../contract/postgres-test-schema.ts"
import { FIXTURE, runCli, tempDir } from "./cli-harness.ts"

interface Damage {
  readonly position: number
  readonly column: "data" | "type" | "version"
  readonly value: string | number
  /** What the report must say about it. */
  readonly why: string
}

/** A megabyte of the wrong shape: the report about it must stay one short line. */
const HUGE = JSON.stringify("A".repeat(1_000_000))

const DAMAGE: ReadonlyArray<Damage> = [
  {
    position: 3,
    column: "data",
    value: '{"_tag": "SystemEventEnqueued", "eventId": ',
    why: "not valid JSON",
  },
  { position: 5, column: "data", value: HUGE, why: "Expected" },
  { position: 7, column: "type", value: "Mystery", why: "unknown event type" },
  { position: 9, column: "version", value: 99, why: "newer than this build knows" },
  { position: 11, column: "data", value: '{"_tag": "HeartbeatRan"}', why: 'Missing key at ["queueKey"]' },
]

/** The damaged rows as the reports name them: position, stream, event id. */
type Row = { readonly position: number; readonly streamId: string; readonly id: string }

const exportedRows = (stdout: string): Row[] =>
  stdout
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Row)

function expectPlainReport(stderr: string, row: Row, why: string) {
  const line = stderr.split("\n").find((l) => l.includes(`position ${row.position} `))
  expect(line, `a line about position ${row.position} in:\n${stderr.slice(0, 2000)}`).toBeDefined()
  expect(line).toContain(`stream ${row.streamId}`)
  expect(line).toContain(`event id ${row.id}`)
  expect(line).toContain(why)
  expect(line?.length).toBeLessThan(700)
  expect(stderr).not.toMatch(/Cause\(|SchemaError|Fail\(/)
}

function describeDamagedStore(
  name: string,
  open: () => Promise<{
    readonly store: string
    readonly damage: (damage: Damage) => Promise<void>
    readonly close: () => Promise<void>
  }>,
  damages: ReadonlyArray<Damage>,
) {
  describe(`undecodable rows on ${name}`, () => {
    let store = ""
    let clean: Row[] = []
    let close = async () => {}

    beforeAll(async () => {
      const opened = await open()
      store = opened.store
      close = opened.close
      expect((await runCli(["import", FIXTURE, "--store", store])).code).toBe(0)
      const exported = await runCli(["export", "--store", store])
      expect(exported.code).toBe(0)
      clean = exportedRows(exported.stdout)
      expect(clean.length).toBeGreaterThan(12)
      for (const damage of damages) await opened.damage(damage)
    }, 120_000)
    afterAll(() => close())

    const rowAt = (position: number) => clean.find((row) => row.position === position) as Row
    const first = damages[0] as Damage

    it("audit and inspect report the first one in plain words, exit 3", async () => {
      for (const command of [["audit"], ["audit", "--json"], ["inspect", "queue", "agent:ops:main"]]) {
        const result = await runCli([...command, "--store", store])
        expect(result.code, `${command.join(" ")}: ${result.stderr}`).toBe(3)
        expectPlainReport(result.stderr, rowAt(first.position), first.why)
        expect(result.stderr).toContain("export --skip-undecodable")
      }
    })

    it("export stops at the first one, exit 3, after writing the records before it", async () => {
      const result = await runCli(["export", "--store", store])
      expect(result.code).toBe(3)
      expectPlainReport(result.stderr, rowAt(first.position), first.why)
      expect(exportedRows(result.stdout)).toEqual(clean.filter((row) => row.position < first.position))
    })

    it("export --skip-undecodable writes every other record and lists each skipped one, exit 3", async () => {
      const result = await runCli(["export", "--skip-undecodable", "--store", store])
      expect(result.code).toBe(3)
      const damaged = new Set(damages.map((damage) => damage.position))
      expect(exportedRows(result.stdout)).toEqual(clean.filter((row) => !damaged.has(row.position)))
      for (const damage of damages) expectPlainReport(result.stderr, rowAt(damage.position), damage.why)
      expect(result.stderr).toContain(
        `${counted(damages.length, "undecodable record")} skipped (listed above), ${counted(clean.length - damages.length, "record")} exported`,
      )
    })
  })
}

describeDamagedStore(
  "SQLite",
  async () => {
    const path = join(tempDir(), "ledger.db")
    return {
      store: `sqlite:${path}`,
      damage: async ({ position, column, value }) => {
        const db = new Database(path)
        db.prepare(`UPDATE events SET ${column} = ? WHERE position = ?`).run(value, position)
        db.close()
      },
      close: async () => {},
    }
  },
  DAMAGE,
)

const target = pgTestSchema("undecodable")
if (target._tag === "Fail") throw new Error(target.reason)
if (target._tag === "Skip") {
  describe.skip(`undecodable rows on PostgreSQL (SKIP: ${target.reason})`, () => {
    it("needs a server", () => {})
  })
} else {
  describeDamagedStore(
    "PostgreSQL",
    async () => {
      const client = new pg.Client({ connectionString: target.connectionString })
      await client.connect()
      return {
        store: target.url,
        damage: async ({ position, column, value }) => {
          const cast = column === "data" ? "::json" : ""
          await client.query(
            `UPDATE "${target.schema}".events SET ${column} = $1${cast} WHERE position = $2`,
            [value, position],
          )
        },
        close: async () => {
          await client.end()
          await dropSchema(target.connectionString, target.schema)
        },
      }
    },
    // The `json` column refuses text that is not JSON: that damage cannot happen there.
    DAMAGE.filter((damage) => damage.why !== "not valid JSON"),
  )
}
