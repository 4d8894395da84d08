/**
 * A row of the SQL stores' `events` table as their drivers return it (better-sqlite3 gives the
 * integer columns as numbers, pg gives bigints as text), and the RecordedEvent it stands for.
 */
import { parseStoredData } from "../../application/event-codec.ts"
import type { RecordedEvent } from "../../application/event-store.ts"

export interface EventRow {
  readonly position: number | string
  readonly stream_id: string
  readonly revision: number | string
  readonly event_id: string
  readonly type: string
  readonly version: number
  /** The JSON as stored (PostgreSQL's `json` column read as text), parsed by us. */
  readonly data: string
  readonly recorded_at: number | string
}

export const recordedFromRow = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  type: row.type,
  version: row.version,
  data: parseStoredData(row.data),
  streamId: row.stream_id,
  revision: Number(row.revision),
  position: Number(row.position),
  recordedAt: Number(row.recorded_at),
})
