/**
 * The store URL → the EventStore layer. The application only ever sees the EventStore service;
 * which adapter backs it is decided here, once, at start. The layer is scoped: releasing it
 * closes the store's connections or file.
 *
 * The PostgreSQL and EventStoreDB adapters are imported only when their URL scheme is used:
 * their clients cost start-up time and memory that a process on another store should not pay.
 * Memory and SQLite (the default) stay static imports: they open synchronously, which
 * `createSystemEvents` relies on (a dynamic import would make every store asynchronous).
 */
import { Effect, Layer } from "effect"
import { EventStore } from "../../application/event-store.ts"
import type { StoreUnavailable } from "../../application/event-store-errors.ts"
import { DEFAULT_STORE_URL, type InvalidStoreUrl, parseStoreUrl, STORE_URL_ENV } from "../store-url.ts"
import type { LedgerAccess, LedgerFileRefused } from "./ledger-file-refused.ts"
import { makeMemoryEventStore } from "./memory-event-store.ts"
import { makeSqliteEventStore } from "./sqlite-event-store.ts"

/** `--store` wins over HEARTBEAT_LEDGER_STORE, which wins over the embedded default. Blank counts as unset. */
export const resolveStoreUrl = (flag?: string, env: NodeJS.ProcessEnv = process.env): string => {
  const fromFlag = flag?.trim()
  if (fromFlag !== undefined && fromFlag !== "") return fromFlag
  const fromEnv = env[STORE_URL_ENV]?.trim()
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv
  return DEFAULT_STORE_URL
}

/**
 * `access: "read"` is for commands that only read (audit, export, inspect): on SQLite a missing
 * or empty file is refused ("no ledger at …") rather than created. Any access refuses a file
 * that is not a ledger, untouched.
 */
export const layerEventStoreFromUrl = (
  url: string,
  options: { readonly access?: LedgerAccess } = {},
): Layer.Layer<EventStore, StoreUnavailable | InvalidStoreUrl | LedgerFileRefused> =>
  Layer.effect(
    EventStore,
    Effect.gen(function* () {
      const store = yield* parseStoreUrl(url)
      switch (store._tag) {
        case "Memory":
          return makeMemoryEventStore()
        case "Sqlite":
          return yield* makeSqliteEventStore({
            path: store.path,
            description: store.masked,
            access: options.access ?? "write",
          })
        case "Postgres": {
          const { makePostgresEventStore } = yield* Effect.promise(() => import("./postgres-event-store.ts"))
          return yield* makePostgresEventStore({
            connectionString: store.connectionString,
            schema: store.schema,
            description: store.masked,
          })
        }
        case "Esdb": {
          const { makeEsdbEventStore } = yield* Effect.promise(() => import("./esdb-event-store.ts"))
          return yield* makeEsdbEventStore({
            client: store.client,
            connectionString: store.connectionString,
            description: store.masked,
          })
        }
      }
    }),
  )
