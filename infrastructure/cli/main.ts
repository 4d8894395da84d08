#!/usr/bin/env node
/**
 * The `heartbeat-ledger` command (started by launcher.ts). It wires the commands together,
 * runs them on Node, and turns how they ended into one exit code per meaning (shared/exit.ts,
 * docs/exit-codes.md).
 */
import * as NodeChildProcessSpawner from "@effect/platform-node-shared/NodeChildProcessSpawner"
import * as NodeFileSystem from "@effect/platform-node-shared/NodeFileSystem"
import * as NodePath from "@effect/platform-node-shared/NodePath"
import * as NodeRuntime from "@effect/platform-node-shared/NodeRuntime"
import * as NodeStdio from "@effect/platform-node-shared/NodeStdio"
import * as NodeTerminal from "@effect/platform-node-shared/NodeTerminal"
import { Effect, Layer } from "effect"
import { Command } from "effect/cli"
import { auditCommand } from "./commands/audit.ts"
import { demoCommand } from "./commands/demo.ts"
import { exportCommand } from "./commands/export.ts"
import { importCommand } from "./commands/import.ts"
import { inspectCommand } from "./commands/inspect.ts"
import { watchLauncher } from "./launcher-child.ts"
import { exitTeardown, recordSignals } from "./shared/teardown.ts"

/**
 * The platform services the CLI module needs. Not `NodeServices.layer`: it also loads
 * NodeCrypto, which needs an `effect/Crypto` that effect 4.1 no longer ships.
 */
const nodeServices = Layer.provideMerge(
  NodeChildProcessSpawner.layer,
  Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeStdio.layer, NodeTerminal.layer),
)

export const VERSION = "0.1.0"

watchLauncher()
recordSignals()

// A reader that stops early (`| head`) closes the pipe: that is not an error worth a stack
// trace. Exit with the code already decided, if the command had finished.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0)
  throw error
})

export const heartbeatLedger = Command.make("heartbeat-ledger").pipe(
  Command.withDescription("Record, audit and replay the system events an agent gateway routes to heartbeats"),
  Command.withSubcommands([demoCommand, auditCommand, importCommand, exportCommand, inspectCommand]),
)

heartbeatLedger.pipe(
  Command.run({ version: VERSION }),
  Effect.provide(nodeServices),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: exitTeardown }),
)
