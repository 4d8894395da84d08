/**
 * The session policy a source snapshots from config when its work starts (domain.md §3):
 * `session.mainKey` and `session.scope`. The event emitted when the work ends uses that
 * snapshot, even if config changed meanwhile.
 */
import { Schema } from "effect"

export const SessionScopeSchema = Schema.Literals(["per-sender", "global"])
export type SessionScope = typeof SessionScopeSchema.Type

export const DEFAULT_SESSION_SCOPE: SessionScope = "per-sender"

/** The snapshot a source takes (a command carries it; events store it as `SessionPolicySchema`). */
export const SessionPolicySnapshotSchema = Schema.Struct({
  mainKey: Schema.optional(Schema.String),
  scope: Schema.optional(SessionScopeSchema),
})
export type SessionPolicy = typeof SessionPolicySnapshotSchema.Type

export const effectiveScope = (policy: SessionPolicy | undefined): SessionScope =>
  policy?.scope ?? DEFAULT_SESSION_SCOPE
