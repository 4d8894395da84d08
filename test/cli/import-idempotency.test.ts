/**
 * The same facts imported again are stored once: four imports of one file at once, and a log
 * that grew (its first 1,000 lines, then its first 2,000), end with exactly the log of one
 * import of the largest file — ids, types, data, streams, order (import-faults.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { runCli } from "./cli-harness.ts"
import { cliImport, expectSameLog, generateImport, importInProcess, logOf, SEED } from "./import-faults.ts"

const root = mkdtempSync(join(tmpdir(), "hbl-import-again-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const sqlite = (name: string) => `sqlite:${join(root, name)}`

describe("importing the same facts again (SQLite)", () => {
  it("four imports of one file at once store exactly what one import stores", async () => {
    const file = join(root, "shared.jsonl")
    writeFileSync(file, generateImport(SEED, 20))
    await importInProcess(file, sqlite("one.db"))
    const outputs = await Promise.all([0, 1, 2, 3].map(() => cliImport(file, sqlite("four.db"))))
    // How the work split (each says how many lines it found already recorded): they overlapped.
    console.log(
      `four imports at once: ${outputs.map((out) => out.match(/; ([\d,]+) lines were already/)?.[1] ?? "0").join(" / ")} lines skipped`,
    )
    expectSameLog(await logOf(sqlite("four.db")), await logOf(sqlite("one.db")))
  }, 180_000)

  it("a grown log (its first 1,000 lines, then its first 2,000) is stored as one import of the 2,000", async () => {
    const all = generateImport(SEED + 1, 140)
      .split("\n")
      .filter((line) => line !== "")
    expect(all.length).toBeGreaterThanOrEqual(2_000)
    const first = join(root, "first-1000.jsonl")
    const grown = join(root, "first-2000.jsonl")
    writeFileSync(first, `${all.slice(0, 1_000).join("\n")}\n`)
    writeFileSync(grown, `${all.slice(0, 2_000).join("\n")}\n`)
    await importInProcess(grown, sqlite("once.db"))
    await cliImport(first, sqlite("grew.db"))
    const again = await cliImport(grown, sqlite("grew.db"))
    expect(again).toMatch(/lines were already recorded and skipped/)
    expectSameLog(await logOf(sqlite("grew.db")), await logOf(sqlite("once.db")))
  }, 180_000)

  it("an export's event whose id the store holds in another stream is refused, never stored twice", async () => {
    const store = sqlite("moved.db")
    const file = join(root, "small.jsonl")
    writeFileSync(file, generateImport(SEED + 2, 1))
    await cliImport(file, store)
    const before = await logOf(store)
    const [first] = (await runCli(["export", "--store", store])).stdout.split("\n")
    const moved = join(root, "moved.jsonl")
    writeFileSync(moved, `${JSON.stringify({ ...JSON.parse(first as string), streamId: "hbl-elsewhere" })}\n`)
    const result = await runCli(["import", moved, "--store", store])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain(
      `event id ${before[0]?.id} is already stored in stream ${before[0]?.streamId}`,
    )
    expectSameLog(await logOf(store), before)
  })
})
