/**
 * The PostgreSQL schema, as ordered, versioned migrations recorded in `schema_migrations`.
 * Append new ones at the end; never edit one that has shipped.
 */
import type pg from "pg"

export interface Migration {
  readonly version: number
  readonly name: string
  /** SQL with `{schema}` standing for the quoted schema name, `{schema_name}` for the bare one (in a literal). */
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
  {
    version: 3,
    name: "append_events function",
    // An append in one statement, so one round trip and, in autocommit, one transaction:
    // takes the append lock, then for each append of the call, in order, reads the stream's head
    // and which of its event ids are stored, and writes only when that is certainly a plain
    // write (no id stored, the expected revision holds — expectedRevisionHolds in
    // append-rules.ts). Otherwise it writes nothing for that append and returns the head and
    // the stored (event_id, revision, position) triples, so that decideAppend, in TypeScript,
    // decides idempotent retries and refusals. Several appends in one call are one transaction
    // (group commit); each is evaluated after the ones before it, and one refused writes nothing
    // of its own without affecting the others. Events are flattened: append i owns the next
    // p_counts[i] elements of the event arrays. An empty append that may proceed returns the
    // log's head position in last_position. p_lock is false only in the gap-safety test.
    // VOLATILE (the default) matters: each statement inside takes a fresh snapshot, so the reads
    // made after the lock see every append committed before it was granted.
    sql: `
      CREATE FUNCTION {schema}.append_events(
        p_lock        boolean,
        p_channel     text,
        p_recorded_at bigint,
        p_streams     text[],
        p_expected    text[],
        p_counts      integer[],
        p_ids         text[],
        p_types       text[],
        p_versions    integer[],
        p_data        json[]
      ) RETURNS TABLE (wrote boolean, head bigint, last_position bigint, existing json)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        i        integer;
        n        integer;
        lo       integer := 1;
        hi       integer;
        holds    boolean;
        notify   boolean := false;
      BEGIN
        IF p_lock THEN
          -- The same key as every other append path: see docs/stores.md, gap-safe positions.
          PERFORM pg_advisory_xact_lock(hashtext('heartbeat-ledger/append'), hashtext('{schema_name}'));
        END IF;
        FOR i IN 1 .. coalesce(array_length(p_streams, 1), 0) LOOP
          n := p_counts[i];
          hi := lo + n - 1;
          wrote := false;
          last_position := NULL;
          existing := NULL;
          SELECT coalesce(max(e.revision), -1) INTO head FROM {schema}.events e WHERE e.stream_id = p_streams[i];
          IF n > 0 THEN
            -- One probe of (stream_id, event_id) per id. PL/pgSQL soon runs a generic plan, which
            -- cannot see the stream's length: asked as "event_id = ANY (ids)" it may filter the
            -- whole stream instead; OFFSET 0 keeps the subquery a per-id equality lookup.
            SELECT json_agg(json_build_array(x.id, f.revision, f.position)) INTO existing
            FROM unnest(p_ids[lo:hi]) AS x(id)
            CROSS JOIN LATERAL (
              SELECT e.revision, e.position FROM {schema}.events e
              WHERE e.stream_id = p_streams[i] AND e.event_id = x.id
              OFFSET 0) f;
          END IF;
          holds := CASE p_expected[i]
                     WHEN 'any' THEN true
                     WHEN 'no-stream' THEN head = -1
                     WHEN 'stream-exists' THEN head >= 0
                     ELSE head = p_expected[i]::bigint
                   END;
          IF existing IS NULL AND holds THEN
            IF n > 0 THEN
              -- ORDER BY ordinality: identity values are drawn row by row in the batch's order.
              WITH inserted AS (
                INSERT INTO {schema}.events (stream_id, revision, event_id, type, version, data, recorded_at)
                SELECT p_streams[i], head + e.ordinality, e.id, e.type, e.version, e.data, p_recorded_at
                FROM unnest(p_ids[lo:hi], p_types[lo:hi], p_versions[lo:hi], p_data[lo:hi]) WITH ORDINALITY
                  AS e(id, type, version, data, ordinality)
                ORDER BY e.ordinality
                RETURNING position)
              SELECT max(inserted.position) INTO last_position FROM inserted;
              wrote := true;
              notify := true;
            ELSE
              SELECT coalesce(max(e.position), 0) INTO last_position FROM {schema}.events e;
            END IF;
          END IF;
          RETURN NEXT;
          lo := hi + 1;
        END LOOP;
        -- Delivered at COMMIT, like every NOTIFY.
        IF notify THEN
          PERFORM pg_notify(p_channel, '');
        END IF;
      END
      $fn$;`,
  },
  {
    version: 4,
    name: "append_events generic plans",
    // Plans made once per connection. Seeing constant arrays, PostgreSQL otherwise keeps
    // re-planning the id lookup on every call: ~0.1 ms of a single-event append's ~0.25 ms on
    // the server. Every statement of the function is right with a generic plan (the id lookup
    // is one equality probe per id). plan_cache_mode: PostgreSQL 12 or later.
    sql: `
      ALTER FUNCTION {schema}.append_events(boolean, text, bigint, text[], text[], integer[], text[], text[], integer[], json[])
        SET plan_cache_mode = force_generic_plan;`,
  },
  {
    version: 5,
    name: "atomic multi-stream appends, store-wide ids",
    // Replaces append_events. A call carries units (p_sizes[u] consecutive stream appends each):
    // a unit is one append of the port, single- or multi-stream, and all or nothing: first every
    // stream's head and every id's place (by id alone, in any stream: ids are idempotency keys
    // store-wide) are read, then, only when every expected revision holds and no id is stored,
    // all of the unit's events are inserted, in order. Otherwise it writes nothing of that unit
    // and returns the heads and stored [event_id, stream_id, revision, position] for
    // decideMultiAppend (TypeScript) to tell a retry from a refusal. Units of one call are one
    // transaction (group commit); each is evaluated after the ones before it, so an id a unit
    // inserted is "stored" for the next. Same lock, same generic plans as migrations 3 and 4.
    sql: `
      CREATE INDEX events_event_id ON {schema}.events (event_id);
      DROP INDEX {schema}.events_stream_event_id;
      DROP FUNCTION {schema}.append_events(boolean, text, bigint, text[], text[], integer[], text[], text[], integer[], json[]);
      CREATE FUNCTION {schema}.append_units(
        p_lock        boolean,
        p_channel     text,
        p_recorded_at bigint,
        p_sizes       integer[],
        p_streams     text[],
        p_expected    text[],
        p_counts      integer[],
        p_ids         text[],
        p_types       text[],
        p_versions    integer[],
        p_data        json[]
      ) RETURNS TABLE (accepted boolean, head bigint, last_position bigint, existing json)
      LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
      DECLARE
        u        integer;
        i        integer;
        n        integer;
        s        integer := 1;
        lo       integer := 1;
        unit_lo  integer;
        hi       integer;
        ok       boolean;
        h        bigint;
        ex       json;
        heads    bigint[];
        found    json[];
        notify   boolean := false;
      BEGIN
        IF p_lock THEN
          -- The same key as every other append path: see docs/stores.md, gap-safe positions.
          PERFORM pg_advisory_xact_lock(hashtext('heartbeat-ledger/append'), hashtext('{schema_name}'));
        END IF;
        FOR u IN 1 .. coalesce(array_length(p_sizes, 1), 0) LOOP
          ok := true;
          heads := '{}';
          found := '{}';
          unit_lo := lo;
          FOR i IN s .. s + p_sizes[u] - 1 LOOP
            n := p_counts[i];
            hi := lo + n - 1;
            SELECT coalesce(max(e.revision), -1) INTO h FROM {schema}.events e WHERE e.stream_id = p_streams[i];
            ex := NULL;
            IF n > 0 THEN
              -- One probe of the event_id index per id; OFFSET 0 keeps it a per-id lookup.
              SELECT json_agg(json_build_array(x.id, f.stream_id, f.revision, f.position)) INTO ex
              FROM unnest(p_ids[lo:hi]) AS x(id)
              CROSS JOIN LATERAL (
                SELECT e.stream_id, e.revision, e.position FROM {schema}.events e
                WHERE e.event_id = x.id
                OFFSET 0) f;
            END IF;
            heads := array_append(heads, h);
            found := array_append(found, ex);
            IF ex IS NOT NULL OR NOT (CASE p_expected[i]
                                        WHEN 'any' THEN true
                                        WHEN 'no-stream' THEN h = -1
                                        WHEN 'stream-exists' THEN h >= 0
                                        ELSE h = p_expected[i]::bigint
                                      END) THEN
              ok := false;
            END IF;
            lo := hi + 1;
          END LOOP;
          lo := unit_lo;
          FOR i IN s .. s + p_sizes[u] - 1 LOOP
            n := p_counts[i];
            hi := lo + n - 1;
            accepted := ok;
            head := heads[i - s + 1];
            existing := found[i - s + 1];
            last_position := NULL;
            IF ok THEN
              IF n > 0 THEN
                -- ORDER BY ordinality: identity values are drawn row by row in the batch's order.
                WITH inserted AS (
                  INSERT INTO {schema}.events (stream_id, revision, event_id, type, version, data, recorded_at)
                  SELECT p_streams[i], head + e.ordinality, e.id, e.type, e.version, e.data, p_recorded_at
                  FROM unnest(p_ids[lo:hi], p_types[lo:hi], p_versions[lo:hi], p_data[lo:hi]) WITH ORDINALITY
                    AS e(id, type, version, data, ordinality)
                  ORDER BY e.ordinality
                  RETURNING position)
                SELECT max(inserted.position) INTO last_position FROM inserted;
                notify := true;
              ELSE
                SELECT coalesce(max(e.position), 0) INTO last_position FROM {schema}.events e;
              END IF;
            END IF;
            RETURN NEXT;
            lo := hi + 1;
          END LOOP;
          s := s + p_sizes[u];
        END LOOP;
        -- Delivered at COMMIT, like every NOTIFY.
        IF notify THEN
          PERFORM pg_notify(p_channel, '');
        END IF;
      END
      $fn$;`,
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
      await client.query(
        migration.sql
          .replaceAll("{schema}", quoted)
          .replaceAll("{schema_name}", schema.replaceAll("'", "''")),
      )
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
