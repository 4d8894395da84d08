/**
 * One meaning per exit code, the same for every command (docs/exit-codes.md): 0 clean,
 * 1 findings, 2 bad usage or input, 3 store failure, 4 contention, 70 internal error,
 * 130/143 interrupted by SIGINT/SIGTERM — and an interrupted import says how far it got.
 */
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import Database from "better-sqlite3"
import { Cause, Exit, Runtime, Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  EventTooLarge,
  StoreUnavailable,
  UndecodableEvent,
  WrongExpectedRevision,
} from "../../application/event-store-errors.ts"
import { LedgerContention } from "../../application/ledger-errors.ts"
import { AuditFindings, BadInput, EXIT_STORE_FAILURE } from "../../infrastructure/cli/shared/exit.ts"
import { exitCodeOf } from "../../infrastructure/cli/shared/teardown.ts"
import { InvalidStoreUrl } from "../../infrastructure/store-url.ts"
import { FIXTURE, MAIN, NODE, runCli, sqliteIn, tempDir } from "./cli-harness.ts"
import { exportedLog, headOf, LONG_IMPORT_LINES, longImportFixture } from "./long-import.ts"

/** Nothing listens on port 1 of the loopback: the connection is refused at once. */
const UNREACHABLE_PG = "postgres://nobody:secret@127.0.0.1:1/ledger"

const codeOf = (error: unknown) => exitCodeOf(Exit.fail(error), () => {})

/** A failure another part of the CLI defines, declaring its code the documented way. */
class NoLedgerHere extends Schema.TaggedError<NoLedgerHere>()("NoLedgerHere", { message: Schema.String }) {
  override readonly [Runtime.errorExitCode] = EXIT_STORE_FAILURE
}

describe("exit codes, failure by failure", () => {
  const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" })
  const pgDeadlock = Object.assign(new Error("deadlock detected"), { code: "40P01" })
  const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
  const cases: ReadonlyArray<readonly [string, unknown, number]> = [
    ["audit findings", new AuditFindings({ stranded: 1, violations: 0 }), 1],
    ["bad input", new BadInput({ message: "x.jsonl:3: at: not a date" }), 2],
    ["an invalid store URL", new InvalidStoreUrl({ url: "nosuch://x", reason: "unknown scheme" }), 2],
    [
      "an event over the size limit",
      new EventTooLarge({ streamId: "s", eventId: "e", bytes: 9, limit: 1 }),
      2,
    ],
    ["an unreachable store", new StoreUnavailable({ store: "pg", reason: "refused", cause: refused }), 3],
    [
      "an undecodable stored record",
      new UndecodableEvent({ streamId: "s", revision: 0, position: 1, type: "T", version: 1, reason: "?" }),
      3,
    ],
    [
      "SQLite's lock held past the timeout",
      new StoreUnavailable({ store: "db", reason: "busy", cause: busy }),
      4,
    ],
    [
      "a PostgreSQL deadlock",
      new StoreUnavailable({ store: "pg", reason: "deadlock", cause: pgDeadlock }),
      4,
    ],
    ["retries exhausted", new LedgerContention({ streamId: "s", attempts: 5 }), 4],
    ["a conflicting writer", new WrongExpectedRevision({ streamId: "s", expected: 1, actual: 2 }), 4],
    ["a failure that declares its code", new NoLedgerHere({ message: "no ledger at x.db" }), 3],
  ]
  for (const [what, error, code] of cases) {
    it(`${what}: ${code}`, () => expect(codeOf(error)).toBe(code))
  }

  it("a defect (a bug of ours) is 70, not 'findings', and prints its trace", () => {
    const lines: string[] = []
    expect(exitCodeOf(Exit.die(new Error("boom")), (line) => lines.push(line))).toBe(70)
    expect(lines.join("\n")).toContain("boom")
    expect(codeOf(new Error("untagged"))).toBe(70)
  })

  it("an interruption without a recorded signal is 130", () => {
    expect(exitCodeOf(Exit.failCause(Cause.interrupt()), () => {})).toBe(130)
  })
})

