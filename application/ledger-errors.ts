import { Schema } from "effect"

/** OpenClaw's error for an enqueue without a session key; the attempt is still recorded. */
export class MissingSessionKey extends Schema.TaggedError<MissingSessionKey>()("MissingSessionKey", {}) {
  override get message() {
    return "system events require a sessionKey"
  }
}

/** Appends kept conflicting with other writers beyond the retry budget. */
export class LedgerContention extends Schema.TaggedError<LedgerContention>()("LedgerContention", {
  streamId: Schema.String,
  attempts: Schema.Number,
}) {
  override get message() {
    return `stream ${this.streamId} kept changing under ${this.attempts} attempts to append`
  }
}
