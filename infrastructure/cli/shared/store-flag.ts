/**
 * `--store URL`, taken by every command: the flag, else HEARTBEAT_LEDGER_STORE, else the
 * embedded SQLite default (resolveStoreUrl). The layer opens the store for one command run.
 */
import { Option } from "effect"
import { Flag } from "effect/cli"
import { resolveStoreUrl } from "../../stores/store-layer.ts"

export const storeFlag = Flag.String("store").pipe(
  Flag.withMetavar("URL"),
  Flag.withDescription(
    "Event store: memory:, sqlite:<path>, postgres://…, esdb://… " +
      "(default: $HEARTBEAT_LEDGER_STORE, else sqlite:.heartbeat-ledger/ledger.db)",
  ),
  Flag.optional,
)

export const storeUrlOf = (flag: Option.Option<string>): string =>
  resolveStoreUrl(Option.getOrUndefined(flag))