describe("exit codes through the CLI", () => {
  const dir = tempDir()

  it("0 clean, 1 findings", async () => {
    const store = sqliteIn(dir, "fixture.db")
    expect((await runCli(["import", FIXTURE, "--store", store])).code).toBe(0)
    expect((await runCli(["audit", "--store", store])).code).toBe(0)
    expect((await runCli(["audit", "--routing", "legacy", "--store", store])).code).toBe(1)
  })

  it("2 for bad usage and bad input, whatever the command", async () => {
    const bad = join(dir, "bad.jsonl")
    writeFileSync(bad, '{"at":"not a date"}\n')
    for (const args of [
      ["audit", "--no-such-flag"],
      ["export", "--store", "nosuch://x"],
      ["import", bad, "--store", "memory:"],
      ["inspect", "event", "abc", "--store", "memory:"],
      ["demo", "--agents", "0", "--store", "memory:"],
    ]) {
      const result = await runCli(args)
      expect(result.code, args.join(" ")).toBe(2)
    }
  })

  it("3 when the store cannot be reached or opened, for reads and for imports", async () => {
    for (const args of [
      ["audit", "--store", UNREACHABLE_PG],
      ["export", "--store", UNREACHABLE_PG],
      ["import", FIXTURE, "--store", UNREACHABLE_PG],
      // The SQLite file's directory would be under a regular file.
      ["import", FIXTURE, "--store", `sqlite:${FIXTURE}/ledger.db`],
    ]) {
      const result = await runCli(args)
      expect(result.code, args.join(" ")).toBe(3)
      expect(result.stderr).toMatch(/unavailable/)
      expect(result.stderr).not.toContain("secret")
    }
  })

  it("3 for a TLS-requiring PostgreSQL URL that cannot connect, with no driver warning in the output", async () => {
    for (const mode of ["require", "prefer", "verify-ca"]) {
      const result = await runCli(["audit", "--store", `${UNREACHABLE_PG}?sslmode=${mode}`])
      expect(result.code).toBe(3)
      expect(result.stderr).not.toMatch(/warning/i)
      expect(result.stderr).toContain(`sslmode=${mode}`)
    }
  })

  it("4 when another process holds the SQLite store's write lock past the busy timeout", async () => {
    const path = join(dir, "locked.db")
    expect((await runCli(["import", FIXTURE, "--store", `sqlite:${path}`])).code).toBe(0)
    const holder = new Database(path)
    holder.exec("BEGIN IMMEDIATE")
    try {
      const result = await runCli(["import", FIXTURE, "--store", `sqlite:${path}`])
      expect(result.code).toBe(4)
      expect(result.stderr).toMatch(/locked|busy/i)
    } finally {
      holder.exec("ROLLBACK")
      holder.close()
    }
  }, 60_000)
})

describe("an import interrupted by a signal", () => {
  const long = longImportFixture()

  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal}: exit ${code}, says how far it got, and re-running finishes it`, async () => {
      const path = join(long.dir, `${signal}.db`)
      const child = spawn(NODE, [MAIN, "import", long.file, "--store", `sqlite:${path}`], {
        stdio: ["ignore", "pipe", "pipe"],
      })
      let stderr = ""
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk
      })
      const exited = new Promise<number | null>((done) => child.on("close", done))
      while (headOf(path) < 200) await sleep(50)
      child.kill(signal)
      expect(await exited).toBe(code)
      const reached = /interrupted at line ([\d,]+) of ([\d,]+)/.exec(stderr)
      expect(reached, stderr).not.toBeNull()
      const line = Number(reached?.[1]?.replaceAll(",", ""))
      expect(reached?.[2]).toBe(LONG_IMPORT_LINES.toLocaleString("en-US"))
      expect(line).toBeGreaterThan(0)
      expect(line).toBeLessThan(LONG_IMPORT_LINES)
      // Each line records two events: the lines before the one reported are all in the store.
      expect(headOf(path)).toBeGreaterThanOrEqual((line - 1) * 2)
      expect(stderr).toContain("run the same import again to resume")
      const resumed = await runCli(["import", long.file, "--store", `sqlite:${path}`])
      expect(resumed.code).toBe(0)
      expect(await exportedLog(`sqlite:${path}`)).toEqual(long.clean)
    }, 120_000)
  }
})
