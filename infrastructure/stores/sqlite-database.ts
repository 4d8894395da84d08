/**
 * The ledger's SQLite file: created privately, opened in WAL with the chosen fsync policy, and
 * migrated to the current schema. Each adapter on the file (events, projection checkpoints)
 * opens its own connection through this.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs"
import { dirname } from "node:path"
import Database from "better-sqlite3"

/** Ordered schema versions (PRAGMA user_version); append only, never edit a shipped one. */
const MIGRATIONS: ReadonlyArray<string> = [
  `CREATE TABLE events (
     position    INTEGER PRIMARY KEY,
     stream_id   TEXT    NOT NULL,
     revision    INTEGER NOT NULL,
     event_id    TEXT    NOT NULL,
     type        TEXT    NOT NULL,
     version     INTEGER NOT NULL,
     data        TEXT    NOT NULL,
     recorded_at INTEGER NOT NULL,
     UNIQUE (stream_id, revision)
   );
   CREATE INDEX events_stream_event_id ON events (stream_id, event_id);`,
  // One row per projection: its state and checkpoint are written by one statement, together.
  `CREATE TABLE projections (
     name       TEXT    PRIMARY KEY,
     checkpoint INTEGER NOT NULL,
     state      TEXT    NOT NULL,
     saved_at   INTEGER NOT NULL
   );`,
  // The idempotency lookup (stream, event id → first revision) as a covering index: with only
  // (stream_id, event_id) SQLite answered "ORDER BY revision LIMIT 1" by walking the stream's
  // (stream_id, revision) index — every event of the stream for every event appended.
  // Not UNIQUE: a batch may repeat an id (every adapter accepts it), and existing files may hold one.
  `CREATE INDEX events_stream_event_id_revision ON events (stream_id, event_id, revision);
   DROP INDEX events_stream_event_id;`,
  // Ids are idempotency keys store-wide (append-rules.ts): looked up by id alone, in any stream.
  // Not UNIQUE: files written before this migration may hold an id in two streams.
  `CREATE INDEX events_event_id ON events (event_id);
   DROP INDEX events_stream_event_id_revision;`,
]

export type SqliteSynchronous = "FULL" | "NORMAL"

/** Creates the directory (0700) and the file (0600) when missing: the ledger is private. */
function createPrivately(path: string): void {
  const directory = dirname(path)
  if (!existsSync(directory)) {
    mkdirSync(directory, { recursive: true, mode: 0o700 })
    chmodSync(directory, 0o700)
  }
  if (!existsSync(path)) {
    closeSync(openSync(path, "wx", 0o600))
    chmodSync(path, 0o600)
  }
}

/** Opens (creating and migrating when needed) the ledger file at the absolute `path`. Throws on failure. */
export function openLedgerDatabase(
  path: string,
  synchronous: SqliteSynchronous,
  busyTimeoutMs: number,
): Database.Database {
  createPrivately(path)
  const db = new Database(path)
  try {
    db.pragma("journal_mode = WAL")
    db.pragma(`synchronous = ${synchronous}`)
    db.pragma(`busy_timeout = ${busyTimeoutMs}`)
    // IMMEDIATE: two processes opening a fresh file must not both run a migration.
    db.transaction(() => {
      const current = db.pragma("user_version", { simple: true }) as number
      MIGRATIONS.slice(current).forEach((sql) => {
        db.exec(sql)
      })
      if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`)
    }).immediate()
    return db
  } catch (error) {
    db.close()
    throw error
  }
}
