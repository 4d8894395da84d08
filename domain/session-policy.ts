/**
 * The session policy a source snapshots from config when its work starts (domain.md §3):
 * `session.mainKey` and `session.scope`. The event emitted when the work ends uses that
 * snapshot, even if config changed meanwhile.
 */
export type SessionScope = "per-sender" | "global"

export const DEFAULT_SESSION_SCOPE: SessionScope = "per-sender"

export interface SessionPolicy {
  readonly mainKey?: string | undefined
  readonly scope?: SessionScope | undefined
}

export const effectiveScope = (policy: SessionPolicy | undefined): SessionScope =>
  policy?.scope ?? DEFAULT_SESSION_SCOPE
