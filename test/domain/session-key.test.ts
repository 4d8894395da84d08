/** domain.md §2: session keys — parsing, classification, normalisation. */
import { describe, expect, it } from "vitest"
import {
  buildAgentMainSessionKey,
  classifySessionKeyShape,
  getSubagentDepth,
  isAcpSessionKey,
  isCronRunSessionKey,
  isCronSessionKey,
  isLegacyCronRunSessionKey,
  isSubagentSessionKey,
  isUnscopedSessionKeySentinel,
  isValidAgentId,
  normalizeAgentId,
  normalizeMainKey,
  parseAgentSessionKey,
  resolveAgentIdFromSessionKey,
  scopeLegacySessionKeyToAgent,
  toAgentStoreSessionKey,
} from "../../domain/session-key.ts"

describe("parseAgentSessionKey", () => {
  it("parses AGENT:Main:Hook:Webhook:42 to agentId main, rest hook:webhook:42", () => {
    expect(parseAgentSessionKey("AGENT:Main:Hook:Webhook:42")).toEqual({
      agentId: "main",
      rest: "hook:webhook:42",
    })
  })

  it("trims the key and drops empty parts", () => {
    expect(parseAgentSessionKey("  agent:ops:main  ")).toEqual({ agentId: "ops", rest: "main" })
    expect(parseAgentSessionKey("agent::ops::cron:nightly:")).toEqual({
      agentId: "ops",
      rest: "cron:nightly",
    })
  })

  it.each([
    "main",
    "global",
    "cron:job:run:x",
    "subagent:w",
    "agent:main",
    "agent:",
    "agents:x:y",
    "",
    "   ",
  ])("does not parse %j", (key) => {
    expect(parseAgentSessionKey(key)).toBeNull()
  })

  it("does not parse a missing key", () => {
    expect(parseAgentSessionKey(undefined)).toBeNull()
    expect(parseAgentSessionKey(null)).toBeNull()
  })
})

describe("sentinel keys", () => {
  it.each(["global", "unknown", "GLOBAL", " Unknown "])("%j is an unscoped sentinel", (key) => {
    expect(isUnscopedSessionKeySentinel(key)).toBe(true)
  })

  it.each(["main", "agent:main:global", "agent:main:main", "", undefined])("%j is not a sentinel", (key) => {
    expect(isUnscopedSessionKeySentinel(key)).toBe(false)
  })

  it("a sentinel is not an agent key", () => {
    expect(parseAgentSessionKey("global")).toBeNull()
    expect(parseAgentSessionKey("unknown")).toBeNull()
  })
})

describe("the main key of an agent", () => {
  it("is agent:<normalizedAgentId>:<normalizedMainKey>", () => {
    expect(buildAgentMainSessionKey({ agentId: "Ops" })).toBe("agent:ops:main")
    expect(buildAgentMainSessionKey({ agentId: " Ops ", mainKey: " Work " })).toBe("agent:ops:work")
    expect(buildAgentMainSessionKey({ agentId: "", mainKey: "" })).toBe("agent:main:main")
  })

  it("normalizeMainKey trims and lower-cases; empty or missing is main", () => {
    expect(normalizeMainKey("  Work ")).toBe("work")
    expect(normalizeMainKey("")).toBe("main")
    expect(normalizeMainKey("   ")).toBe("main")
    expect(normalizeMainKey(undefined)).toBe("main")
    expect(normalizeMainKey(null)).toBe("main")
  })
})

describe("normalizeAgentId", () => {
  it.each([
    ["", "main"],
    ["   ", "main"],
    [" Ops ", "ops"],
    ["OPS_bot-2", "ops_bot-2"],
    ["My Agent!", "my-agent"],
    ["--weird--", "weird"],
    ["a/b\\c d", "a-b-c-d"],
    ["!!!", "main"],
    ["Über Agent", "ber-agent"],
  ])("%j → %j", (input, expected) => {
    expect(normalizeAgentId(input)).toBe(expected)
  })

  it("a missing id is main", () => {
    expect(normalizeAgentId(undefined)).toBe("main")
    expect(normalizeAgentId(null)).toBe("main")
  })

  it("cuts an over-long id to 64 characters", () => {
    expect(normalizeAgentId("a".repeat(70))).toBe("a".repeat(64))
    expect(normalizeAgentId(`${"B".repeat(70)}!`)).toBe("b".repeat(64))
  })

  it("strips the dashes before cutting, so a cut can leave a trailing dash (the rule's order)", () => {
    expect(normalizeAgentId(`${"a".repeat(63)} b`)).toBe(`${"a".repeat(63)}-`)
  })
})

