/**
 * The three lines of docs/embedding.md's "From code", here so that the typecheck covers them
 * (word for word except the import path: an embedder writes "heartbeat-ledger").
 * test/package/pack.test.ts also type-checks and runs the same text in a fresh consumer project
 * against the packed package, on an SQLite file (`sqlite:ledger.db`, in the working directory).
 */
// #region from-code
import { auditLog, openLedger } from "../../infrastructure/index.ts"

await using ledger = await openLedger("sqlite:ledger.db") // closed when this module's scope ends
await ledger.enqueue("deploy finished", { sessionKey: "agent:ops:main" })
console.log(JSON.stringify((await auditLog(ledger.store)).totals)) // nothing drains agent ops: stranded 1
// #endregion
