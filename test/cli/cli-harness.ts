/** Runs the CLI as a child process on Node 24, the way a user does. */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export const NODE = resolve("node_modules/.bin/node")
export const MAIN = resolve("infrastructure/cli/main.ts")
export const FIXTURE = resolve("test/cli/fixtures/gateway-day.jsonl")

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export function runCli(
  args: ReadonlyArray<string>,
  options: { readonly input?: string | Buffer; readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(NODE, [MAIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      // Never the developer's own store; colour is decided by the TTY check (pipes here).
      env: { ...process.env, HEARTBEAT_LEDGER_STORE: "", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("error", fail)
    child.on("close", (code) => done({ code, stdout, stderr }))
    child.stdin.end(options.input ?? "")
  })
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), "hbl-cli-"))

export const sqliteIn = (dir: string, name = "ledger.db"): string => `sqlite:${join(dir, name)}`
