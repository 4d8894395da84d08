/**
 * The PostgreSQL schema, as ordered, versioned migrations recorded in `schema_migrations`.
 * Append new ones at the end; never edit one that has shipped.
 */
import type pg from "pg"

export interface Migration {
  readonly version: number
  readonly name: string
  /** SQL with `{schema}` standing for the quoted schema name. */
  readonly sql: string
}

export const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "events",
    sql: `
      CREATE TABLE {schema}.events (
        -- Drawn from the identity sequence while the append lock is held (see docs/stores.md).
        position    bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream_id   text    NOT NULL,
        revision    bigint  NOT NULL,
        event_id    text    NOT NULL,
        type        text    NOT NULL,
        version     integer NOT NULL,
        -- json, not jsonb: kept byte for byte, and "\\u0000" in a string stays storable.
        data        json    NOT NULL,
        recorded_at bigint  NOT NULL,
        UNIQUE (stream_id, revision)
      );
      CREATE INDEX events_stream_event_id ON {schema}.events (stream_id, event_id);`,
  },
  {
    version: 2,
    name: "projections",
    // One row per projection: its state and checkpoint are written by one statement, together.
    sql: `
      CREATE TABLE {schema}.projections (
        name       text        PRIMARY KEY,
        checkpoint bigint      NOT NULL,
        state      json        NOT NULL,
        saved_at   timestamptz NOT NULL DEFAULT now()
      );`,
  },
]

/** Creates the schema and applies missing migrations, serialised across processes. */
export async function migrate(client: pg.ClientBase, schema: string): Promise<void> {
  const quoted = `"${schema}"`
  await client.query("BEGIN")
  try {
    // Two processes starting on a fresh database must not both create the tables.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('heartbeat-ledger/migrate'), hashtext($1))", [
      schema,
    ])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`)
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
         version    integer     PRIMARY KEY,
         name       text        NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    )
    const applied = await client.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_migrations`)
    const done = new Set(applied.rows.map((row) => row.version))
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue
      await client.query(migration.sql.replaceAll("{schema}", quoted))
      await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ])
    }
    await client.query("COMMIT")
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined)
    throw error
  }
}
