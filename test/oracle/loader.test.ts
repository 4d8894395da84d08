/**
 * The loader itself: each pinned release's modules we compare against are found by their
 * region marker and come back under their real names.
 */
import { expect, it } from "vitest"
import { describeOracle } from "./describe-oracle.ts"
import { chunkExportNames, loadOracleModule } from "./load.ts"
import { FIXED_RELEASE, LEGACY_RELEASE, PINNED_RELEASES } from "./releases.ts"

it("maps a chunk's export aliases back to real names", () => {
  const names = chunkExportNames(
    "const x = 1\nexport { enqueueSystemEvent as a, MAX as MAX_EVENTS, plain };\n",
  )
  expect([...names]).toEqual([
    ["a", "enqueueSystemEvent"],
    ["MAX_EVENTS", "MAX"],
    ["plain", "plain"],
  ])
})

describeOracle("oracle loader", () => {
  for (const version of PINNED_RELEASES) {
    it(`loads openclaw@${version}'s system-events, heartbeat-wake and session keys`, async () => {
      const events = await loadOracleModule(version, "src/infra/system-events.ts")
      expect(typeof events.enqueueSystemEvent).toBe("function")
      expect(typeof events.drainSystemEventEntries).toBe("function")
      const wake = await loadOracleModule(version, "src/infra/heartbeat-wake.ts")
      expect(typeof wake.requestHeartbeat).toBe("function")
      expect(typeof wake.setHeartbeatWakeHandler).toBe("function")
      const keys = await loadOracleModule(version, "src/sessions/session-key-utils.ts")
      expect(typeof keys.parseAgentSessionKey).toBe("function")
      expect(typeof keys.isCronRunSessionKey).toBe("function")
    })
  }

  it("sees the fix: a cron-run descendant is a cron-run key only from 2026.5.12 on", async () => {
    type Keys = { readonly isCronRunSessionKey: (key: string) => boolean }
    const legacy = await loadOracleModule<Keys>(LEGACY_RELEASE, "src/sessions/session-key-utils.ts")
    const fixed = await loadOracleModule<Keys>(FIXED_RELEASE, "src/sessions/session-key-utils.ts")
    const descendant = "agent:ops:cron:nightly:run:r1:subagent:worker"
    expect(legacy.isCronRunSessionKey(descendant)).toBe(false)
    expect(fixed.isCronRunSessionKey(descendant)).toBe(true)
    expect(legacy.isCronRunSessionKey("agent:ops:cron:nightly:run:r1")).toBe(true)
  })
})
