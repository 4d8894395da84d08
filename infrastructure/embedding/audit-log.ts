/**
 * The audit of a store's log as data, for code that embeds the ledger: the same document
 * `heartbeat-ledger audit --json` prints (docs/audit.md: totals, agents, stranded events and
 * every invariant), built by the CLI's own audit run, without its progress bar.
 */
import { Effect } from "effect"
import { EventStore, type EventStoreShape } from "../../application/event-store.ts"
import type { RoutingName } from "../../domain/routing.ts"
import type { AuditDocument } from "../cli/audit/audit-document.ts"
import { runAudit } from "../cli/audit/run-audit.ts"
import { layerEventStoreFromUrl } from "../stores/store-layer.ts"

export type { AuditDocument } from "../cli/audit/audit-document.ts"

export interface AuditLogOptions {
  /** `legacy`: the what-if of the pre-fix routing over the same recorded work (`audit --routing legacy`). */
  readonly routing?: RoutingName | undefined
  /** One agent only (`audit --agent`), its id as recorded (normalized, lower-case). */
  readonly agent?: string | undefined
}

/** For Effect programs: the audit document of `store`'s log (replayed once; a what-if replays it again). */
export const auditOfStore = (store: EventStoreShape, options: AuditLogOptions = {}) =>
  Effect.map(
    runAudit({ store, routing: options.routing ?? "fixed", agent: options.agent, progress: false }),
    (run): AuditDocument => run.document,
  )

/**
 * The audit document of a store's log: a URL (opened to read only: a missing SQLite file is
 * refused, not created, and closed after) or an open store (`openLedger(…).store`).
 */
export function auditLog(
  store: string | EventStoreShape,
  options: AuditLogOptions = {},
): Promise<AuditDocument> {
  if (typeof store !== "string") return Effect.runPromise(auditOfStore(store, options))
  return Effect.runPromise(
    Effect.gen(function* () {
      return yield* auditOfStore(yield* EventStore, options)
    }).pipe(Effect.provide(layerEventStoreFromUrl(store, { access: "read" }))),
  )
}
