/**
 * The CLI's exit codes and the failures that carry them: 0 clean, 1 the audit found stranded
 * events or a violated invariant, 2 bad usage or bad input, 3 the store holds a row that
 * cannot be read (damaged or written by a newer version). The launcher prints a failure's
 * message once and exits with its code.
 */
import { Runtime, Schema } from "effect"

export const EXIT_CLEAN = 0
export const EXIT_FINDINGS = 1
export const EXIT_BAD_INPUT = 2
export const EXIT_STORE_DAMAGED = 3

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
    return `audit findings: ${this.stranded} stranded event(s), ${this.violations} violated invariant(s)`
  }
}

/** `export --skip-undecodable` left rows out; each was listed on stderr as it was skipped. */
export class RecordsSkipped extends Schema.TaggedError<RecordsSkipped>()("RecordsSkipped", {
  skipped: Schema.Number,
  written: Schema.Number,
}) {
  override readonly [Runtime.errorExitCode] = EXIT_STORE_DAMAGED
  override get message() {
    return `${this.skipped} undecodable record(s) skipped (listed above), ${this.written} record(s) exported`
  }
}
