/**
 * Turns how a command ended into the process exit code, printing a failure's message once
 * (the CLI module has already printed usage errors with the help text).
 */
import { Cause, Exit, Runtime } from "effect"
import { isCliError } from "effect/cli/CliError"
import { EXIT_BAD_INPUT, EXIT_CLEAN, EXIT_FINDINGS, EXIT_STORE_DAMAGED } from "./exit.ts"
import { safeText } from "./terminal.ts"

/** Failures that mean "the input or the store you named cannot be used". */
const BAD_INPUT_TAGS = new Set(["BadInput", "InvalidStoreUrl", "StoreUnavailable"])

/** Each line made safe on its own, so that a multi-line message keeps its lines. */
const safeLines = (text: string) => text.split("\n").map(safeText).join("\n")

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : undefined

export function exitCodeOf(exit: Exit.Exit<unknown, unknown>, report: (line: string) => void): number {
  if (Exit.isSuccess(exit)) return EXIT_CLEAN
  if (Cause.hasInterruptsOnly(exit.cause)) return 130
  const error = Cause.squash(exit.cause)
  if (isCliError(error)) return EXIT_BAD_INPUT
  const message = error instanceof Error ? error.message : String(error)
  const tag = tagOf(error)
  if (tag !== undefined && BAD_INPUT_TAGS.has(tag)) {
    report(`heartbeat-ledger: ${safeLines(message)}`)
    return EXIT_BAD_INPUT
  }
  if (tag === "UndecodableEvent") {
    report(`heartbeat-ledger: ${safeLines(message)}`)
    report(
      "heartbeat-ledger: `export --skip-undecodable` writes every other record and lists each unreadable one",
    )
    return EXIT_STORE_DAMAGED
  }
  if (tag === "AuditFindings") {
    report(`heartbeat-ledger: ${message}`)
    return EXIT_FINDINGS
  }
  report(`heartbeat-ledger: ${safeLines(message)}`)
  if (tag === undefined) report(Cause.pretty(exit.cause))
  const code = Runtime.getErrorExitCode(error)
  return code === EXIT_BAD_INPUT || code === EXIT_STORE_DAMAGED ? code : EXIT_FINDINGS
}

export const exitTeardown: Runtime.Teardown = (exit, onExit) => {
  const code = exitCodeOf(exit, (line) => process.stderr.write(`${line}\n`))
  process.exitCode = code
  onExit(code)
}
