/**
 * Area 4, the ACP parent-stream relay as a component. The release's own
 * `startAcpSpawnParentStreamRelay` (module-private: see internal.ts) runs under fake timers,
 * fed through the release's real agent-event bus (`emitAgentEvent`), enqueueing into its real
 * queue and waking through its real scheduler; our `startAcpRelay`/`stepAcpRelay` get the same
 * start, the same child events and the same passing of time. After every step the entries the
 * release added must be the notices our model emits (text, contextKey, trust, delivery context,
 * queue key), and every wake the scheduler delivers must be the one our routing names. Our
 * drop-in's `startAcpSpawnParentStreamRelay` (what an OpenClaw caller calls: the same model on the
 * drop-in's own timers) gets the same start and events, and must add what the release added and
 * send the same wakes.
 */
import { Effect } from "effect"
import fc from "fast-check"
import { expect, it, vi } from "vitest"
import {
  type AcpRelayInput,
  type AcpRelayStart,
  acpRelayNoticeEmission,
  startAcpRelay,
  stepAcpRelay,
} from "../../domain/acp-relay.ts"
import type { RoutingName } from "../../domain/routing.ts"
import { createSystemEvents } from "../../infrastructure/openclaw/index.ts"
import {
  addedEntries,
  captureRelease,
  expectedOf,
  type OracleEntry,
  type OracleWake,
  seenEntries,
  useOracleStateDir,
} from "./capture.ts"
import { describeOracle } from "./describe-oracle.ts"
import { loadOracleInternals } from "./internal.ts"
import { loadOracleModule } from "./load.ts"
import { assertDifferential, oracleRuns } from "./oracle-runs.ts"
import { FIXED_RELEASE, LEGACY_RELEASE } from "./releases.ts"
import { awkwardText, originArb, policyArb } from "./source-arbitraries.ts"

// The relay records task progress in the release's task registry: a state folder of our own.
useOracleStateDir("acp-relay")

interface Relay {
  startAcpSpawnParentStreamRelay(params: Record<string, unknown>): { dispose(): void; notifyStarted(): void }
}
interface AgentEvents {
  emitAgentEvent(event: { runId: string; stream: string; data: Record<string, unknown> }): void
}
interface DeliveryContexts {
  normalizeDeliveryContext(context: unknown): unknown
}

const RELAY_RUNS = oracleRuns(400)
const RUN_ID = "run-1"

const settingArb = <T>(values: fc.Arbitrary<T>) => fc.option(values, { nil: undefined })
const startArb = fc.record({
  runId: fc.constantFrom(RUN_ID, RUN_ID, ` ${RUN_ID} `, "", "  "),
  parentSessionKey: fc.oneof(originArb, originArb, fc.constantFrom("", " ")),
  childSessionKey: fc.constantFrom(undefined, "agent:codex:acp:c1"),
  agentId: fc.oneof(fc.constantFrom("codex", "claude code", "  gemini\n cli ", "", " "), awkwardText(60)),
  surfaceUpdates: fc.constantFrom(undefined, true, false),
  emitStartNotice: fc.constantFrom(undefined, true, false),
  deliveryContext: fc.constantFrom(
    undefined,
    { channel: "slack", to: "C1" },
    { channel: "telegram", to: "42", threadId: "7" },
  ),
  streamFlushMs: settingArb(fc.constantFrom(0, 1, 500, 2500.7, -5, Number.NaN)),
  noOutputNoticeMs: settingArb(fc.constantFrom(0, 1000, 5000, 60_000)),
  noOutputPollMs: settingArb(fc.constantFrom(0, 250, 1000, 15_000)),
  maxRelayLifetimeMs: settingArb(fc.constantFrom(0, 1500, 30_000, 200_000)),
})

type Step =
  | { readonly kind: "advance"; readonly ms: number }
  | { readonly kind: "assistant"; readonly runId: string; readonly data: Record<string, unknown> }
  | { readonly kind: "lifecycle"; readonly runId: string; readonly data: Record<string, unknown> }
  | { readonly kind: "notifyStarted" }
  | { readonly kind: "dispose" }
  /** A heartbeat drained every queue: a repeated notice is then seen, not refused as a duplicate. */
  | { readonly kind: "drain" }

