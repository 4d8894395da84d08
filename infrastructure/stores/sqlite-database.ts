/**
 * The ledger's SQLite file: created privately, opened in WAL with the chosen fsync policy, and
 * migrated to the current schema. Each adapter on the file (events, projection checkpoints)
 * opens its own connection through this.
 *
 * Before anything is written (WAL switch, tables) the file is looked at through a read-only
 * connection: another application's database is refused untouched, and a command that only
 * reads refuses a missing or empty file instead of creating an empty ledger and calling it clean.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs"
import { dirname } from "node:path"
import Database from "better-sqlite3"
import { type LedgerAccess, LedgerFileRefused } from "./ledger-file-refused.ts"

/**
 * PRAGMA application_id of a heartbeat-ledger file ("HBLG"), set when a ledger is opened for
 * writing. Files from before the mark have none; they are recognised by their tables.
 */
export const LEDGER_APPLICATION_ID = 0x48424c47

/** Our `events` table's columns, the same in every version: with the names, what tells it from another's. */
const EVENT_COLUMNS = [
  "position",
  "stream_id",
  "revision",
  "event_id",
  "type",
  "version",
  "data",
  "recorded_at",
]

type FileKind =
  | { readonly kind: "missing" | "empty" | "ledger" | "unmarked-ledger" }
  | { readonly kind: "foreign"; readonly what: string }

/** Looks at the file without changing a byte of it (read-only connection, no WAL switch). */
function classify(path: string): FileKind {
  if (!existsSync(path)) return { kind: "missing" }
  if (statSync(path).size === 0) return { kind: "empty" }
  // A failure to open (permissions, a directory) is the driver's error, not a verdict on the file.
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    const applicationId = db.pragma("application_id", { simple: true }) as number
    const objects = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        .pluck()
        .all() as string[]
    ).sort()
    if (applicationId === LEDGER_APPLICATION_ID) return { kind: "ledger" }
    if (applicationId !== 0)
      return {
        kind: "foreign",
        what: `a SQLite database of another application (application_id ${applicationId})`,
      }
    if (objects.length === 0) return { kind: "empty" }
    const columns = db.prepare("SELECT name FROM pragma_table_info('events')").pluck().all() as string[]
    const ours = ledgerObjects()
    if (objects.every((name) => ours.has(name)) && EVENT_COLUMNS.every((column) => columns.includes(column)))
      return { kind: "unmarked-ledger" }
    const shown = objects.slice(0, 5).join(", ") + (objects.length > 5 ? ", …" : "")
    return { kind: "foreign", what: `a SQLite database with other tables (${shown})` }
  } catch (error) {
    if ((error as { readonly code?: unknown }).code === "SQLITE_NOTADB")
      return { kind: "foreign", what: "not a SQLite database" }
    throw error
  } finally {
    db.close()
  }
}

/** Throws LedgerFileRefused unless `access` may go on with the file at `path`; else says what the file is. */
function admit(path: string, access: LedgerAccess): FileKind["kind"] {
  const file = classify(path)
  if (file.kind === "foreign") {
    throw new LedgerFileRefused({
      path,
      reason:
        `${path} is not a heartbeat-ledger ledger (${file.what}); it was left untouched. ` +
        "Choose another path with --store.",
    })
  }
  if (access === "read" && (file.kind === "missing" || file.kind === "empty")) {
    throw new LedgerFileRefused({
      path,
      reason:
        `no ledger at ${path} (${file.kind === "missing" ? "no such file" : "the file is empty"}); ` +
        "check the --store path, or record into it first with import or demo.",
    })
  }
  return file.kind
}

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

/**
 * Every table and index any version of the schema creates (SQLite's own `sqlite_*` aside), read
 * from the migrations so that a new one is covered without a second list.
 */
const ledgerObjects = (): ReadonlySet<string> =>
  new Set(
    MIGRATIONS.flatMap((sql) =>
      [...sql.matchAll(/CREATE (?:TABLE|INDEX) (\w+)/g)].map((m) => m[1] as string),
    ),
  )

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

/** How long a write waits for another process's write transaction before failing. */
const BUSY_TIMEOUT_MS = 10_000

/**
 * Opens the ledger file at the absolute `path`, migrating it when needed; `write` also creates
 * and marks it. Throws LedgerFileRefused (nothing touched) or the driver's error.
 */
export function openLedgerDatabase(
  path: string,
  synchronous: SqliteSynchronous,
  access: LedgerAccess = "write",
): Database.Database {
  const kind = admit(path, access)
  if (access === "write") createPrivately(path)
  const db = new Database(path, { fileMustExist: access === "read" })
  try {
    db.pragma("journal_mode = WAL")
    db.pragma(`synchronous = ${synchronous}`)
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    // IMMEDIATE: two processes opening a fresh file must not both run a migration.
    db.transaction(() => {
      const current = db.pragma("user_version", { simple: true }) as number
      MIGRATIONS.slice(current).forEach((sql) => {
        db.exec(sql)
      })
      if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`)
      if (kind !== "ledger" && (access === "write" || current < MIGRATIONS.length))
        db.pragma(`application_id = ${LEDGER_APPLICATION_ID}`)
    }).immediate()
    return db
  } catch (error) {
    db.close()
    throw error
  }
}
