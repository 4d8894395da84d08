/**
 * The CLI's exit codes and the failures that carry them: 0 clean, 1 the audit found stranded
 * events or a violated invariant, 2 bad usage or bad input. The launcher prints a failure's
 * message once and exits with its code.
 */
import { Runtime, Schema } from "effect"

export const EXIT_CLEAN = 0
export const EXIT_FINDINGS = 1
export const EXIT_BAD_INPUT = 2

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
