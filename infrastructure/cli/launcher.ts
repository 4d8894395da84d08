#!/usr/bin/env node
/**
 * The `heartbeat-ledger` executable. It runs the CLI (main.ts) in a Node whose young
 * generation is capped: V8 otherwise grows it to 2 × 64 MB during a long replay, and an audit
 * of 1M events peaked at ~220 MB of RSS instead of ~115 MB at the same speed
 * (docs/performance.md). V8 sizes its heap at start-up, so the cap is a command-line flag:
 * the launcher re-runs itself with it, forwards signals, and exits with the CLI's status.
 * Already started with the flag (or HEARTBEAT_LEDGER_NODE_FLAGS=off), it runs the CLI in-process.
 */
import { spawn } from "node:child_process"
import { constants } from "node:os"
import { fileURLToPath } from "node:url"

const SEMI_SPACE_FLAG = "--max-semi-space-size"
/** MB per semi-space: the young generation is two of them. */
const SEMI_SPACE_MB = 4

const alreadySet = process.execArgv.some((arg) => arg.startsWith(SEMI_SPACE_FLAG))
if (alreadySet || process.env.HEARTBEAT_LEDGER_NODE_FLAGS === "off") {
  await import("./main.ts")
} else {
  const child = spawn(
    process.execPath,
    [
      `${SEMI_SPACE_FLAG}=${SEMI_SPACE_MB}`,
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { stdio: "inherit" },
  )
  // A supervisor's SIGTERM reaches only this process: pass it on rather than orphan the CLI.
  // (A terminal's Ctrl-C reaches both, and the CLI handles it.)
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => child.kill(signal))
  }
  child.on("error", (error) => {
    process.stderr.write(`heartbeat-ledger: cannot start ${process.execPath}: ${error.message}\n`)
    process.exit(2)
  })
  child.on("exit", (code, signal) => {
    process.exit(code ?? 128 + (signal === null ? 1 : constants.signals[signal]))
  })
}
