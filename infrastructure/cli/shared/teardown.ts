/**
 * Turns how a command ended into the process exit code (exit.ts), printing a failure's message
 * once (the CLI module has already printed usage errors with the help text), and exits only
 * once everything written to stdout and stderr has reached them: `process.exit` with a pipe's
 * buffer full would cut the output (`audit --json | jq` on a log with findings got 64 KiB).
 */
import { Cause, Exit, Runtime } from "effect"
import { isCliError } from "effect/cli/CliError"
import {
  EXIT_BAD_INPUT,
  EXIT_CLEAN,
  EXIT_CONTENTION,
  EXIT_FINDINGS,
  EXIT_INTERNAL,
  EXIT_STORE_FAILURE,
  exitForSignal,
} from "./exit.ts"
import { safeText } from "./terminal.ts"

/** Failures that mean "what you asked for or gave cannot be used". */
const BAD_INPUT_TAGS = new Set([
  "BadInput",
  "InvalidStoreUrl",
  "EventTooLarge",
  "UnstorableName",
  "DuplicateEventId",
])
/** Failures of the store itself. */
const STORE_FAILURE_TAGS = new Set(["StoreUnavailable", "UndecodableEvent"])
/** Other writers won, every time we retried. */
const CONTENTION_TAGS = new Set(["LedgerContention", "WrongExpectedRevision"])
/**
 * Driver error codes inside a StoreUnavailable that are contention, not a broken store:
 * SQLite's lock held past the busy timeout; PostgreSQL serialization failure, deadlock, lock
 * not available.
 */
const CONTENTION_CODES = new Set(["SQLITE_BUSY", "SQLITE_LOCKED", "40001", "40P01", "55P03"])

/** Each line made safe on its own, so that a multi-line message keeps its lines. */
const safeLines = (text: string) => text.split("\n").map(safeText).join("\n")

const field = (value: unknown, name: string): unknown =>
  typeof value === "object" && value !== null && name in value
    ? (value as Record<string, unknown>)[name]
    : undefined

const tagOf = (error: unknown): string | undefined => {
  const tag = field(error, "_tag")
  return typeof tag === "string" ? tag : undefined
}

const isContention = (error: unknown, tag: string | undefined): boolean => {
  if (tag !== undefined && CONTENTION_TAGS.has(tag)) return true
  const code = field(field(error, "cause"), "code")
  return tag === "StoreUnavailable" && typeof code === "string" && CONTENTION_CODES.has(code)
}

/** The signal that interrupted the command, if one did (recordSignals). */
let received: "SIGINT" | "SIGTERM" | undefined
/** The command has ended; its output is on its way out. */
let draining = false

/**
 * Remembers which signal arrives, beside the runtime's own handler (which interrupts the
 * command): the exit code says which it was. A signal while the output drains (into a reader
 * that does not read) ends the process at once.
 */
export function recordSignals(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (draining) process.exit(exitForSignal(signal))
      received ??= signal
    })
  }
}

export function exitCodeOf(exit: Exit.Exit<unknown, unknown>, report: (line: string) => void): number {
  if (Exit.isSuccess(exit)) return EXIT_CLEAN
  if (Cause.hasInterruptsOnly(exit.cause)) return exitForSignal(received ?? "SIGINT")
  const error = Cause.squash(exit.cause)
  if (isCliError(error)) return EXIT_BAD_INPUT
  const message = error instanceof Error ? error.message : String(error)
  const tag = tagOf(error)
  report(`heartbeat-ledger: ${tag === "AuditFindings" ? message : safeLines(message)}`)
  if (tag === "AuditFindings") return EXIT_FINDINGS
  if (isContention(error, tag)) return EXIT_CONTENTION
  if (tag !== undefined && BAD_INPUT_TAGS.has(tag)) return EXIT_BAD_INPUT
  if (tag === "UndecodableEvent") {
    report(
      "heartbeat-ledger: `export --skip-undecodable` writes every other record and lists each unreadable one",
    )
  }
  if (tag !== undefined && STORE_FAILURE_TAGS.has(tag)) return EXIT_STORE_FAILURE
  // A failure that declares its own code (Runtime.errorExitCode, one of exit.ts's) keeps it.
  if (typeof error === "object" && error !== null && Runtime.errorExitCode in error) {
    return Runtime.getErrorExitCode(error)
  }
  if (tag === undefined) report(Cause.pretty(exit.cause))
  return EXIT_INTERNAL
}

/** Calls `then` once everything already written to `stream` has been handed to the OS. */
const afterDrain = (stream: NodeJS.WriteStream, then: () => void): void => {
  if (stream.destroyed || stream.writableLength === 0) {
    then()
    return
  }
  // A write's callback runs once it and every write before it are flushed (or failed: EPIPE).
  stream.write("", () => then())
}

export const exitTeardown: Runtime.Teardown = (exit, onExit) => {
  const code = exitCodeOf(exit, (line) => process.stderr.write(`${line}\n`))
  process.exitCode = code
  draining = true
  afterDrain(process.stdout, () => afterDrain(process.stderr, () => onExit(code)))
}
