/**
 * The ledger's view of the log: the domain's LedgerState (what its decisions read) plus where
 * it stands in the store — every stream's revision (the expected revision of the next append
 * to it) and the global position of the last event folded in. The ledger keeps one up to date
 * and folds in what it appends.
 */
import type { LedgerEvent } from "../domain/events.ts"
import { emptyGatewayConfig, type GatewayConfig } from "../domain/gateway-config.ts"
import { evolveLedgerState, type LedgerState, queueIn } from "../domain/ledger-state.ts"
import type { QueueState } from "../domain/queue.ts"
import { QueueTable } from "../domain/queue-table.ts"
import type { RecordedEvent } from "./event-store.ts"
import { queueStreamId } from "./stream-names.ts"

export class LedgerView implements LedgerState {
  /** The global position of the last event folded in. */
  position = 0
  config: GatewayConfig = emptyGatewayConfig
  /** Folded in place: a replay's queue events copy no queue (domain/queue-table.ts). */
  readonly queues: Map<string, QueueState> = new QueueTable()
  /** Revision of every stream seen: the expected revision of the next append to it. */
  readonly revisions = new Map<string, number>()
  readonly sessions = new Map<string, number>()
  lastSweepAt: number | undefined
  readonly nodeExecFinishedRuns = new Map<string, number>()

  queue(queueKey: string): QueueState {
    return queueIn(this, queueKey)
  }

  revision(streamId: string): number {
    return this.revisions.get(streamId) ?? -1
  }

  queueRevision(queueKey: string): number {
    return this.revision(queueStreamId(queueKey))
  }

  apply(record: Pick<RecordedEvent, "streamId" | "revision" | "position">, event: LedgerEvent): void {
    // One lookup and a write only when something moves: this runs for every event of a replay.
    if (record.position > this.position) this.position = record.position
    const revision = this.revisions.get(record.streamId)
    if (revision === undefined || record.revision > revision)
      this.revisions.set(record.streamId, record.revision)
    evolveLedgerState(this, event)
  }
}
