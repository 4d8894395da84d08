/**
 * Opening the stores under test and the raw baselines they are compared with: the same rows,
 * in the same batches, in the same schema and pragmas, without heartbeat-ledger in between.
 */
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import pg from "pg"
import { EventStore, type EventStoreShape } from "../../application/event-store.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { makePostgresEventStore } from "../../infrastructure/stores/postgres-event-store.ts"
import { layerSqliteEventStore } from "../../infrastructure/stores/sqlite-event-store.ts"
import { now } from "./lib.ts"

export type StoreKind = "memory" | "sqlite" | "sqlite-normal" | "postgres"

export interface OpenStore {
  readonly kind: StoreKind
  readonly store: EventStoreShape
  /** The SQLite file, for the raw baselines. */
  readonly path?: string
  /** The PostgreSQL schema, for the raw baselines (dropped by `dropPgSchema`, not by close). */
  readonly pgSchema?: string
  readonly close: () => Promise<void>
}

export const syncOf = (kind: StoreKind): "FULL" | "NORMAL" => (kind === "sqlite-normal" ? "NORMAL" : "FULL")

let workDir: string | undefined
export function benchDir(): string {
  workDir ??= mkdtempSync(join(tmpdir(), "hbl-bench-"))
  return workDir
}
export function removeBenchDir(): void {
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true })
  workDir = undefined
}

let fileCounter = 0
export const freshDbPath = (label: string): string => join(benchDir(), `${label}-${++fileCounter}.db`)

export function removeDb(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true })
}

async function fromLayer(layer: Layer.Layer<EventStore, unknown>): Promise<{
  store: EventStoreShape
  close: () => Promise<void>
}> {
  const scope = await Effect.runPromise(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  return {
    store: Context.get(context, EventStore),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void)),
  }
}

export async function openStore(kind: StoreKind, path?: string): Promise<OpenStore> {
  switch (kind) {
    case "memory":
      return { kind, store: makeMemoryEventStore(), close: async () => {} }
    case "sqlite":
    case "sqlite-normal": {
      const file = path ?? freshDbPath(kind)
      const { store, close } = await fromLayer(
        layerSqliteEventStore({ path: file, synchronous: syncOf(kind) }),
      )
      return { kind, store, path: file, close }
    }
    case "postgres": {
      const connectionString = pgUrl()
      const schema = `hbl_bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`
      const { store, close } = await fromLayer(
        Layer.effect(
          EventStore,
          makePostgresEventStore({ connectionString, schema, description: `postgres bench ${schema}` }),
        ),
      )
      return { kind, store, pgSchema: schema, close }
    }
  }
}

// ── raw PostgreSQL ────────────────────────────────────────────────────────────────────────

export const pgUrl = (): string => {
  const url = process.env.HEARTBEAT_LEDGER_PG_URL
  if (url === undefined || url.trim() === "") throw new Error("HEARTBEAT_LEDGER_PG_URL is not set")
  return url
}

