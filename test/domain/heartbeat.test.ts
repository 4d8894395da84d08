/** domain.md §5: which queue a heartbeat runs on, whom a wake runs, what a run shows and consumes. */
import { describe, expect, it } from "vitest"
import {
  type HeartbeatSessionConfig,
  isTargetedWake,
  planHeartbeatRun,
  resolveHeartbeatSession,
  resolveWakeRuns,
} from "../../domain/heartbeat.ts"
import { scopedHeartbeatWakeOptions } from "../../domain/routing.ts"

const PER_SENDER: HeartbeatSessionConfig = {}
const WORK: HeartbeatSessionConfig = { session: { mainKey: "Work" } }
const GLOBAL: HeartbeatSessionConfig = { session: { scope: "global" } }

const sessionOf = (
  cfg: HeartbeatSessionConfig,
  agentId: string | undefined,
  options: { heartbeatSession?: string; forced?: string } = {},
) =>
  resolveHeartbeatSession(
    cfg,
    agentId,
    options.heartbeatSession === undefined ? undefined : { session: options.heartbeatSession },
    options.forced,
  ).sessionKey

describe("resolveHeartbeatSession", () => {
  describe("global scope", () => {
    it("is always global: forced keys and heartbeat.session are ignored", () => {
      expect(sessionOf(GLOBAL, "ops")).toBe("global")
      expect(sessionOf(GLOBAL, "ops", { forced: "agent:ops:incident-42" })).toBe("global")
      expect(sessionOf(GLOBAL, "ops", { heartbeatSession: "alerts" })).toBe("global")
      expect(sessionOf({ session: { scope: "global", mainKey: "work" } }, undefined)).toBe("global")
    })
  })

  describe("per-sender, no forced key and no heartbeat.session", () => {
    it("is the agent's main key", () => {
      expect(sessionOf(PER_SENDER, "ops")).toBe("agent:ops:main")
      expect(sessionOf(WORK, "ops")).toBe("agent:ops:work")
      expect(sessionOf(PER_SENDER, " Ops ")).toBe("agent:ops:main")
    })

    it("is the default agent's main key without an agent", () => {
      expect(sessionOf(PER_SENDER, undefined)).toBe("agent:main:main")
    })
  })

  describe("per-sender, a forced key from a targeted wake", () => {
    it("scopes legacy keys to the agent: main → agent:<id>:main, Incident-42 → agent:<id>:incident-42", () => {
      expect(sessionOf(PER_SENDER, "ops", { forced: "main" })).toBe("agent:ops:main")
      expect(sessionOf(PER_SENDER, "ops", { forced: "Incident-42" })).toBe("agent:ops:incident-42")
      expect(sessionOf(WORK, "ops", { forced: "main" })).toBe("agent:ops:work")
    })

    it("uses a key of the same agent", () => {
      expect(sessionOf(PER_SENDER, "ops", { forced: "agent:ops:incident-42" })).toBe("agent:ops:incident-42")
      expect(sessionOf(PER_SENDER, "ops", { forced: " agent:ops:slack:channel:general " })).toBe(
        "agent:ops:slack:channel:general",
      )
    })

    it("keeps the case of a forced agent key, as queues are keyed case-preserved", () => {
      expect(sessionOf(PER_SENDER, "ops", { forced: "agent:Ops:Slack:Channel:General" })).toBe(
        "agent:Ops:Slack:Channel:General",
      )
    })

    it("takes precedence over heartbeat.session", () => {
      expect(sessionOf(PER_SENDER, "ops", { forced: "Incident-42", heartbeatSession: "alerts" })).toBe(
        "agent:ops:incident-42",
      )
    })

    it("ignores another agent's key: heartbeat.session if set, else the agent's main key", () => {
      expect(sessionOf(PER_SENDER, "ops", { forced: "agent:billing:main" })).toBe("agent:ops:main")
      expect(sessionOf(PER_SENDER, "ops", { forced: "agent:billing:main", heartbeatSession: "alerts" })).toBe(
        "agent:ops:alerts",
      )
    })

    it("falls back to main for a subagent key, even with heartbeat.session set", () => {
      expect(sessionOf(PER_SENDER, "ops", { forced: "agent:ops:subagent:worker" })).toBe("agent:ops:main")
      expect(sessionOf(PER_SENDER, "ops", { forced: "subagent:worker", heartbeatSession: "alerts" })).toBe(
        "agent:ops:main",
      )
      expect(sessionOf(WORK, "ops", { forced: "agent:ops:subagent:worker" })).toBe("agent:ops:work")
    })

    it("ignores global: heartbeat.session if set, else the agent's main key", () => {
      expect(sessionOf(PER_SENDER, "ops", { forced: "global" })).toBe("agent:ops:main")
      expect(sessionOf(PER_SENDER, "ops", { forced: " GLOBAL " })).toBe("agent:ops:main")
      expect(sessionOf(PER_SENDER, "ops", { forced: "global", heartbeatSession: "alerts" })).toBe(
        "agent:ops:alerts",
      )
    })

    it("resolves a cron-run key (or descendant) of the same agent to its main key (docs/domain-choices.md)", () => {
      expect(sessionOf(PER_SENDER, "ops", { forced: "agent:ops:cron:nightly:run:r1" })).toBe("agent:ops:main")
      expect(sessionOf(WORK, "ops", { forced: "agent:ops:cron:nightly:run:r1:thread:reply" })).toBe(
        "agent:ops:work",
      )
    })

    it("uses the durable cron job key of the same agent as given (it is not a cron run)", () => {
      expect(sessionOf(PER_SENDER, "ops", { forced: "agent:ops:cron:nightly" })).toBe(
        "agent:ops:cron:nightly",
      )
    })

    it("treats a blank forced key as none", () => {
      expect(sessionOf(PER_SENDER, "ops", { forced: "   ", heartbeatSession: "alerts" })).toBe(
        "agent:ops:alerts",
      )
    })
  })

  describe("per-sender, the agent's heartbeat.session setting", () => {
    it("is used, scoped to the agent and lower-cased", () => {
      expect(sessionOf(PER_SENDER, "ops", { heartbeatSession: "alerts" })).toBe("agent:ops:alerts")
      expect(sessionOf(PER_SENDER, "ops", { heartbeatSession: " Alerts " })).toBe("agent:ops:alerts")
      expect(sessionOf(PER_SENDER, "ops", { heartbeatSession: "agent:ops:alerts" })).toBe("agent:ops:alerts")
    })

    it.each(["main", "MAIN", "global", "Global", "subagent:w", "agent:ops:subagent:w", "   "])(
      "%j falls back to the agent's main key",
      (heartbeatSession) => {
        expect(sessionOf(WORK, "ops", { heartbeatSession })).toBe("agent:ops:work")
      },
    )

    it("of another agent falls back to the agent's main key", () => {
      expect(sessionOf(PER_SENDER, "ops", { heartbeatSession: "agent:billing:alerts" })).toBe(
        "agent:ops:main",
      )
    })
  })
})

