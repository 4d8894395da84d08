/** Imports point inward only: infrastructure → application → domain. */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name))

const importsOf = (file: string): string[] =>
  [...readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)[^"']*?from\s+["']([^"']+)["']/gm)].map(
    (match) => match[1] as string,
  )

const offenders = (dir: string, forbidden: RegExp) =>
  sourcesUnder(dir).flatMap((file) =>
    importsOf(file)
      .filter((specifier) => forbidden.test(specifier))
      .map((specifier) => `${file} imports ${specifier}`),
  )

describe("layering", () => {
  it("application/ never imports infrastructure/", () => {
    expect(offenders("application", /(^|\/)infrastructure\//)).toEqual([])
  })

  it("domain/ imports neither application/ nor infrastructure/", () => {
    expect(offenders("domain", /(^|\/)(application|infrastructure)\//)).toEqual([])
  })

  it("the check sees a violation when there is one", () => {
    expect(importsOf("infrastructure/index.ts")).toContain("../application/ledger.ts")
  })
})
