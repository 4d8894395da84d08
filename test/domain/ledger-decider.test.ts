/**
 * The ledger's decider, specified: given the events a log holds, when a command is decided,
 * then these writes (stream and events) and this answer. The state is built only by evolving
 * the given events, as a replay builds it.
 */
import { describe, expect, it } from "vitest"
import { compact } from "../../domain/compact.ts"
import type { LedgerEvent, Provenance, WakeRequest } from "../../domain/events.ts"
import type { LedgerCommand } from "../../domain/ledger-command.ts"
import { ledgerDecider } from "../../domain/ledger-decider.ts"
import { MissingSessionKey, type Write } from "../../domain/ledger-decision.ts"
import { execExitEmission, nodeEventEmission } from "../../domain/sources.ts"

const T = 1_700_000_000_000
const HOUR = 3_600_000
const CRON_RUN = "agent:ops:cron:nightly:run:r1"
const MAIN = "agent:ops:main"

const given = (...history: LedgerEvent[]) => {
  const state = history.reduce(ledgerDecider.evolve, ledgerDecider.initialState())
  return {
    state,
    when: (command: LedgerCommand) => {
      const decision = ledgerDecider.decide(command, state)
      return {
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the specification's shape; never awaited
        then: (writes: ReadonlyArray<Write>, result?: unknown) => {
          expect(decision.writes.filter((write) => write.events.length > 0)).toStrictEqual(writes)
          if (result !== undefined) expect(decision.result).toStrictEqual(result)
          return decision
        },
      }
    },
  }
}

const exitFrom = (sessionKey: string) =>
  execExitEmission({ sessionKey, processId: "proc-0001", exitCode: 0, output: "done", backgrounded: true })!

const nodeEvent = (event: "exec.started" | "exec.finished", runId: string) =>
  nodeEventEmission({
    event,
    nodeId: "n1",
    command: "make",
    sessionKey: MAIN,
    runId,
    exitCode: 0,
    output: "ok",
  })!

const record = (emission: ReturnType<typeof exitFrom>, eventId: string, at = T): LedgerCommand => ({
  _tag: "RecordEmission",
  emission,
  routing: "fixed",
  eventId,
  wakeId: `wake-${eventId}`,
  at,
})

const wakeOf = (emission: ReturnType<typeof exitFrom>, target: object): WakeRequest =>
  compact({ ...emission.wake, ...target })

const provenanceOf = (emission: ReturnType<typeof exitFrom>, target: object): Provenance =>
  compact({
    source: emission.source,
    origin: emission.origin,
    policy: {},
    routing: "fixed" as const,
    wake: wakeOf(emission, target),
    finishedRunId: emission.finishedRunId,
  })

const enqueuedFrom = (
  emission: ReturnType<typeof exitFrom>,
  queueKey: string,
  eventId: string,
  wake: object,
) =>
  ({
    _tag: "SystemEventEnqueued",
    queueKey,
    eventId,
    at: T,
    provenance: provenanceOf(emission, wake),
    text: emission.text,
    ...(emission.contextKey === undefined ? {} : { contextKey: emission.contextKey }),
    trusted: false,
  }) as const

/** The write of an attempt that has no queue: its rejection on the unrouted stream. */
const unroutedRejection = (eventId: string, text: string, provenance: Provenance): Write => ({
  stream: { kind: "unrouted" },
  events: [
    {
      _tag: "SystemEventRejected",
      queueKey: "",
      eventId,
      reason: "missing-session-key",
      text,
      at: T,
      provenance,
    },
  ],
})

