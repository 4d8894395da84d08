/**
 * The domain stays pure: no imports from the outer layers, no Node modules, no clock, no
 * randomness, no process. Commands carry the time; ids come from outside.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const DOMAIN_DIR = "domain"

const FORBIDDEN: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp }> = [
  { name: "an import from application/", pattern: /\bfrom\s+["'][^"']*\bapplication\// },
  { name: "an import from infrastructure/", pattern: /\bfrom\s+["'][^"']*\binfrastructure\// },
  {
    name: "a dynamic import of an outer layer",
    pattern: /\bimport\(\s*["'][^"']*\b(?:application|infrastructure)\//,
  },
  { name: "a node: module", pattern: /["']node:/ },
  { name: "Date.now(", pattern: /\bDate\.now\(/ },
  { name: "new Date(", pattern: /\bnew\s+Date\(/ },
  { name: "Math.random(", pattern: /\bMath\.random\(/ },
  { name: "process.", pattern: /\bprocess\./ },
]

/** Every violation in one file's text, as `<file>: <what>` lines. */
const violationsIn = (file: string, text: string): string[] =>
  FORBIDDEN.filter(({ pattern }) => pattern.test(text)).map(({ name }) => `${file}: ${name}`)

const domainFiles = (): string[] =>
  readdirSync(DOMAIN_DIR, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))

describe("the domain is pure", () => {
  it("checks every file in domain/", () => {
    const files = domainFiles()
    expect(files.length).toBeGreaterThanOrEqual(10)
    expect(files).toContain(join(DOMAIN_DIR, "queue.ts"))
  })

  it("no file in domain/ imports application/ or infrastructure/, uses node:, a clock, randomness or process", () => {
    const violations = domainFiles().flatMap((file) => violationsIn(file, readFileSync(file, "utf8")))
    expect(violations).toEqual([])
  })

  it.each([
    ['import { Ledger } from "../application/ledger.ts"', "an import from application/"],
    ["import { store } from '../infrastructure/stores/memory.ts'", "an import from infrastructure/"],
    ['const m = await import("../infrastructure/index.ts")', "a dynamic import of an outer layer"],
    ['import { readFileSync } from "node:fs"', "a node: module"],
    ["const at = Date.now()", "Date.now("],
    ["const today = new Date()", "new Date("],
    ["const id = Math.random().toString(36)", "Math.random("],
    ["const home = process.env.HOME", "process."],
  ])("the check catches %j", (source, what) => {
    expect(violationsIn("sample.ts", source)).toContain(`sample.ts: ${what}`)
  })

  it("the check passes pure code", () => {
    expect(violationsIn("sample.ts", 'import { x } from "./session-key.ts"\nconst at = command.at')).toEqual(
      [],
    )
  })
})
