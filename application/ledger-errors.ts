import { Schema } from "effect"
import type { AppendError, UndecodableEvent } from "./event-store-errors.ts"

/** The domain's refusal, where the ledger's callers have always found it. */
export { MissingSessionKey } from "../domain/ledger-decision.ts"

/** Appends kept conflicting with other writers beyond the retry budget. */
export class LedgerContention extends Schema.TaggedError<LedgerContention>()("LedgerContention", {
  streamId: Schema.String,
  attempts: Schema.Number,
}) {
  override get message() {
    return `stream ${this.streamId} kept changing under ${this.attempts} attempts to append`
  }
}

/** What a ledger call fails with (besides a command's refusal). */
export type LedgerError =
  | Exclude<AppendError, { _tag: "WrongExpectedRevision" }>
  | UndecodableEvent
  | LedgerContention
