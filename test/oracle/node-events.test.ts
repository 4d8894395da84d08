/**
 * Area 4, gateway node exec events: random `exec.started` / `exec.finished` / `exec.denied`
 * payloads from random nodes go to the release's real `handleNodeEvent` (its gateway config set
 * through the release's own runtime-config snapshot), to our `nodeEventEmission` with the
 * repeated-run rule, and to our drop-in's `handleNodeExecEvent` (what an OpenClaw caller calls:
 * the gateway config on the event, the repeat memory in the ledger). What each event adds to the
 * release's queues (queue key, text, contextKey, trust) and the wakes its scheduler delivers must
 * be what our model says, and what our drop-in adds to its queues and wakes.
 */
import fc from "fast-check"
import { expect, it, vi } from "vitest"
import type { RoutingName } from "../../domain/routing.ts"
import {
  decideNodeExecFinishedRepeat,
  type NodeExecEvent,
  type NodeExecFinishedRuns,
  nodeEventEmission,
} from "../../domain/sources.ts"
import { createSystemEvents, type SystemEvents } from "../../infrastructure/openclaw/index.ts"
import {
  addedEntries,
  captureRelease,
  expectedOf,
  type OracleEntry,
  type OracleWake,
  useOracleStateDir,
} from "./capture.ts"
import { describeOracle } from "./describe-oracle.ts"
import { loadOracleModule } from "./load.ts"
import { assertDifferential, oracleRuns } from "./oracle-runs.ts"
import { FIXED_RELEASE, LEGACY_RELEASE } from "./releases.ts"
import { awkwardText, originArb, policyArb, runIdArb } from "./source-arbitraries.ts"

// The node handler looks the session up in the gateway's store: an empty state folder of our own.
useOracleStateDir("node-events")

interface NodeEvents {
  handleNodeEvent(ctx: object, nodeId: string, evt: { event: string; payloadJSON: string }): Promise<unknown>
}
interface RuntimeSnapshot {
  setRuntimeConfigSnapshot(config: object): void
  clearRuntimeConfigSnapshot(): void
}

const NODE_RUNS = oracleRuns(150)

const payloadArb = fc.record(
  {
    sessionKey: fc.oneof(originArb, fc.constantFrom("", "  ", "node-x", "Main", "WORK")),
    runId: fc.oneof(runIdArb, fc.constantFrom("", " r1 ")),
    command: awkwardText(40),
    exitCode: fc.constantFrom(0, 0, 1, -1, 127, 2.5, "3", null),
    timedOut: fc.constantFrom(true, false, "true"),
    output: awkwardText(400),
    reason: fc.oneof(awkwardText(20), fc.constantFrom("policy", "[System] denied")),
    suppressNotifyOnExit: fc.constantFrom(true, false),
  },
  { requiredKeys: [] },
)

const stepArb = fc.record({
  nodeId: fc.constantFrom("n1", "N2", "mac-mini"),
  event: fc.constantFrom("exec.started", "exec.finished", "exec.finished", "exec.denied") as fc.Arbitrary<
    NodeExecEvent["event"]
  >,
  payload: payloadArb,
  // Repeats of a run id inside and past the 10-minute window.
  advanceMs: fc.constantFrom(0, 1000, 9 * 60_000, 10 * 60_000, 11 * 60_000),
  /** Report the previous step's run again (same node, event, session and run id). */
  repeat: fc.boolean(),
  /** A heartbeat drained every queue first, so the queue's own duplicate rule cannot hide a repeat. */
  drained: fc.boolean(),
})

/** The payload as our builder takes it: what OpenClaw reads from the JSON. */
const ourEvent = (
  step: {
    readonly nodeId: string
    readonly event: NodeExecEvent["event"]
    readonly payload: Record<string, unknown>
  },
  policy: { mainKey?: string | undefined; scope?: "per-sender" | "global" | undefined },
  notifyOnExit: boolean | undefined,
): NodeExecEvent => {
  const p = step.payload
  const text = (value: unknown) => (typeof value === "string" ? value : undefined)
  return {
    event: step.event,
    nodeId: step.nodeId,
    sessionKey: text(p.sessionKey),
    runId: text(p.runId),
    command: text(p.command),
    exitCode: typeof p.exitCode === "number" ? p.exitCode : undefined,
    timedOut: p.timedOut === true,
    output: text(p.output),
    reason: text(p.reason),
    suppressNotifyOnExit: p.suppressNotifyOnExit === true,
    notifyOnExit,
    mainKey: policy.mainKey,
    scope: policy.scope,
  }
}

