/**
 * The built package as a consumer sees it: `npm test` builds dist/ first, and Node resolves
 * `heartbeat-ledger` through package.json `exports` (a package may import itself by name).
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { describe, expect, it } from "vitest"

const NODE = "node_modules/.bin/node"

const runConsumer = (source: string): string =>
  execFileSync(NODE, ["--input-type=module", "-e", source], { encoding: "utf8" }).trim()

describe("the package entry", () => {
  it("ships JavaScript with type declarations", () => {
    expect(existsSync("dist/infrastructure/index.js")).toBe(true)
    expect(existsSync("dist/infrastructure/index.d.ts")).toBe(true)
  })

  it("exports OpenClaw's session-key and routing functions under their names", () => {
    const out = runConsumer(`
      import * as hl from "heartbeat-ledger"
      const names = ["parseAgentSessionKey", "isCronRunSessionKey", "isCronSessionKey", "isSubagentSessionKey",
        "isAcpSessionKey", "getSubagentDepth", "isUnscopedSessionKeySentinel", "classifySessionKeyShape",
        "normalizeAgentId", "isValidAgentId", "normalizeMainKey", "buildAgentMainSessionKey", "toAgentStoreSessionKey",
        "scopeLegacySessionKeyToAgent", "resolveEventSessionKey", "scopedHeartbeatWakeOptions", "resolveHeartbeatSession",
        "isExecCompletionEvent", "isCronSystemEvent", "Ledger", "layerLedger", "layerMemoryEventStore"]
      const missing = names.filter((name) => typeof hl[name] !== "function" && typeof hl[name] !== "object")
      console.log(JSON.stringify({ missing, routed: hl.resolveEventSessionKey("agent:Ops:cron:n:run:r1:subagent:w", " Work ") }))
    `)
    expect(JSON.parse(out)).toEqual({ missing: [], routed: "agent:ops:work" })
  })

  it("exports the invariants: an embedder judges a store's log without the CLI", () => {
    const out = runConsumer(`
      import { Effect } from "effect"
      import { invariantsOfLog, makeMemoryEventStore } from "heartbeat-ledger"
      const invariants = await Effect.runPromise(invariantsOfLog(makeMemoryEventStore()))
      console.log(JSON.stringify(invariants.filter((check) => check.holds).length))
    `)
    expect(out).toBe("7")
  })

  it("exports the stores by URL: Effect layers, and the Promise entry points that use them", () => {
    const out = runConsumer(`
      import * as hl from "heartbeat-ledger"
      const names = ["openLedger", "auditLog", "auditOfStore", "layerLedgerFromUrl", "layerEventStoreFromUrl",
        "layerProjectionCheckpointsFromUrl", "parseStoreUrl", "resolveStoreUrl", "InvalidStoreUrl", "LedgerFileRefused"]
      const ledger = await hl.openLedger("memory:")
      await ledger.enqueue("build finished", { sessionKey: "agent:ops:main" })
      const peeked = (await ledger.peek("agent:ops:main")).map((event) => event.text)
      await ledger.close()
      const afterClose = await ledger.peek("agent:ops:main").then(() => "answered", (error) => error._tag)
      console.log(JSON.stringify({ missing: names.filter((name) => hl[name] === undefined), peeked, afterClose }))
    `)
    expect(JSON.parse(out)).toEqual({ missing: [], peeked: ["build finished"], afterClose: "LedgerClosed" })
  })
})
