/**
 * Random ledger commands for the tests that drive the decider (directly, or through the
 * command handler): a few origins (cron runs, mains, a blank one), exec and node sources whose
 * texts repeat (duplicates, repeated runs), heartbeats, drains, consumptions, sweeps, configs.
 * A step makes its command from fresh ids and the time, as the application does.
 */
import fc from "fast-check"
import type { LedgerCommand } from "../../domain/ledger-command.ts"
import type { LedgerState } from "../../domain/ledger-state.ts"
import { execExitEmission, nodeEventEmission, type SourceEmission } from "../../domain/sources.ts"

export const T0 = 1_700_000_000_000

export const ORIGINS = [
  "agent:ops:main",
  "agent:ops:cron:nightly:run:r1",
  "agent:dev:main",
  "agent:dev:cron:j:run:R2",
  "  ",
]

const emissionArb: fc.Arbitrary<SourceEmission> = fc.oneof(
  fc
    .record({ origin: fc.constantFrom(...ORIGINS), output: fc.constantFrom("ok", "done", "") })
    .map(({ origin, output }) => {
      const emission = execExitEmission({
        sessionKey: "agent:ops:main",
        processId: "proc-0001",
        exitCode: 0,
        output: output || "x",
        backgrounded: true,
      })!
      // Any origin, a blank one included: the builder refuses those, the decider must not rely on it.
      return { ...emission, origin }
    }),
  fc
    .record({
      origin: fc.constantFrom(...ORIGINS),
      event: fc.constantFrom("exec.started" as const, "exec.finished" as const),
      runId: fc.constantFrom("r1", "r2"),
    })
    .map(({ origin, event, runId }) => ({
      ...nodeEventEmission({
        event,
        nodeId: "n1",
        sessionKey: "agent:ops:main",
        runId,
        command: "make",
        exitCode: 0,
        output: "ok",
      })!,
      origin,
    })),
)

export type Step = (context: {
  readonly next: () => string
  readonly at: number
  /** The state the command will be decided on (a consumption names events it holds). */
  readonly state: LedgerState
}) => LedgerCommand

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({ emission: emissionArb, routing: fc.constantFrom("fixed" as const, "legacy" as const) })
      .map(
        ({ emission, routing }): Step =>
          ({ next, at }) => ({
            _tag: "RecordEmission",
            emission,
            routing,
            eventId: next(),
            wakeId: next(),
            at,
          }),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...ORIGINS).map(
      (sessionKey): Step =>
        ({ at }) => ({ _tag: "Drain", sessionKey, at }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("interval", "exec-event").map(
      (reason): Step =>
        ({ next, at }) => ({ _tag: "RunHeartbeat", reason, runIds: [next(), next(), next()], at }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("ops", "dev").map(
      (agentId): Step =>
        ({ at }) => ({ _tag: "ConfigureAgent", agentId, at }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ sessionKey: fc.constantFrom(...ORIGINS), text: fc.constantFrom("ping", " ", "pong") })
      .map(
        ({ sessionKey, text }): Step =>
          ({ next, at }) => ({ _tag: "Enqueue", text, sessionKey, eventId: next(), at }),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        pick: fc.nat(),
        take: fc.nat({ max: 3 }),
        mode: fc.constantFrom("prefix" as const, "selected" as const),
      })
      .map(
        ({ pick, take, mode }): Step =>
          ({ at, state }) => {
            const queues = [...state.queues.values()]
            const queue = queues[pick % Math.max(1, queues.length)]
            const ids = (queue?.events ?? []).map((event) => event.eventId)
            // A prefix, or every other event (a selection that a prefix consumption refuses).
            const inspected = pick % 2 === 0 ? ids.slice(0, take) : ids.filter((_, index) => index % 2 === 1)
            return { _tag: "Consume", sessionKey: queue?.queueKey ?? "agent:ops:main", inspected, mode, at }
          },
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("Ops", "dev").map(
      (agentId): Step =>
        ({ next, at }) => ({
          _tag: "SkipWake",
          wakeId: next(),
          agentId,
          reason: "lanes-busy",
          retryAt: at + 1_000,
          at,
        }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constant<Step>(({ next, at }) => ({
      _tag: "RequestWake",
      wake: { source: "manual", reason: "manual", agentId: "ops" },
      wakeId: next(),
      at,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constant<Step>(({ at }) => ({
      _tag: "SweepRetention",
      retention: "0",
      force: true,
      routing: "fixed",
      at,
    })),
  },
)

/** Everything a state holds, as plain data: what deciding must leave as it found it. */
export const snapshot = (state: LedgerState) =>
  JSON.stringify([
    state.config.agents.size,
    [...state.config.agents],
    [...state.queues],
    [...state.sessions],
    state.lastSweepAt,
    [...state.nodeExecFinishedRuns],
  ])
