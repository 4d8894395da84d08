/**
 * The CLI's exit codes, one meaning each, the same for every command (docs/exit-codes.md),
 * and the failures that carry them. The teardown prints a failure's message once and exits
 * with its code.
 */
import { Runtime, Schema } from "effect"
import { counted } from "./format.ts"

/** The command did what was asked and, for an audit, found nothing. */
export const EXIT_CLEAN = 0
/** The audit found stranded events or a violated invariant (the report is printed in full). */
export const EXIT_FINDINGS = 1
/** Bad usage or bad input: a flag, a store URL, an import file; nothing was written. */
export const EXIT_BAD_INPUT = 2
/** The store failed: unreachable, unreadable, or holding a record that cannot be decoded. */
export const EXIT_STORE_FAILURE = 3
/** Other writers kept changing the same streams (or held the store's lock) beyond the retries. */
export const EXIT_CONTENTION = 4
/** A defect in heartbeat-ledger itself: the message and trace are printed; please report it. */
export const EXIT_INTERNAL = 70
/** Stopped by a signal: 128 + its number, as a shell reports it (130 SIGINT, 143 SIGTERM). */
export const exitForSignal = (signal: "SIGINT" | "SIGTERM"): number => (signal === "SIGINT" ? 130 : 143)

/** Bad usage or bad input (a flag out of range, an unreadable or invalid import file). */
export class BadInput extends Schema.TaggedError<BadInput>()("BadInput", {
  message: Schema.String,
}) {
  override readonly [Runtime.errorExitCode] = EXIT_BAD_INPUT
}

/** The audit found stranded events or a violated invariant; the report is already printed. */
export class AuditFindings extends Schema.TaggedError<AuditFindings>()("AuditFindings", {
  stranded: Schema.Number,
  violations: Schema.Number,
}) {
  override readonly [Runtime.errorExitCode] = EXIT_FINDINGS
  override get message() {
    return `audit findings: ${counted(this.stranded, "stranded event")}, ${counted(this.violations, "violated invariant")}`
  }
}

/** `export --skip-undecodable` left rows out; each was listed on stderr as it was skipped. */
export class RecordsSkipped extends Schema.TaggedError<RecordsSkipped>()("RecordsSkipped", {
  skipped: Schema.Number,
  written: Schema.Number,
}) {
  override readonly [Runtime.errorExitCode] = EXIT_STORE_FAILURE
  override get message() {
    return `${counted(this.skipped, "undecodable record")} skipped (listed above), ${counted(this.written, "record")} exported`
  }
}