describe("isValidAgentId", () => {
  it.each(["main", "ops", " Ops ", "a", "ops_bot-2", "9lives", "a".repeat(64)])("%j is valid", (id) => {
    expect(isValidAgentId(id)).toBe(true)
  })

  it.each(["", "   ", "-ops", "_ops", "my agent", "ops!", "a".repeat(65), undefined, null])(
    "%j is not valid",
    (id) => {
      expect(isValidAgentId(id)).toBe(false)
    },
  )
})

describe("cron-run keys (the fixed rule: the run and every descendant)", () => {
  it.each([
    "agent:ops:cron:nightly:run:r1",
    "agent:ops:cron:nightly:run:r1:subagent:worker",
    "agent:ops:cron:nightly:run:r1:thread:reply",
    "AGENT:Ops:CRON:Nightly:RUN:R1",
    "  agent:ops:cron:nightly:run:r1  ",
  ])("%j is a cron-run key", (key) => {
    expect(isCronRunSessionKey(key)).toBe(true)
  })

  it.each([
    "agent:ops:cron:nightly",
    "agent:main:slack:cron:j:run:x",
    "agent:main:slack:channel:general:run:42",
    "cron:j:run:x",
    "agent:ops:cron:nightly:run",
    "agent:ops:main",
    "global",
    "",
  ])("%j is not a cron-run key", (key) => {
    expect(isCronRunSessionKey(key)).toBe(false)
  })
})

describe("legacy cron-run keys (the rule before the fix: the run itself only)", () => {
  it("counts the run itself", () => {
    expect(isLegacyCronRunSessionKey("agent:ops:cron:nightly:run:r1")).toBe(true)
    expect(isLegacyCronRunSessionKey("AGENT:Ops:CRON:Nightly:RUN:R1")).toBe(true)
  })

  it("does not count descendants", () => {
    expect(isLegacyCronRunSessionKey("agent:ops:cron:nightly:run:r1:subagent:worker")).toBe(false)
    expect(isLegacyCronRunSessionKey("agent:ops:cron:nightly:run:r1:thread:reply")).toBe(false)
  })

  it.each(["agent:ops:cron:nightly", "agent:main:slack:cron:j:run:x", "cron:j:run:x"])(
    "%j is not one either",
    (key) => {
      expect(isLegacyCronRunSessionKey(key)).toBe(false)
    },
  )
})

describe("isCronSessionKey", () => {
  it("is an agent key whose rest starts with cron:", () => {
    expect(isCronSessionKey("agent:ops:cron:nightly")).toBe(true)
    expect(isCronSessionKey("agent:ops:cron:nightly:run:r1")).toBe(true)
    expect(isCronSessionKey("agent:main:slack:cron:j")).toBe(false)
    expect(isCronSessionKey("cron:nightly")).toBe(false)
  })
})

describe("isSubagentSessionKey", () => {
  it.each(["subagent:w", "SUBAGENT:W", "agent:main:subagent:w", "agent:main:subagent:a:subagent:b"])(
    "%j is a subagent key",
    (key) => {
      expect(isSubagentSessionKey(key)).toBe(true)
    },
  )

  it.each(["agent:x:cron:j:run:r:subagent:w", "agent:main:main", "main", "", undefined])(
    "%j is not a subagent key",
    (key) => {
      expect(isSubagentSessionKey(key)).toBe(false)
    },
  )
})

describe("getSubagentDepth", () => {
  it("counts :subagent: in the lower-cased key", () => {
    expect(getSubagentDepth("agent:main:main")).toBe(0)
    expect(getSubagentDepth("agent:main:subagent:a")).toBe(1)
    expect(getSubagentDepth("agent:main:SUBAGENT:a:Subagent:b")).toBe(2)
    expect(getSubagentDepth("agent:x:cron:j:run:r:subagent:w")).toBe(1)
  })

  it("a bare subagent: prefix has no leading colon, so it does not count", () => {
    expect(getSubagentDepth("subagent:w")).toBe(0)
  })

  it("is 0 for a missing key", () => {
    expect(getSubagentDepth("")).toBe(0)
    expect(getSubagentDepth(undefined)).toBe(0)
  })
})