describe("the ledger's decider", () => {
  it("routes a cron run's emission to the agent's main queue, with its wake in the same write", () => {
    const emission = exitFrom(CRON_RUN)
    const wake = wakeOf(emission, { sessionKey: MAIN })
    given()
      .when(record(emission, "e1"))
      .then(
        [
          {
            stream: { kind: "queue", queueKey: MAIN },
            events: [
              enqueuedFrom(emission, MAIN, "e1", { sessionKey: MAIN }),
              { _tag: "HeartbeatWakeRequested", wakeId: "wake-e1", ...wake, eventId: "e1", at: T },
            ],
          },
        ],
        { eventId: "e1", queueKey: MAIN, accepted: true, wake, wakeId: "wake-e1" },
      )
  })

  it("sends a node's wake only when its event was accepted", () => {
    const emission = nodeEvent("exec.started", "run-7")
    const wake = wakeOf(emission, { sessionKey: MAIN })
    const first = given()
      .when(record(emission, "e1"))
      .then([
        {
          stream: { kind: "queue", queueKey: MAIN },
          events: [
            enqueuedFrom(emission, MAIN, "e1", { sessionKey: MAIN }),
            { _tag: "HeartbeatWakeRequested", wakeId: "wake-e1", ...wake, eventId: "e1", at: T },
          ],
        },
      ])
    // The same report again: a duplicate, recorded without a wake.
    given(...first.writes.flatMap((write) => write.events))
      .when(record(emission, "e2"))
      .then(
        [
          {
            stream: { kind: "queue", queueKey: MAIN },
            events: [
              {
                _tag: "SystemEventRejected",
                queueKey: MAIN,
                eventId: "e2",
                at: T,
                provenance: provenanceOf(emission, { sessionKey: MAIN }),
                reason: "duplicate",
                text: emission.text,
                contextKey: emission.contextKey!,
              },
            ],
          },
        ],
        { eventId: "e2", queueKey: MAIN, accepted: false, rejectedBecause: "duplicate" },
      )
  })

  it("drops a node's repeated report of a run unrecorded", () => {
    const emission = nodeEvent("exec.finished", "run-7")
    const first = ledgerDecider.decide(record(emission, "e1"), ledgerDecider.initialState())
    given(...first.writes.flatMap((write) => write.events))
      .when(record(emission, "e2", T + 1_000))
      .then([], { eventId: "e2", queueKey: "", accepted: false, rejectedBecause: "repeated-run" })
  })

  it("records an emission with no queue on the unrouted stream, without its wake", () => {
    const emission = { ...exitFrom(CRON_RUN), origin: "  " }
    const { wake: _none, ...provenance } = provenanceOf(emission, {})
    given()
      .when(record(emission, "e1"))
      .then([unroutedRejection("e1", emission.text, provenance)], {
        eventId: "e1",
        queueKey: "",
        accepted: false,
      })
  })

  it("records a raw enqueue without a session key, then refuses it", () => {
    const decision = given()
      .when({ _tag: "Enqueue", text: "hello", sessionKey: " ", eventId: "e1", at: T })
      .then([unroutedRejection("e1", "hello", { source: "api", origin: " ", policy: {}, routing: "raw" })])
    expect(decision.refusal).toBeInstanceOf(MissingSessionKey)
  })

  it("runs an unscoped wake on every enabled agent, one run id each, in one decision", () => {
    const configured = (agentId: string, enabled = true): LedgerEvent => ({
      _tag: "AgentConfigured",
      agentId,
      enabled,
      at: T,
    })
    const emission = exitFrom(MAIN)
    const queued = enqueuedFrom(emission, MAIN, "e1", { sessionKey: MAIN })
    given(configured("ops"), configured("off", false), configured("dev"), queued)
      .when({ _tag: "RunHeartbeat", reason: "interval", runIds: ["r1", "r2"], at: T + 1 })
      .then([
        {
          stream: { kind: "queue", queueKey: MAIN },
          events: [
            {
              _tag: "HeartbeatRan",
              queueKey: MAIN,
              agentId: "ops",
              runId: "r1",
              reason: "interval",
              // An exec completion is left for a run that inspects; the interval run's turn keeps it.
              prompt: "empty",
              shown: [],
              consumed: [],
              at: T + 1,
            },
          ],
        },
        {
          stream: { kind: "queue", queueKey: "agent:dev:main" },
          events: [
            {
              _tag: "HeartbeatRan",
              queueKey: "agent:dev:main",
              agentId: "dev",
              runId: "r2",
              reason: "interval",
              prompt: "empty",
              shown: [],
              consumed: [],
              at: T + 1,
            },
          ],
        },
      ])
  })

  it("prunes an idle cron run's queue, spelled in any case, and records what it lost", () => {
    const spelled = "agent:ops:cron:nightly:run:R1"
    const emission = { ...exitFrom(spelled), wakeOnlyIfAccepted: false }
    const raw: LedgerEvent = {
      ...enqueuedFrom(emission, spelled, "e1", {}),
      provenance: { source: "api", origin: spelled, policy: {}, routing: "raw" },
    }
    const sweep: LedgerCommand = {
      _tag: "SweepRetention",
      retention: "1h",
      force: false,
      routing: "fixed",
      at: T + 2 * HOUR,
    }
    const swept = given(raw)
      .when(sweep)
      .then(
        [
          {
            stream: { kind: "queue", queueKey: spelled },
            events: [
              {
                _tag: "QueuePruned",
                queueKey: spelled,
                sessionKey: CRON_RUN,
                eventIds: ["e1"],
                at: T + 2 * HOUR,
              },
            ],
          },
          {
            stream: { kind: "reaper" },
            events: [
              {
                _tag: "SessionsPruned",
                retentionMs: HOUR,
                forced: false,
                sessions: [{ sessionKey: CRON_RUN, lastUpdatedAt: T, lostEventIds: ["e1"] }],
                at: T + 2 * HOUR,
              },
            ],
          },
        ],
        { outcome: "swept", prunedSessions: [CRON_RUN], lostEventIds: ["e1"] },
      )
    // The next sweep within five minutes is throttled; a disabled retention records nothing.
    const after = [raw, ...swept.writes.flatMap((write) => write.events)]
    given(...after)
      .when({ ...sweep, at: T + 2 * HOUR + 60_000 })
      .then([], { outcome: "throttled", prunedSessions: [], lostEventIds: [] })
    given(...after)
      .when({ ...sweep, retention: false })
      .then([], { outcome: "disabled", prunedSessions: [], lostEventIds: [] })
  })

  it("records a skipped wake under the normalised agent id, and a wake request as asked", () => {
    given()
      .when({
        _tag: "SkipWake",
        wakeId: "w1",
        agentId: "Data Eng",
        reason: "lanes-busy",
        retryAt: T + 1000,
        at: T,
      })
      .then([
        {
          stream: { kind: "wakes" },
          events: [
            {
              _tag: "HeartbeatWakeSkipped",
              wakeId: "w1",
              agentId: "data-eng",
              reason: "lanes-busy",
              retryAt: T + 1000,
              at: T,
            },
          ],
        },
      ])
    given()
      .when({ _tag: "RequestWake", wake: { source: "manual", reason: "manual" }, wakeId: "w2", at: T })
      .then(
        [
          {
            stream: { kind: "wakes" },
            events: [
              { _tag: "HeartbeatWakeRequested", wakeId: "w2", source: "manual", reason: "manual", at: T },
            ],
          },
        ],
        "w2",
      )
  })

  it("configuring an agent as it already is records nothing", () => {
    const configure: LedgerCommand = { _tag: "ConfigureAgent", agentId: "ops", mainKey: "home", at: T }
    const first = given()
      .when(configure)
      .then([
        {
          stream: { kind: "config" },
          events: [{ _tag: "AgentConfigured", agentId: "ops", enabled: true, at: T, mainKey: "home" }],
        },
      ])
    given(...first.writes.flatMap((write) => write.events))
      .when({ ...configure, at: T + 1 })
      .then([])
  })

  it("consumes inspected events only while they head the queue; selected ones wherever they are", () => {
    const a = enqueuedFrom(exitFrom(MAIN), MAIN, "a", { sessionKey: MAIN })
    const b = { ...a, eventId: "b", text: "second" }
    const consume = (mode: "prefix" | "selected"): LedgerCommand => ({
      _tag: "Consume",
      sessionKey: ` ${MAIN} `,
      inspected: ["b"],
      mode,
      at: T,
    })
    given(a, b).when(consume("prefix")).then([], [])
    const selected = given(a, b)
      .when(consume("selected"))
      .then([
        {
          stream: { kind: "queue", queueKey: MAIN },
          events: [{ _tag: "SystemEventsConsumed", queueKey: MAIN, eventIds: ["b"], at: T }],
        },
      ])
    expect((selected.result as ReadonlyArray<{ eventId: string }>).map((event) => event.eventId)).toEqual([
      "b",
    ])
  })
})
