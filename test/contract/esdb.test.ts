/**
 * The contract against a real EventStoreDB or KurrentDB: set HEARTBEAT_LEDGER_ESDB_URL (an
 * esdb:// or kurrentdb:// URL; docs/stores.md has the Docker command). No server, no run: a
 * mocked client would prove nothing about the store.
 */
import { layerEventStoreFromUrl } from "../../infrastructure/stores/store-layer.ts"
import { describeEventStoreContract } from "./event-store-contract.ts"

const ESDB_URL_ENV = "HEARTBEAT_LEDGER_ESDB_URL"

describeEventStoreContract("esdb", () => {
  const url = process.env[ESDB_URL_ENV]?.trim()
  if (url === undefined || url === "") return { skip: `${ESDB_URL_ENV} not set` }
  return {
    run: {
      layer: layerEventStoreFromUrl(url),
      processUrl: url,
      propertyRuns: 10,
      idempotency: "per-stream",
      // kurrentdb:// uses KurrentDB's multi-stream append (25.1 or later); esdb:// has none.
      atomicMultiAppend: url.startsWith("kurrentdb:"),
    },
  }
})
