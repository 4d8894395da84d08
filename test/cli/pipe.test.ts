/**
 * Output through a real pipe into a slow reader is complete whatever the exit code: the CLI
 * exits only once stdout has drained (a pipe holds 64 KiB; `process.exit` with more queued
 * used to cut `audit --json | jq` exactly when the audit had findings).
 */
import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import type { AuditDocument } from "../../infrastructure/cli/audit/audit-document.ts"
import { MAIN, NODE, runCli, sqliteIn, tempDir } from "./cli-harness.ts"

const LAUNCHER = resolve("dist/infrastructure/cli/launcher.js")
/** Stranded events with long texts: the audit's JSON document is well over 1 MB. */
const STRANDED = 600

const shellWords = (words: ReadonlyArray<string>) =>
  words.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(" ")

/** Runs `node SCRIPT ARGS` in bash with stdout redirected as `redirect` says; exit code and output. */
function run(script: string, args: ReadonlyArray<string>, out: string, pipe: boolean) {
  const command = shellWords([NODE, script, ...args])
  const line = pipe
    ? `${command} 2>/dev/null | { sleep 1; cat > '${out}'; }; echo "\${PIPESTATUS[0]}"`
    : `${command} 2>/dev/null > '${out}'; echo "$?"`
  const code = execFileSync("bash", ["-c", line], {
    encoding: "utf8",
    env: { ...process.env, HEARTBEAT_LEDGER_STORE: "" },
  })
  return { code: Number(code.trim()), output: readFileSync(out, "utf8") }
}
/** Into a reader that waits a second before reading: the pipe's 64 KiB fill at once. */
const throughPipe = (script: string, args: ReadonlyArray<string>, out: string) => run(script, args, out, true)
/** Into a file, where Node's writes are synchronous and never cut. */
const toFile = (script: string, args: ReadonlyArray<string>, out: string) => run(script, args, out, false)

describe("output through a pipe, on a non-zero exit", () => {
  const dir = tempDir()
  const store = sqliteIn(dir)

  beforeAll(async () => {
    // Hook calls into sessions no heartbeat drains: each one stays stranded (audit exit 1).
    const lines = Array.from({ length: STRANDED }, (_, i) =>
      JSON.stringify({
        at: new Date(Date.UTC(2025, 5, 2, 10) + i * 1000).toISOString(),
        source: "hook",
        sessionKey: `agent:main:hook:pipe:${i}`,
        policy: {},
        name: "webhook",
        text: `event ${i} ${"x".repeat(2000)}`,
      }),
    )
    const file = join(dir, "stranded.jsonl")
    writeFileSync(file, lines.join("\n"))
    expect((await runCli(["import", file, "--store", store])).code).toBe(0)
  }, 60_000)

  const cases = [
    { via: "main.ts", script: MAIN },
    { via: "the installed launcher", script: LAUNCHER },
  ]
  for (const { via, script } of cases) {
    it(`audit --json is whole, exit 1 (${via})`, () => {
      const { code, output } = throughPipe(
        script,
        ["audit", "--json", "--store", store],
        join(dir, "audit.json"),
      )
      expect(code).toBe(1)
      expect(output.length).toBeGreaterThan(1_000_000)
      const document = JSON.parse(output) as AuditDocument
      expect(document.totals.stranded).toBe(STRANDED)
      expect(document.stranded).toHaveLength(STRANDED)
      const direct = toFile(script, ["audit", "--json", "--store", store], join(dir, "audit-file.json"))
      expect(direct.code).toBe(1)
      expect(output).toBe(direct.output)
    }, 60_000)
  }
})
