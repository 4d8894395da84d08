/**
 * `heartbeat-ledger/openclaw` exports every name OpenClaw 2026.5.12's system-events and
 * heartbeat-wake export, with the same kind (function or constant, constants with their
 * values), and its signatures accept OpenClaw's (tsc on test/oracle/typecheck/, with the
 * release's plugin-sdk declarations mapped in by a tsconfig written for the test).
 * The lists are read from the installed release at test time: its `.d.ts` and its chunks.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"
import * as ours from "../../infrastructure/openclaw/index.ts"
import { describeOracle } from "./describe-oracle.ts"
import { loadOracleModule } from "./load.ts"
import { FIXED_RELEASE, releasePackageDir } from "./releases.ts"

const MODULES = ["system-events", "heartbeat-wake"] as const
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..")

type Kind = { readonly kind: "function" } | { readonly kind: "const"; readonly value: unknown }

/** The value names a declaration file exports: `export declare function|const NAME`. */
function declaredValues(dts: string): ReadonlyMap<string, Kind> {
  const names = new Map<string, Kind>()
  for (const match of dts.matchAll(/^export declare (function|const) (\w+)(?:[^=\n]*= (.+?);$)?/gm)) {
    const [, kind, name, literal] = match as unknown as [string, string, string, string | undefined]
    names.set(
      name,
      kind === "function"
        ? { kind: "function" }
        : { kind: "const", value: literal === undefined ? undefined : JSON.parse(literal) },
    )
  }
  return names
}

const declarations = (module: string) =>
  readFileSync(
    join(releasePackageDir(FIXED_RELEASE), "dist", "plugin-sdk", "src", "infra", `${module}.d.ts`),
    "utf8",
  )

const ourExports = ours as unknown as Record<string, unknown>

describeOracle("the drop-in surface (openclaw@2026.5.12)", () => {
  for (const module of MODULES) {
    it(`exports every value ${module}.d.ts declares, with its kind and value`, () => {
      const declared = declaredValues(declarations(module))
      expect(declared.size).toBeGreaterThan(3)
      const mismatched = [...declared].flatMap(([name, kind]) => {
        const value = ourExports[name]
        if (kind.kind === "function") return typeof value === "function" ? [] : [`${name}: ${typeof value}`]
        return value === kind.value
          ? []
          : [`${name}: ${JSON.stringify(value)} ≠ ${JSON.stringify(kind.value)}`]
      })
      expect(mismatched).toEqual([])
    })

    it(`exports every name ${module}'s chunk exports, with the same typeof and constants equal`, async () => {
      const theirs = await loadOracleModule(FIXED_RELEASE, `src/infra/${module}.ts`)
      expect(Object.keys(theirs).length).toBeGreaterThan(3)
      const mismatched = Object.entries(theirs).flatMap(([name, value]) => {
        const mine = ourExports[name]
        if (typeof mine !== typeof value) return [`${name}: ${typeof mine} ≠ ${typeof value}`]
        return typeof value === "function" || mine === value
          ? []
          : [`${name}: ${String(mine)} ≠ ${String(value)}`]
      })
      expect(mismatched).toEqual([])
    })
  }

  it("accepts OpenClaw's declared signatures and types (tsc)", () => {
    const dir = mkdtempSync(join(tmpdir(), "dropin-types-"))
    try {
      const tsconfig = join(dir, "tsconfig.json")
      writeFileSync(
        tsconfig,
        JSON.stringify({
          extends: join(repoRoot, "tsconfig.json"),
          compilerOptions: {
            noEmit: true,
            typeRoots: [join(repoRoot, "node_modules", "@types")],
            paths: {
              "openclaw-release/*": [
                join(releasePackageDir(FIXED_RELEASE), "dist", "plugin-sdk", "src", "*"),
              ],
            },
          },
          include: [],
          files: [join(repoRoot, "test", "oracle", "typecheck", "dropin-signatures.ts")],
        }),
      )
      const tsc = join(repoRoot, "node_modules", ".bin", "tsc")
      let output = ""
      try {
        execFileSync(tsc, ["-p", tsconfig], { encoding: "utf8", stdio: "pipe" })
      } catch (error) {
        const failed = error as { stdout?: string; stderr?: string }
        output = `${failed.stdout ?? ""}${failed.stderr ?? ""}`
      }
      expect(output).toBe("")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
}, [FIXED_RELEASE])
