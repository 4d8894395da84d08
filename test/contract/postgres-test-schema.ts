/**
 * Where the PostgreSQL tests run: HEARTBEAT_LEDGER_PG_URL (.ci/start-postgres.sh sets it), each
 * test file in a schema of its own so that files running in parallel never share a log.
 */
import { randomUUID } from "node:crypto"
import pg from "pg"

export const PG_URL_ENV = "HEARTBEAT_LEDGER_PG_URL"

export type PgTestSchema =
  | {
      readonly _tag: "Ready"
      readonly url: string
      readonly connectionString: string
      readonly schema: string
    }
  | { readonly _tag: "Skip"; readonly reason: string }
  | { readonly _tag: "Fail"; readonly reason: string }

export function pgTestSchema(label: string): PgTestSchema {
  const base = process.env[PG_URL_ENV]
  if (base === undefined || base.trim() === "") {
    const reason = `${PG_URL_ENV} not set`
    // CI starts a server (.ci/run): a missing URL there is a broken build, not a reason to skip.
    return process.env.CI === "true"
      ? {
          _tag: "Fail",
          reason: `${reason}, but CI=true: .ci/run must start PostgreSQL (.ci/start-postgres.sh)`,
        }
      : { _tag: "Skip", reason }
  }
  const schema = `hbl_test_${label}_${randomUUID().replaceAll("-", "").slice(0, 12)}`
  const url = new URL(base)
  url.searchParams.set("schema", schema)
  return { _tag: "Ready", url: url.toString(), connectionString: base, schema }
}

export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}