async function withPg<A>(use: (client: pg.Client) => Promise<A>): Promise<A> {
  const client = new pg.Client({ connectionString: pgUrl() })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

export const dropPgSchema = (schema: string) =>
  withPg((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).then(() => undefined))

/**
 * Raw batched insert into PostgreSQL: the store's rows, read back from its table, inserted into a
 * copy of that table (`LIKE … INCLUDING ALL`: same columns, identity, indexes) as cheaply as
 * PostgreSQL allows. Each batch is one multi-row INSERT (unnest of arrays) sent as one prepared
 * statement in autocommit: one round trip and one transaction per batch, no BEGIN/COMMIT. The
 * batches are the writers' own: the bench gives each writer a stream of its own, so the rows of
 * each stream, in position order, cut into `batchSize` slices, are one writer's appends, and each
 * stream gets a client of its own inserting its batches concurrently with the others (one client
 * for one writer; four clients for four, whose commits PostgreSQL can flush together). Clients
 * connect before the clock starts. Returns rows/s.
 */
export function rawPgInsert(schema: string, batchSize: number): Promise<number> {
  return withPg(async (client) => {
    const table = `"${schema}".events`
    const raw = `"${schema}".raw_events`
    const rows = (
      await client.query<{
        stream_id: string
        revision: string
        event_id: string
        type: string
        version: number
        data: string
        recorded_at: string
      }>(
        `SELECT stream_id, revision, event_id, type, version, data::text AS data, recorded_at FROM ${table} ORDER BY position`,
      )
    ).rows
    await client.query(`CREATE TABLE ${raw} (LIKE ${table} INCLUDING ALL)`)
    const byStream = new Map<string, typeof rows>()
    for (const row of rows) {
      const stream = byStream.get(row.stream_id)
      if (stream === undefined) byStream.set(row.stream_id, [row])
      else stream.push(row)
    }
    const writers = await Promise.all(
      [...byStream.values()].map(async (stream) => {
        const writer = new pg.Client({ connectionString: pgUrl() })
        await writer.connect()
        return { writer, stream }
      }),
    )
    try {
      const start = now()
      await Promise.all(
        writers.map(async ({ writer, stream }) => {
          for (let i = 0; i < stream.length; i += batchSize) {
            const slice = stream.slice(i, i + batchSize)
            await writer.query({
              name: "raw-insert",
              text: `INSERT INTO ${raw} (stream_id, revision, event_id, type, version, data, recorded_at)
                     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::integer[], $6::json[], $7::bigint[])`,
              values: [
                slice.map((r) => r.stream_id),
                slice.map((r) => r.revision),
                slice.map((r) => r.event_id),
                slice.map((r) => r.type),
                slice.map((r) => r.version),
                slice.map((r) => r.data),
                slice.map((r) => r.recorded_at),
              ],
            })
          }
        }),
      )
      return rows.length / ((now() - start) / 1000)
    } finally {
      await Promise.all(writers.map(({ writer }) => writer.end()))
    }
  })
}

// ── raw SQLite ────────────────────────────────────────────────────────────────────────────

/** The schema a store created (tables and indexes), to build the raw baseline's file from. */
export function schemaOf(path: string): string[] {
  const db = new Database(path, { readonly: true })
  try {
    return db
      .prepare<[], { sql: string }>(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid",
      )
      .all()
      .map((row) => row.sql)
  } finally {
    db.close()
  }
}

export type Row = Record<string, unknown>

export function rowsOf(path: string): Row[] {
  const db = new Database(path, { readonly: true })
  try {
    return db.prepare<[], Row>("SELECT * FROM events ORDER BY position").all()
  } finally {
    db.close()
  }
}

export function openRawSqlite(path: string, synchronous: "FULL" | "NORMAL", schema: ReadonlyArray<string>) {
  const db = new Database(path)
  db.pragma("journal_mode = WAL")
  db.pragma(`synchronous = ${synchronous}`)
  for (const sql of schema) db.exec(sql)
  return db
}

/**
 * Raw batched insert: the same rows, `batchSize` per `BEGIN IMMEDIATE` transaction, one
 * prepared INSERT per row. Returns rows/s.
 */
export function rawSqliteInsert(
  rows: ReadonlyArray<Row>,
  batchSize: number,
  synchronous: "FULL" | "NORMAL",
  schema: ReadonlyArray<string>,
): number {
  const path = freshDbPath("raw-insert")
  const db = openRawSqlite(path, synchronous, schema)
  try {
    const columns = Object.keys(rows[0] ?? {})
    const insert = db.prepare(
      `INSERT INTO events (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    )
    const batch = db.transaction((slice: ReadonlyArray<Row>) => {
      for (const row of slice) insert.run(...columns.map((column) => row[column]))
    })
    const start = now()
    for (let i = 0; i < rows.length; i += batchSize) batch.immediate(rows.slice(i, i + batchSize))
    return rows.length / ((now() - start) / 1000)
  } finally {
    db.close()
    removeDb(path)
  }
}

/**
 * Raw replay: an ordered scan of the events with `JSON.parse` of each row's data, in the fastest
 * plain form found for better-sqlite3 — pages of 250 rows as arrays (`.raw().all()`, keyed on
 * the last position). That is ~1.2× a single `iterate()` of row objects (the first rounds'
 * baseline) and as fast as pages of 100 or 5,000. Returns rows/s.
 */
export function rawSqliteScan(path: string): { readonly rate: number; readonly rows: number } {
  const db = new Database(path, { readonly: true })
  try {
    const page = db
      .prepare<[number], [number, string, number, string, string, number, string, number]>(
        "SELECT position, stream_id, revision, event_id, type, version, data, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT 250",
      )
      .raw(true)
    const start = now()
    let rows = 0
    let sink = 0
    let after = 0
    for (;;) {
      const batch = page.all(after)
      const last = batch[batch.length - 1]
      if (last === undefined) break
      for (const row of batch) {
        const data = JSON.parse(row[6]) as { at?: number }
        sink += data.at === undefined ? 0 : 1
        rows++
      }
      after = last[0]
    }
    const seconds = (now() - start) / 1000
    if (sink < 0) console.log(sink)
    return { rate: rows / seconds, rows }
  } finally {
    db.close()
  }
}
