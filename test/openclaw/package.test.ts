/**
 * `heartbeat-ledger/openclaw` as a consumer imports it: `npm test` builds dist/ first, and Node
 * resolves the subpath through package.json `exports`.
 */
import { execFileSync } from "node:child_process"
import { describe, expect, it } from "vitest"

const NODE = "node_modules/.bin/node"

describe("the heartbeat-ledger/openclaw subpath", () => {
  it("exports OpenClaw's names, bound to a default instance, and isolated instances", () => {
    const out = execFileSync(
      NODE,
      [
        "--input-type=module",
        "-e",
        `
        import * as oc from "heartbeat-ledger/openclaw"
        const names = ["enqueueSystemEvent", "peekSystemEvents", "peekSystemEventEntries", "drainSystemEvents",
          "drainSystemEventEntries", "consumeSystemEventEntries", "hasSystemEvents", "isSystemEventContextChanged",
          "requestHeartbeat", "setHeartbeatWakeHandler", "emitExecSystemEvent", "notifyExecExit", "relayAcpSpawnEvent",
          "notifyCliWatchdogStall", "handleNodeExecEvent", "createSystemEvents", "openSystemEvents", "flush",
          "consumeSelectedSystemEventEntries", "resolveSystemEventDeliveryContext", "resetSystemEventsForTest",
          "isRetryableHeartbeatBusySkipReason", "setHeartbeatsEnabled", "areHeartbeatsEnabled",
          "hasHeartbeatWakeHandler", "hasPendingHeartbeatWake", "resetHeartbeatWakeStateForTests",
          "heartbeatRunsOf", "systemEventIdOf"]
        const missing = names.filter((name) => typeof oc[name] !== "function")
        const isolated = oc.createSystemEvents()
        isolated.enqueueSystemEvent("isolated", { sessionKey: "agent:ops:main" })
        const accepted = oc.enqueueSystemEvent("default", { sessionKey: "agent:ops:main" })
        console.log(JSON.stringify({ missing, accepted, seen: oc.peekSystemEvents("agent:ops:main") }))
        await isolated.close()
        `,
      ],
      { encoding: "utf8", env: { ...process.env, HEARTBEAT_LEDGER_STORE: "" } },
    )
    expect(JSON.parse(out.trim())).toEqual({ missing: [], accepted: true, seen: ["default"] })
  })
})
