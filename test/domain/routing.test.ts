/** domain.md §3: where an event goes and whom it wakes, by the fixed and the legacy routing. */
import { describe, expect, it } from "vitest"
import {
  fixedRouting,
  legacyRouting,
  resolveEventSessionKey,
  routingByName,
  scopedHeartbeatWakeOptions,
} from "../../domain/routing.ts"
import { DEFAULT_SESSION_SCOPE, effectiveScope } from "../../domain/session-policy.ts"

const RUN = "agent:ops:cron:nightly:run:r1"
const DESCENDANT = "agent:ops:cron:nightly:run:r1:subagent:worker"
const WAKE = { source: "exec-event", reason: "exec-event", intent: "event", coalesceMs: 0 } as const

describe("the session policy", () => {
  it("defaults to per-sender scope", () => {
    expect(DEFAULT_SESSION_SCOPE).toBe("per-sender")
    expect(effectiveScope(undefined)).toBe("per-sender")
    expect(effectiveScope({ mainKey: "work" })).toBe("per-sender")
    expect(effectiveScope({ scope: "global" })).toBe("global")
  })
})

describe("resolveEventSessionKey", () => {
  describe("1. a key that is not an agent key, or not a cron-run key, passes through unchanged", () => {
    it.each([
      "main",
      "global",
      "node-abc",
      "cron:j:run:x",
      "  Hook:X  ",
      "agent:main",
      "agent:Ops:Slack:Channel:General",
      "agent:ops:cron:nightly",
      "agent:main:slack:cron:j:run:x",
    ])("%j", (key) => {
      expect(resolveEventSessionKey(key)).toBe(key)
      expect(resolveEventSessionKey(key, "work", "per-sender")).toBe(key)
      expect(resolveEventSessionKey(key, "work", "global")).toBe(key)
    })
  })

  describe("2. a cron-run key in global scope goes to global", () => {
    it.each([RUN, DESCENDANT, "AGENT:Ops:Cron:Nightly:Run:R1"])("%j", (key) => {
      expect(resolveEventSessionKey(key, undefined, "global")).toBe("global")
      expect(resolveEventSessionKey(key, "work", "global")).toBe("global")
    })
  })

  describe("3. otherwise a cron-run key goes to the agent's main key, rebuilt", () => {
    it("with the default main key", () => {
      expect(resolveEventSessionKey(RUN)).toBe("agent:ops:main")
      expect(resolveEventSessionKey(RUN, undefined, "per-sender")).toBe("agent:ops:main")
    })

    it("with the captured main key, normalized", () => {
      expect(resolveEventSessionKey(RUN, " Work ", "per-sender")).toBe("agent:ops:work")
    })

    it("for descendants too", () => {
      expect(resolveEventSessionKey(DESCENDANT)).toBe("agent:ops:main")
      expect(resolveEventSessionKey("agent:ops:cron:nightly:run:r1:thread:reply", "work")).toBe(
        "agent:ops:work",
      )
    })

    it("lower-cased, because a remapped key is rebuilt", () => {
      expect(resolveEventSessionKey("  AGENT:Ops:CRON:Nightly:RUN:R1 ")).toBe("agent:ops:main")
    })

    it("never into another agent's queue", () => {
      expect(resolveEventSessionKey("agent:billing:cron:invoices:run:r9")).toBe("agent:billing:main")
    })
  })
})

describe("scopedHeartbeatWakeOptions", () => {
  describe("1. a key that is not an agent key leaves the options unchanged (an unscoped wake)", () => {
    it.each(["global", "main", "node-abc", "cron:j:run:x", "agent:main"])("%j", (key) => {
      expect(scopedHeartbeatWakeOptions(key, WAKE)).toBe(WAKE)
      expect(scopedHeartbeatWakeOptions(key, WAKE, "work", "global")).toBe(WAKE)
    })
  })

  describe("2. a cron-run key", () => {
    it("per-sender: adds sessionKey = the agent's main key", () => {
      expect(scopedHeartbeatWakeOptions(RUN, WAKE)).toStrictEqual({ ...WAKE, sessionKey: "agent:ops:main" })
      expect(scopedHeartbeatWakeOptions(DESCENDANT, WAKE, "Work", "per-sender")).toStrictEqual({
        ...WAKE,
        sessionKey: "agent:ops:work",
      })
    })

    it("global: adds only the agentId (the agent's heartbeat resolves to global itself)", () => {
      const options = scopedHeartbeatWakeOptions(RUN, WAKE, "work", "global")
      expect(options).toStrictEqual({ ...WAKE, agentId: "ops" })
      expect(options).not.toHaveProperty("sessionKey")
    })
  })

  describe("3. any other agent key", () => {
    it("adds sessionKey = the key as given, case preserved", () => {
      expect(scopedHeartbeatWakeOptions("agent:Ops:Slack:Channel:General", WAKE)).toStrictEqual({
        ...WAKE,
        sessionKey: "agent:Ops:Slack:Channel:General",
      })
      expect(scopedHeartbeatWakeOptions("agent:ops:cron:nightly", WAKE, "work", "global")).toStrictEqual({
        ...WAKE,
        sessionKey: "agent:ops:cron:nightly",
      })
    })
  })

  it("never mutates the options it is given", () => {
    const options = { reason: "exec-event" }
    scopedHeartbeatWakeOptions(RUN, options)
    scopedHeartbeatWakeOptions(RUN, options, undefined, "global")
    expect(options).toStrictEqual({ reason: "exec-event" })
  })
})

describe("the fixed routing", () => {
  it("is resolveEventSessionKey and scopedHeartbeatWakeOptions, with the fixed cron-run rule", () => {
    expect(fixedRouting.name).toBe("fixed")
    expect(fixedRouting.queueKey(RUN, "work")).toBe("agent:ops:work")
    expect(fixedRouting.queueKey(RUN, "work", "global")).toBe("global")
    expect(fixedRouting.wakeTarget(RUN, "work")).toStrictEqual({ sessionKey: "agent:ops:work" })
    expect(fixedRouting.wakeTarget(RUN, "work", "global")).toStrictEqual({ agentId: "ops" })
    expect(fixedRouting.wakeTarget("node-abc")).toStrictEqual({})
    expect(fixedRouting.isCronRun(DESCENDANT)).toBe(true)
  })
})

describe("the legacy routing (before the fix)", () => {
  it("enqueues under the raw key", () => {
    expect(legacyRouting.name).toBe("legacy")
    expect(legacyRouting.queueKey(RUN, "work", "per-sender")).toBe(RUN)
    expect(legacyRouting.queueKey(DESCENDANT, undefined, "global")).toBe(DESCENDANT)
    expect(legacyRouting.queueKey("node-abc")).toBe("node-abc")
  })

  it("wakes with the raw key for agent keys, unscoped otherwise", () => {
    expect(legacyRouting.wakeTarget(RUN, "work", "global")).toStrictEqual({ sessionKey: RUN })
    expect(legacyRouting.wakeTarget("agent:ops:main")).toStrictEqual({ sessionKey: "agent:ops:main" })
    expect(legacyRouting.wakeTarget("node-abc")).toStrictEqual({})
    expect(legacyRouting.wakeTarget("global")).toStrictEqual({})
  })

  it("counts only the run itself as a cron run", () => {
    expect(legacyRouting.isCronRun(RUN)).toBe(true)
    expect(legacyRouting.isCronRun(DESCENDANT)).toBe(false)
  })

  it("is selectable by name", () => {
    expect(routingByName("legacy")).toBe(legacyRouting)
    expect(routingByName("fixed")).toBe(fixedRouting)
  })
})
