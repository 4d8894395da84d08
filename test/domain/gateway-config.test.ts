/** The gateway configuration the ledger records: per agent, session policy, heartbeat.session, enabled. */
import { describe, expect, it } from "vitest"
import type { ConfigEvent } from "../../domain/events.ts"
import {
  decideConfigureAgent,
  drainedQueues,
  emptyGatewayConfig,
  enabledAgentIds,
  evolveGatewayConfig,
  type GatewayConfig,
  heartbeatQueueOf,
  sessionPolicyOf,
} from "../../domain/gateway-config.ts"
import { specify } from "./given.ts"

const AT = 5_000

const configured = (
  agentId: string,
  extra: {
    mainKey?: string
    scope?: "per-sender" | "global"
    heartbeatSession?: string
    enabled?: boolean
  } = {},
): ConfigEvent => ({
  _tag: "AgentConfigured",
  agentId,
  enabled: extra.enabled ?? true,
  at: AT,
  ...(extra.mainKey === undefined ? {} : { mainKey: extra.mainKey }),
  ...(extra.scope === undefined ? {} : { scope: extra.scope }),
  ...(extra.heartbeatSession === undefined ? {} : { heartbeatSession: extra.heartbeatSession }),
})

const fold = (events: ReadonlyArray<ConfigEvent>): GatewayConfig =>
  events.reduce(evolveGatewayConfig, emptyGatewayConfig)

/** given(config events).when(configure command).then(expected events) */
const given = specify({
  decide: decideConfigureAgent,
  evolve: evolveGatewayConfig,
  initialState: () => emptyGatewayConfig,
})

describe("decideConfigureAgent", () => {
  it("records a new agent, its id normalized, enabled by default, absent settings omitted", () => {
    given([])
      .when({ agentId: " Ops ", at: AT })
      .then([configured("ops")])
  })

  it("records every setting given", () => {
    given([])
      .when({
        agentId: "ops",
        mainKey: "Work",
        scope: "global",
        heartbeatSession: "alerts",
        enabled: false,
        at: AT,
      })
      .then([
        configured("ops", { mainKey: "Work", scope: "global", heartbeatSession: "alerts", enabled: false }),
      ])
  })

  it("records nothing when the config is already in force", () => {
    given([configured("ops", { mainKey: "work" })])
      .when({ agentId: "OPS", mainKey: "work", at: AT + 1 })
      .then([])
  })

  it("records a change", () => {
    given([configured("ops", { mainKey: "work" })])
      .when({ agentId: "ops", mainKey: "work", scope: "global", at: AT })
      .then([configured("ops", { mainKey: "work", scope: "global" })])
  })

  it("replaces the whole config: a setting left out is unset", () => {
    given([configured("ops", { mainKey: "work", heartbeatSession: "alerts" })])
      .when({ agentId: "ops", mainKey: "work", at: AT })
      .then([configured("ops", { mainKey: "work" })])
  })

  it("records disabling an agent", () => {
    given([configured("ops")])
      .when({ agentId: "ops", enabled: false, at: AT })
      .then([configured("ops", { enabled: false })])
  })
})

describe("evolveGatewayConfig and what it answers", () => {
  const config = fold([
    configured("ops", { mainKey: "Work" }),
    configured("billing", { scope: "global" }),
    configured("idle", { enabled: false }),
    configured("ops", { mainKey: "Work", heartbeatSession: "alerts" }),
  ])

  it("keeps the latest config of each agent", () => {
    expect(config.agents.get("ops")).toStrictEqual({
      agentId: "ops",
      mainKey: "Work",
      scope: undefined,
      heartbeatSession: "alerts",
      enabled: true,
    })
    expect(config.agents.size).toBe(3)
  })

  it("does not change the state it evolves", () => {
    const before = fold([configured("ops")])
    evolveGatewayConfig(before, configured("billing"))
    expect([...before.agents.keys()]).toEqual(["ops"])
  })

  it("sessionPolicyOf: the policy a source snapshots, looked up by normalized id; defaults when unknown", () => {
    expect(sessionPolicyOf(config, " OPS ")).toStrictEqual({ mainKey: "Work" })
    expect(sessionPolicyOf(config, "billing")).toStrictEqual({ scope: "global" })
    expect(sessionPolicyOf(config, "nobody")).toStrictEqual({})
  })

  it("enabledAgentIds: only enabled agents", () => {
    expect(enabledAgentIds(config)).toEqual(["ops", "billing"])
  })

  it("heartbeatQueueOf: the queue the agent's heartbeat runs on", () => {
    const ops = config.agents.get("ops")!
    const billing = config.agents.get("billing")!
    expect(heartbeatQueueOf(ops)).toBe("agent:ops:alerts")
    expect(heartbeatQueueOf(ops, "main")).toBe("agent:ops:work")
    expect(heartbeatQueueOf(ops, "agent:ops:cron:nightly:run:r1")).toBe("agent:ops:work")
    expect(heartbeatQueueOf(billing)).toBe("global")
    expect(heartbeatQueueOf(billing, "agent:billing:incident")).toBe("global")
  })

  it("drainedQueues: each queue with the enabled agents whose scheduled heartbeat drains it", () => {
    expect(drainedQueues(config)).toStrictEqual(
      new Map([
        ["agent:ops:alerts", ["ops"]],
        ["global", ["billing"]],
      ]),
    )
  })

  it("drainedQueues: in global scope several agents drain the one global queue", () => {
    const shared = fold([
      configured("a", { scope: "global" }),
      configured("b", { scope: "global" }),
      configured("c"),
    ])
    expect(drainedQueues(shared)).toStrictEqual(
      new Map([
        ["global", ["a", "b"]],
        ["agent:c:main", ["c"]],
      ]),
    )
  })
})