const otherRun = fc.constantFrom(RUN_ID, RUN_ID, RUN_ID, "other-run")
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.constantFrom(0, 1, 250, 1000, 2499, 2500, 5000, 15_000, 60_000, 100_000),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("assistant" as const),
      runId: otherRun,
      data: fc.record(
        {
          delta: fc.oneof(
            awkwardText(120),
            fc.constantFrom("para one\n\nnext", "", "   ", 42),
            fc.nat({ max: 300 }).map((n) => "w".repeat(n)),
          ),
          text: fc.constantFrom("fallback text", ""),
          phase: fc.constantFrom("commentary", "final_answer", "other", undefined),
        },
        { requiredKeys: [] },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("lifecycle" as const),
      runId: otherRun,
      data: fc.record(
        {
          phase: fc.constantFrom("end", "error", " end ", "start", "END"),
          startedAt: fc.constantFrom(1000, 0, "x"),
          endedAt: fc.constantFrom(1000, 1499, 1500, 61_000, 0),
          error: fc.oneof(awkwardText(300), fc.constantFrom("boom", "  ", 7)),
        },
        { requiredKeys: ["phase"] },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "notifyStarted" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "dispose" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "drain" as const }) },
)

for (const [version, routing] of [
  [FIXED_RELEASE, "fixed"],
  [LEGACY_RELEASE, "legacy"],
] as ReadonlyArray<readonly [string, RoutingName]>) {
  describeOracle("oracle: the ACP parent-stream relay", () => {
    it(`relays a child's stream as openclaw@${version}'s relay does, under fake timers`, async () => {
      const capture = await captureRelease(version)
      const { startAcpSpawnParentStreamRelay } = await loadOracleInternals<Relay>(
        version,
        "src/agents/acp-spawn-parent-stream.ts",
        ["startAcpSpawnParentStreamRelay"],
      )
      const { emitAgentEvent } = await loadOracleModule<AgentEvents>(version, "src/infra/agent-events.ts")
      const { normalizeDeliveryContext } = await loadOracleModule<DeliveryContexts>(
        version,
        "src/utils/delivery-context.shared.ts",
      )
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] })
      try {
        await assertDifferential(
          `ACP relay vs openclaw@${version}`,
          fc.asyncProperty(
            startArb,
            policyArb,
            fc.array(stepArb, { maxLength: 25 }),
            async (params, policy, steps) => {
              capture.reset()
              vi.setSystemTime(Date.UTC(2026, 4, 12))
              const wakes: OracleWake[] = []
              let notified = 0
              let state: ReturnType<typeof startAcpRelay>["state"]
              // Our drop-in (2026.5.12's: its queue is that release's, so only against it), fresh per
              // case, with a handler that records the wakes it receives.
              const ours = createSystemEvents({ routing })
              const dropIn = version === FIXED_RELEASE
              const ourWakes: OracleWake[] = []
              ours.setHeartbeatWakeHandler((wake) => {
                ourWakes.push(wake)
                return { status: "ran", durationMs: 0 }
              })
              const ourQueues = () =>
                new Map<string, OracleEntry[]>(
                  [...Effect.runSync(ours.ledger.view).queues.keys()].map((key) => [
                    key,
                    ours.peekSystemEventEntries(key),
                  ]),
                )
              let ourBefore = ourQueues()

              const compare = async (
                before: ReturnType<typeof capture.queues>,
                notices: ReturnType<typeof startAcpRelay>["notices"],
              ) => {
                const added = addedEntries(before, capture.queues())
                const expected = notices.flatMap((notice) => {
                  const emission = acpRelayNoticeEmission(state, notice)
                  return emission === null
                    ? []
                    : [
                        expectedOf(
                          emission,
                          policy.mainKey,
                          policy.scope,
                          normalizeDeliveryContext(emission.deliveryContext),
                          routing,
                        ),
                      ]
                })
                notified += expected.length
                let index = 0
                for (const want of expected) {
                  const got = added[index]
                  const entryOf = (entry: {
                    text: string
                    contextKey?: string | null
                    trusted?: boolean
                    deliveryContext?: unknown
                  }) => ({
                    text: entry.text,
                    contextKey: entry.contextKey,
                    trusted: entry.trusted,
                    deliveryContext: entry.deliveryContext,
                  })
                  if (got && got.queueKey === want.queueKey && got.entry.text === want.entry.text) {
                    expect(entryOf(got.entry)).toEqual({
                      ...want.entry,
                      deliveryContext: want.deliveryContext,
                    })
                    index += 1
                  } else {
                    // Not added: only the queue's own duplicate rule may refuse it (see node-events).
                    expect(
                      capture.probe(want),
                      `expected ${JSON.stringify(want)}, release added ${JSON.stringify(added)}`,
                    ).toBe(false)
                  }
                }
                expect(added.slice(index)).toEqual([])
                const ourAdded = dropIn ? addedEntries(ourBefore, ourQueues()) : added
                expect(
                  seenEntries(ourAdded),
                  `our drop-in's relay, release added ${JSON.stringify(added)}`,
                ).toEqual(seenEntries(added))
                wakes.push(...(await capture.flushWakes(0)))
              }

              const start: AcpRelayStart = { ...params, ...policy, at: Date.now() }
              let before = capture.queues()
              const relay = startAcpSpawnParentStreamRelay({
                ...params,
                mainKey: policy.mainKey,
                sessionScope: policy.scope,
              })
              ourBefore = ourQueues()
              const ourRelay = ours.startAcpSpawnParentStreamRelay({
                ...params,
                childSessionKey: params.childSessionKey as string,
                mainKey: policy.mainKey,
                sessionScope: policy.scope,
              })
              const started = startAcpRelay(start)
              state = started.state
              await compare(before, started.notices)

              for (const step of steps) {
                if (step.kind === "drain") {
                  capture.events.resetSystemEventsForTest()
                  ours.resetSystemEventsForTest()
                  continue
                }
                before = capture.queues()
                ourBefore = ourQueues()
                let input: AcpRelayInput
                switch (step.kind) {
                  case "advance":
                    await vi.advanceTimersByTimeAsync(step.ms)
                    input = { _tag: "Advance", to: Date.now() }
                    break
                  case "assistant":
                    emitAgentEvent({ runId: step.runId, stream: "assistant", data: step.data })
                    ourRelay.onAgentEvent({ runId: step.runId, stream: "assistant", data: step.data })
                    input = { _tag: "Assistant", runId: step.runId, ...step.data, at: Date.now() }
                    break
                  case "lifecycle":
                    emitAgentEvent({ runId: step.runId, stream: "lifecycle", data: step.data })
                    ourRelay.onAgentEvent({ runId: step.runId, stream: "lifecycle", data: step.data })
                    input = { _tag: "Lifecycle", runId: step.runId, ...step.data, at: Date.now() }
                    break
                  case "notifyStarted":
                    relay.notifyStarted()
                    ourRelay.notifyStarted()
                    input = { _tag: "NotifyStarted", at: Date.now() }
                    break
                  case "dispose":
                    relay.dispose()
                    ourRelay.dispose()
                    input = { _tag: "Dispose", at: Date.now() }
                    break
                }
                const next = stepAcpRelay(state, input)
                state = next.state
                await compare(before, next.notices)
              }
              relay.dispose()
              ourRelay.dispose()
              wakes.push(...(await capture.flushWakes(1000)))
              // How many wakes reach the handler is the scheduler's coalescing (area 3); which wake
              // it is, and that there is one exactly when a notice was enqueued, is the relay's.
              const distinct = [...new Set(wakes.map((wake) => JSON.stringify(wake)))].map((wake) =>
                JSON.parse(wake),
              )
              const origin = params.parentSessionKey.trim()
              const wanted =
                notified > 0
                  ? [
                      expectedOf(
                        {
                          source: "acp-relay",
                          origin,
                          text: "",
                          trusted: false,
                          wake: { source: "acp-spawn", reason: "acp:spawn:stream", intent: "event" },
                          wakeOnlyIfAccepted: false,
                        },
                        policy.mainKey,
                        policy.scope,
                        undefined,
                        routing,
                      ).wake,
                    ]
                  : []
              expect(distinct).toEqual(wanted)
              const ourDistinct = [...new Set(ourWakes.map((wake) => JSON.stringify(wake)))].map((wake) =>
                JSON.parse(wake),
              )
              if (dropIn) expect(ourDistinct, "our drop-in's wakes").toEqual(distinct)
              await ours.close()
            },
          ),
          RELAY_RUNS,
        )
      } finally {
        vi.useRealTimers()
        capture.reset()
        capture.dispose()
      }
    })
  })
}