describe("resolveWakeRuns", () => {
  const enabled = ["main", "ops", "billing"]

  it("an unscoped wake runs every enabled agent on its own queue", () => {
    expect(resolveWakeRuns({}, enabled)).toStrictEqual([
      { agentId: "main" },
      { agentId: "ops" },
      { agentId: "billing" },
    ])
    expect(resolveWakeRuns({ agentId: "  ", sessionKey: " " }, enabled)).toHaveLength(3)
  })

  it("a wake with an agentId runs only that agent", () => {
    expect(resolveWakeRuns({ agentId: " Ops " }, enabled)).toStrictEqual([
      { agentId: "ops", forcedSessionKey: undefined },
    ])
  })

  it("a wake with a sessionKey runs the agent parsed from it, forced to that key", () => {
    expect(resolveWakeRuns({ sessionKey: "agent:Ops:Incident-42" }, enabled)).toStrictEqual([
      { agentId: "ops", forcedSessionKey: "agent:Ops:Incident-42" },
    ])
  })

  it("the agentId wins over the agent of the sessionKey", () => {
    expect(resolveWakeRuns({ agentId: "billing", sessionKey: "agent:ops:main" }, enabled)).toStrictEqual([
      { agentId: "billing", forcedSessionKey: "agent:ops:main" },
    ])
  })

  it("a sessionKey that is not an agent key runs the default agent main", () => {
    expect(resolveWakeRuns({ sessionKey: "Incident-42" }, enabled)).toStrictEqual([
      { agentId: "main", forcedSessionKey: "Incident-42" },
    ])
  })

  it("isTargetedWake: an agentId or a sessionKey, not blank", () => {
    expect(isTargetedWake({})).toBe(false)
    expect(isTargetedWake({ agentId: " ", sessionKey: "" })).toBe(false)
    expect(isTargetedWake({ agentId: "ops" })).toBe(true)
    expect(isTargetedWake({ sessionKey: "agent:ops:main" })).toBe(true)
  })
})