describe("isAcpSessionKey", () => {
  it("is true when the key or the agent rest starts with acp:", () => {
    expect(isAcpSessionKey("acp:child")).toBe(true)
    expect(isAcpSessionKey("ACP:child")).toBe(true)
    expect(isAcpSessionKey("agent:main:acp:child")).toBe(true)
    expect(isAcpSessionKey("agent:main:main")).toBe(false)
    expect(isAcpSessionKey("agent:main:slack:acp:x")).toBe(false)
    expect(isAcpSessionKey("")).toBe(false)
  })
})

describe("classifySessionKeyShape", () => {
  it.each([
    ["", "missing"],
    ["   ", "missing"],
    [undefined, "missing"],
    ["agent:main:main", "agent"],
    ["AGENT:Main:Hook:Webhook:42", "agent"],
    ["agent:main", "malformed_agent"],
    ["Agent:", "malformed_agent"],
    ["main", "legacy_or_alias"],
    ["global", "legacy_or_alias"],
    ["cron:j:run:x", "legacy_or_alias"],
    ["Incident-42", "legacy_or_alias"],
  ] as const)("%j is %s", (key, shape) => {
    expect(classifySessionKeyShape(key)).toBe(shape)
  })
})

describe("resolveAgentIdFromSessionKey", () => {
  it("is the parsed agent, or the default agent main", () => {
    expect(resolveAgentIdFromSessionKey("agent:Ops:main")).toBe("ops")
    expect(resolveAgentIdFromSessionKey("Incident-42")).toBe("main")
    expect(resolveAgentIdFromSessionKey(undefined)).toBe("main")
  })
})

describe("toAgentStoreSessionKey", () => {
  it("maps main (or nothing) to the agent's main key", () => {
    expect(toAgentStoreSessionKey({ agentId: "ops", requestKey: "main" })).toBe("agent:ops:main")
    expect(toAgentStoreSessionKey({ agentId: "ops", requestKey: "MAIN", mainKey: "Work" })).toBe(
      "agent:ops:work",
    )
    expect(toAgentStoreSessionKey({ agentId: "ops", requestKey: "  " })).toBe("agent:ops:main")
  })

  it("prefixes a legacy key with the agent, lower-cased", () => {
    expect(toAgentStoreSessionKey({ agentId: "Ops", requestKey: "Incident-42" })).toBe(
      "agent:ops:incident-42",
    )
  })

  it("lower-cases an agent key and keeps its agent", () => {
    expect(toAgentStoreSessionKey({ agentId: "ops", requestKey: "agent:Other:Slack:X" })).toBe(
      "agent:other:slack:x",
    )
  })
})

describe("scopeLegacySessionKeyToAgent", () => {
  it("scopes legacy keys: main → agent:<id>:main, Incident-42 → agent:<id>:incident-42", () => {
    expect(scopeLegacySessionKeyToAgent({ agentId: "ops", sessionKey: "main" })).toBe("agent:ops:main")
    expect(scopeLegacySessionKeyToAgent({ agentId: "ops", sessionKey: "Incident-42" })).toBe(
      "agent:ops:incident-42",
    )
  })

  it("leaves agent-shaped keys as they are (trimmed, case preserved)", () => {
    expect(scopeLegacySessionKeyToAgent({ agentId: "ops", sessionKey: " agent:Other:Slack:X " })).toBe(
      "agent:Other:Slack:X",
    )
    expect(scopeLegacySessionKeyToAgent({ agentId: "ops", sessionKey: "agent:broken" })).toBe("agent:broken")
  })

  it("leaves the key as it is without an agent, and has nothing for a blank key", () => {
    expect(scopeLegacySessionKeyToAgent({ sessionKey: "Incident-42" })).toBe("Incident-42")
    expect(scopeLegacySessionKeyToAgent({ agentId: "ops", sessionKey: "  " })).toBeUndefined()
  })
})
