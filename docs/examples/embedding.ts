/**
 * The code shown in docs/embedding.md, here so that the typecheck covers it (tsconfig includes
 * docs/examples): each `#region` is one of the doc's code blocks, word for word except the
 * import path — an embedder writes "heartbeat-ledger/openclaw", this file uses the source tree.
 * test/package/doc-examples.test.ts fails when a block and its region differ. It also runs
 * (`node docs/examples/embedding.ts`), on `memory:` unless HEARTBEAT_LEDGER_STORE names a store.
 */
// biome-ignore-all assist/source/organizeImports: the imports stay where the doc's blocks show them
// #region integration
// 1. where OpenClaw imports src/infra/system-events.ts and src/infra/heartbeat-wake.ts:
import {
  consumeSystemEventEntries,
  enqueueSystemEvent,
  flush,
  peekSystemEventEntries,
  requestHeartbeat,
  setHeartbeatWakeHandler,
} from "../../infrastructure/openclaw/index.ts"
// 2. in the environment: HEARTBEAT_LEDGER_STORE=sqlite:/var/lib/gateway/ledger.db
// 3. at shutdown: await flush()
// #endregion
import {
  createSystemEvents,
  heartbeatRunsOf,
  resetDefaultSystemEvents,
} from "../../infrastructure/openclaw/index.ts"

// #region handler
setHeartbeatWakeHandler(async (wake) => {
  const started = Date.now()
  for (const run of heartbeatRunsOf(wake)) {
    // run.prompt is "exec", "cron", "plain" or "empty"; run.shown are the entries it shows,
    // run.consumed those it removes (its agent turn drains the rest but exec completions).
    console.log(`${run.agentId} heartbeat on ${run.queueKey}: ${run.shown.length} event(s)`)
  }
  // Exactly these are recorded as shown and consumed.
  return { status: "ran", durationMs: Date.now() - started }
})
// #endregion

// #region instance
const gateway = createSystemEvents({ store: "memory:" })
gateway.enqueueSystemEvent("build finished", { sessionKey: "agent:ops:main" })
console.log(`${gateway.backlog()} event(s) decided but not yet durable`)
await gateway.close() // flushes, stops the wake timer, closes the store
// #endregion

// The module-level API as OpenClaw's callers use it, then the shutdown.
enqueueSystemEvent("deploy finished", { sessionKey: "agent:ops:main" })
const [entry] = peekSystemEventEntries("agent:ops:main")
if (entry !== undefined) consumeSystemEventEntries("agent:ops:main", [entry])
requestHeartbeat({ source: "manual", intent: "immediate", reason: "example" })
await flush()
await resetDefaultSystemEvents()