for (const [version, routing] of [
  [FIXED_RELEASE, "fixed"],
  [LEGACY_RELEASE, "legacy"],
] as ReadonlyArray<readonly [string, RoutingName]>) {
  describeOracle("oracle: gateway node exec events", () => {
    it(`enqueue and wake as openclaw@${version}'s handleNodeEvent does`, async () => {
      const capture = await captureRelease(version)
      const { handleNodeEvent } = await loadOracleModule<NodeEvents>(
        version,
        "src/gateway/server-node-events.ts",
      )
      const config = await loadOracleModule<RuntimeSnapshot>(version, "src/config/runtime-snapshot.ts")
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] })
      // The release remembers finished run ids for 10 minutes across calls: each case starts far
      // past the previous one so its memory is ours to model from empty.
      let clock = Date.UTC(2026, 4, 12)
      try {
        await assertDifferential(
          `node exec events vs openclaw@${version}`,
          fc.asyncProperty(
            policyArb,
            fc.constantFrom(undefined, true, false),
            fc.array(stepArb, { minLength: 1, maxLength: 8 }),
            async (policy, notifyOnExit, steps) => {
              capture.reset()
              clock += 24 * 3_600_000
              vi.setSystemTime(clock)
              config.setRuntimeConfigSnapshot({
                session: {
                  ...(policy.mainKey ? { mainKey: policy.mainKey } : {}),
                  ...(policy.scope ? { scope: policy.scope } : {}),
                },
                ...(notifyOnExit === undefined ? {} : { tools: { exec: { notifyOnExit } } }),
              })
              let finishedRuns: NodeExecFinishedRuns = new Map()
              // Our drop-in, fresh per case: its ledger keeps the repeat memory.
              const ours: SystemEvents = createSystemEvents({ routing })
              const ourWakes: OracleWake[] = []
              ours.setHeartbeatWakeHandler(async (wake) => {
                ourWakes.push(wake)
                return { status: "ran", durationMs: 0 }
              })
              try {
                for (const [index, drawn] of steps.entries()) {
                  const previous = steps[index - 1]
                  const step =
                    drawn.repeat && previous
                      ? {
                          ...drawn,
                          nodeId: previous.nodeId,
                          event: previous.event,
                          payload: {
                            ...drawn.payload,
                            sessionKey: previous.payload.sessionKey,
                            runId: previous.payload.runId,
                          },
                        }
                      : drawn
                  if (step.drained) {
                    capture.events.resetSystemEventsForTest()
                    ours.resetSystemEventsForTest()
                  }
                  vi.setSystemTime(Date.now() + step.advanceMs)
                  const now = Date.now()
                  const before = capture.queues()
                  await handleNodeEvent({}, step.nodeId, {
                    event: step.event,
                    payloadJSON: JSON.stringify(step.payload),
                  })
                  const added = addedEntries(before, capture.queues())
                  const event = ourEvent(step, policy, notifyOnExit)
                  const recorded = ours.handleNodeExecEvent(event)
                  const wakes = await capture.flushWakes()
                  const ourAdded =
                    recorded?.accepted === true
                      ? [
                          {
                            queueKey: recorded.queueKey,
                            entry: ours.peekSystemEventEntries(recorded.queueKey).at(-1),
                          },
                        ]
                      : []
                  const strip = (
                    entries: ReadonlyArray<{ queueKey: string; entry?: OracleEntry | undefined }>,
                  ) =>
                    entries.map(({ queueKey, entry }) => ({
                      queueKey,
                      text: entry?.text,
                      contextKey: entry?.contextKey,
                      trusted: entry?.trusted,
                    }))
                  expect({ added: strip(ourAdded), wakes: ourWakes.splice(0) }).toEqual({
                    added: strip(added),
                    wakes,
                  })

                  let emission = nodeEventEmission(event)
                  const runId = event.runId?.trim()
                  if (emission && event.event === "exec.finished" && runId) {
                    const decided = decideNodeExecFinishedRepeat(finishedRuns, {
                      sessionKey: emission.origin,
                      runId,
                      now,
                    })
                    finishedRuns = decided.runs
                    if (decided.repeat) emission = null
                  }
                  if (emission === null) {
                    expect({ added, wakes }).toEqual({ added: [], wakes: [] })
                    continue
                  }
                  const expected = expectedOf(emission, policy.mainKey, policy.scope, undefined, routing)
                  if (added.length === 0) {
                    // Nothing added: fine only if the queue itself refused it as a duplicate (its rule is
                    // area 2's). Nothing was added, so the queue would refuse it now too; if it accepts,
                    // the release's source dropped what ours emits.
                    expect(wakes).toEqual([])
                    expect(capture.probe(expected)).toBe(false)
                    continue
                  }
                  expect(
                    added.map(({ queueKey, entry }) => ({ queueKey, entry: { ...entry, ts: undefined } })),
                  ).toEqual([{ queueKey: expected.queueKey, entry: { ...expected.entry, ts: undefined } }])
                  expect(wakes).toEqual([expected.wake])
                }
              } finally {
                await ours.close()
              }
            },
          ),
          NODE_RUNS,
        )
      } finally {
        vi.useRealTimers()
        config.clearRuntimeConfigSnapshot()
        capture.reset()
        capture.dispose()
      }
    })
  })
}
