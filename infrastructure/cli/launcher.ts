#!/usr/bin/env node
/**
 * The `heartbeat-ledger` executable. It runs the CLI (main.ts) in a Node whose young
 * generation is capped: V8 otherwise grows it to 2 × 64 MB during a long replay, and an audit
 * of 1M events peaked at ~170–220 MB of RSS instead of ~118 MB at the same speed
 * (docs/performance.md). V8 sizes its heap at start-up, so the cap must be a command-line flag
 * (`v8.setFlagsFromString` at start was measured: the young generation still reached 64 MB).
 *
 * So the launcher *replaces itself* (`process.execve`, same pid) with a Node started with the
 * flag: there is never a second process to orphan, and a signal — SIGKILL included — reaches
 * the CLI itself. Where execve does not exist (Windows) it falls back to a child process that
 * kills itself the moment its launcher's IPC channel closes (launcher-child.ts).
 *
 * This file is the first thing any Node runs, so up to the version check it is written for
 * Node ≥ 14 to parse and run: no static import (nothing native is loaded before the check),
 * no syntax Node 14 does not know.
 */

/** What the code really needs (package.json `engines`): better-sqlite3 13 (Node ≥ 22), execve. */
const REQUIRED = "^22.15.0 || >=23.11.0"

const supportedNode = (version: string): boolean => {
  const [major = 0, minor = 0] = version.split(".").map(Number)
  return major >= 24 || (major === 23 && minor >= 11) || (major === 22 && minor >= 15)
}

const SEMI_SPACE_FLAG = "--max-semi-space-size"
/** MB per semi-space: the young generation is two of them. */
const SEMI_SPACE_MB = 4

if (!supportedNode(process.versions.node)) {
  process.stderr.write(
    `heartbeat-ledger needs Node.js ${REQUIRED}; this is Node.js ${process.versions.node} (${process.execPath}).\n` +
      "Install a newer Node (https://nodejs.org) and run heartbeat-ledger with it.\n",
  )
  process.exitCode = 2
} else if (
  process.execArgv.some((arg) => arg.startsWith(SEMI_SPACE_FLAG)) ||
  process.env.HEARTBEAT_LEDGER_NODE_FLAGS === "off"
) {
  await import("./main.ts")
} else {
  const { fileURLToPath } = await import("node:url")
  const args = [
    `${SEMI_SPACE_FLAG}=${SEMI_SPACE_MB}`,
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    ...process.argv.slice(2),
  ]
  // HEARTBEAT_LEDGER_LAUNCH=child forces the fallback, so that it is tested where execve exists.
  if (typeof process.execve === "function" && process.env.HEARTBEAT_LEDGER_LAUNCH !== "child") {
    try {
      process.execve(process.execPath, [process.execPath, ...args], process.env)
    } catch {
      // execve returns only when it failed (newer Nodes throw): the child process does the job.
    }
  }
  const { runInChild } = await import("./launcher-child.ts")
  runInChild(args)
}
