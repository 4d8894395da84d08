/**
 * Why a SQLite file is not opened as a ledger, kept apart from the opener (sqlite-database.ts)
 * so that the public types name it without pulling in the SQLite driver's.
 */
import { Runtime, Schema } from "effect"

/** What the opener will do with the file: only `write` may create or mark it. */
export type LedgerAccess = "read" | "write"

/**
 * The file at `path` is not a ledger this command may use: missing or empty for a read, or
 * another application's file. Bad input (exit 2): the path is wrong, nothing was touched.
 */
export class LedgerFileRefused extends Schema.TaggedError<LedgerFileRefused>()("LedgerFileRefused", {
  path: Schema.String,
  reason: Schema.String,
}) {
  override readonly [Runtime.errorExitCode] = 2
  override get message() {
    return this.reason
  }
}