describe("a cron-run event's wake reaches the queue it was routed to", () => {
  const RUN = "agent:ops:cron:nightly:run:r1"
  const reached = (cfg: HeartbeatSessionConfig, mainKey?: string, scope?: "per-sender" | "global") =>
    resolveWakeRuns(scopedHeartbeatWakeOptions(RUN, {}, mainKey, scope), ["main", "ops"]).map((target) =>
      sessionOf(
        cfg,
        target.agentId,
        target.forcedSessionKey === undefined ? {} : { forced: target.forcedSessionKey },
      ),
    )

  it("per-sender: the agent's main queue, and only that agent runs", () => {
    expect(reached(WORK, "Work", "per-sender")).toEqual(["agent:ops:work"])
  })

  it("global: the global queue", () => {
    expect(reached(GLOBAL, undefined, "global")).toEqual(["global"])
  })
})

describe("planHeartbeatRun", () => {
  const event = (id: string, text: string, contextKey?: string) => ({ id, text, contextKey })
  const exec1 = event("x1", "Exec completed (abc12345, code 0) :: ok")
  const exec2 = event("x2", "Exec finished (node=n1 id=r1, code 1)")
  const cron1 = event("c1", "Nightly report ready", "cron:nightly")
  const cron2 = event("c2", "Exec finished weekly backup checks", "cron:backup")
  const untaggedCron = event("u1", "Nightly report ready")
  const noise = event("n1", "HEARTBEAT_OK")
  const interval = { source: "interval", reason: "interval" }
  const execWake = { source: "exec-event", reason: "exec-event" }

  it("an empty queue shows nothing", () => {
    expect(planHeartbeatRun(execWake, [])).toStrictEqual({
      prompt: "empty",
      inspects: true,
      shown: [],
      consumed: [],
    })
  })

  it("an interval heartbeat over untagged events selects nothing; its turn drains all but exec completions", () => {
    expect(planHeartbeatRun(interval, [exec1, untaggedCron, noise])).toStrictEqual({
      prompt: "empty",
      inspects: false,
      shown: [],
      consumed: [untaggedCron, noise],
    })
  })

  it("a cron:-tagged event makes any wake inspect", () => {
    expect(planHeartbeatRun(interval, [untaggedCron, cron1]).shown).toStrictEqual([cron1])
  })

  it("exec completions first: a dedicated prompt, and only they are shown and consumed", () => {
    expect(planHeartbeatRun(execWake, [cron1, exec1, noise, exec2])).toStrictEqual({
      prompt: "exec",
      inspects: true,
      shown: [exec1, exec2],
      consumed: [cron1, exec1, noise, exec2],
    })
  })

  it("else cron events: tagged cron:, or any cron text on a cron wake", () => {
    expect(planHeartbeatRun(execWake, [noise, cron1, untaggedCron, cron2]).shown).toStrictEqual([
      cron1,
      cron2,
    ])
    expect(planHeartbeatRun({ reason: "cron:nightly" }, [noise, untaggedCron]).shown).toStrictEqual([
      untaggedCron,
    ])
  })

  it("else everything inspected", () => {
    const heartbeatWake = event("n2", "heartbeat wake requested")
    expect(
      planHeartbeatRun({ source: "hook", reason: "hook:gmail" }, [noise, heartbeatWake, untaggedCron]),
    ).toStrictEqual({
      prompt: "plain",
      inspects: true,
      shown: [noise, heartbeatWake, untaggedCron],
      consumed: [noise, heartbeatWake, untaggedCron],
    })
  })

  it("a forced decision overrides the wake and the tags", () => {
    expect(planHeartbeatRun(interval, [exec1], { inspects: true }).shown).toStrictEqual([exec1])
    expect(planHeartbeatRun(execWake, [exec1], { inspects: false }).consumed).toStrictEqual([])
  })

  it("a given source wins over the reason's", () => {
    expect(planHeartbeatRun({ source: "interval", reason: "exec-event" }, [exec1]).inspects).toBe(false)
    expect(planHeartbeatRun({ source: "manual", reason: "wake" }, [exec1]).inspects).toBe(true)
  })
})
