/**
 * What `npm pack` ships, from a fresh checkout (the project's files copied, no dist/): the
 * prepack builds dist/, and the tarball holds the CLI, the library with its types, the LICENSE
 * and every doc the CLI's help points at — and neither tests nor sources. The EventStoreDB and
 * KurrentDB clients are optional peers, so a SQLite or PostgreSQL user installs neither. Then
 * the tarball, installed into a fresh consumer project, compiles and runs the three lines of
 * docs/embedding.md's "From code" (the one pack serves both).
 */
import { execFileSync, spawnSync } from "node:child_process"
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { regions } from "./doc-regions.ts"

const NODE = resolve("node_modules/.bin/node")
const TSC = resolve("node_modules/typescript/bin/tsc")

interface Packed {
  readonly filename: string
  readonly files: ReadonlyArray<{ readonly path: string }>
}

describe("npm pack from a fresh checkout", () => {
  const checkout = mkdtempSync(join(tmpdir(), "hbl-pack-"))
  // Where the tarball goes and the consumer project lives: outside the checkout and this repository.
  const outside = mkdtempSync(join(tmpdir(), "hbl-consumer-"))
  let files: ReadonlyArray<string> = []
  let tarball = ""
  afterAll(() => {
    rmSync(checkout, { recursive: true, force: true })
    rmSync(outside, { recursive: true, force: true })
  })

  beforeAll(() => {
    // The project's files as a clone has them: tracked and new, never ignored ones (dist/).
    const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      encoding: "utf8",
    })
    for (const file of listed.split("\0").filter((f) => f !== "" && existsSync(f))) {
      mkdirSync(join(checkout, dirname(file)), { recursive: true })
      copyFileSync(file, join(checkout, file))
    }
    symlinkSync(resolve("node_modules"), join(checkout, "node_modules"))
    expect(existsSync(join(checkout, "dist"))).toBe(false)
    const out = execFileSync(
      "npm",
      ["pack", "--json", "--pack-destination", outside, "--no-fund", "--no-audit"],
      {
        cwd: checkout,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      },
    )
    // Scripts' own output may precede the JSON document.
    const [packed] = JSON.parse(out.slice(out.indexOf("\n[") + 1)) as Packed[]
    files = (packed?.files ?? []).map((file) => file.path)
    tarball = join(outside, packed?.filename ?? "")
  }, 120_000)

  it("builds dist/ first and ships the CLI and the library with types", () => {
    for (const file of [
      "dist/infrastructure/cli/launcher.js",
      "dist/infrastructure/cli/main.js",
      "dist/infrastructure/index.js",
      "dist/infrastructure/index.d.ts",
      "dist/infrastructure/openclaw/index.js",
      "dist/infrastructure/openclaw/index.d.ts",
      "LICENSE",
      "README.md",
      "package.json",
    ])
      expect(files, file).toContain(file)
    // And the built executable runs.
    const version = execFileSync(NODE, [join(checkout, "dist/infrastructure/cli/launcher.js"), "--version"], {
      encoding: "utf8",
    })
    expect(version).toMatch(/\d+\.\d+\.\d+/)
  })

  it("ships every doc the CLI's help and messages point at", () => {
    const sources = execFileSync(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "infrastructure"],
      {
        encoding: "utf8",
      },
    )
      .split("\0")
      .filter((f) => f.endsWith(".ts"))
    const cited = new Set<string>()
    for (const file of sources) {
      // Strings only: comments may cite any doc of the repository.
      const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "")
      for (const match of code.matchAll(/["'`][^"'`\n]*?\b(docs\/[\w-]+\.md)/g)) cited.add(match[1] as string)
    }
    expect(cited.size).toBeGreaterThan(0)
    for (const doc of cited) expect(files, doc).toContain(doc)
  })

  it("ships no tests, no TypeScript sources and no doc examples", () => {
    expect(files.filter((f) => f.startsWith("test/") || f.startsWith("docs/examples/"))).toEqual([])
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([])
  })

  it("makes the EventStoreDB and KurrentDB clients optional peers, not dependencies", () => {
    const manifest = JSON.parse(readFileSync("package.json", "utf8")) as {
      readonly dependencies: Record<string, string>
      readonly peerDependenciesMeta: Record<string, { readonly optional?: boolean }>
    }
    for (const client of ["@eventstore/db-client", "@kurrent/kurrentdb-client"]) {
      expect(manifest.dependencies[client], client).toBeUndefined()
      expect(manifest.peerDependenciesMeta[client]?.optional, client).toBe(true)
    }
    // The platform package that pulls in a Redis client as a required peer is not a dependency.
    expect(manifest.dependencies["@effect/platform-node"]).toBeUndefined()
  })

  describe("installed into a fresh consumer project", () => {
    const consumer = join(outside, "consumer")
    const example = regions(readFileSync("docs/examples/library.ts", "utf8")).get("from-code")

    beforeAll(() => {
      mkdirSync(consumer)
      writeFileSync(
        join(consumer, "package.json"),
        JSON.stringify({ name: "consumer", private: true, type: "module" }),
      )
      // What `tsc --init` and a NodeNext project would have, strict; the package's types checked too.
      writeFileSync(
        join(consumer, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            module: "nodenext",
            moduleResolution: "nodenext",
            types: ["node"],
            noEmit: true,
            skipLibCheck: false,
          },
          include: ["example.ts"],
        }),
      )
      writeFileSync(join(consumer, "example.ts"), `${example}\n`)
      // From npm's cache when it has them (`npm ci` filled it): the same versions as ours.
      const typesNode = (
        JSON.parse(readFileSync("node_modules/@types/node/package.json", "utf8")) as {
          readonly version: string
        }
      ).version
      execFileSync(
        "npm",
        ["install", "--prefer-offline", "--no-fund", "--no-audit", tarball, `@types/node@${typesNode}`],
        { cwd: consumer, stdio: ["ignore", "pipe", "pipe"] },
      )
    }, 120_000)

    it("type-checks the doc's example against the package's own declarations (strict, NodeNext)", () => {
      expect(example, "docs/examples/library.ts#from-code").toContain('from "heartbeat-ledger"')
      const check = spawnSync(NODE, [TSC, "-p", "tsconfig.json"], { cwd: consumer, encoding: "utf8" })
      expect({ status: check.status, errors: check.stdout + check.stderr }).toEqual({ status: 0, errors: "" })
    })

    it("runs it on an SQLite file: the ledger records, the audit reads it back, and a rerun finds it", () => {
      const run = () =>
        JSON.parse(execFileSync(NODE, ["example.ts"], { cwd: consumer, encoding: "utf8" })) as unknown
      const totals = { consumed: 0, pending: 0, evicted: 0, pruned: 0, stranded: 1 }
      expect(run()).toEqual({ attempts: 1, accepted: 1, rejected: 0, ...totals })
      // The reopened ledger replays the file: the same text again is the queue's duplicate.
      expect(run()).toEqual({ attempts: 2, accepted: 1, rejected: 1, ...totals })
      expect(existsSync(join(consumer, "ledger.db"))).toBe(true)
    })
  })
})
