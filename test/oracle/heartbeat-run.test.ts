/**
 * The heartbeat run's event selection: which pending events a run inspects, shows and consumes,
 * given its wake. Random events go into the release's real queue; the release's own
 * `resolveHeartbeatPreflight`, `resolveHeartbeatRunPrompt` and `selectSystemEventsConsumedByHeartbeat`
 * (module-private in the runner's chunk: see internal.ts) decide on them for a random wake
 * (source, reason). Then, in `runHeartbeatOnce`'s order, the run's agent turn drains the queue
 * as a reply turn does (the release's `drainFormattedSystemEvents`, which `getReplyFromConfig`
 * calls for heartbeat turns too) and the runner consumes its selection
 * (`consumeSelectedSystemEventEntries`). Our `planHeartbeatRun` gets the same queue and wake:
 * whether the run inspects, its prompt kind, what it selects and what stays queued must be
 * equal. Composing the steps is ours (read from the runner); the rest of `runHeartbeatOnce`
 * (delivery, the model's reply) needs a full agent runtime and is not driven.
 */
import { join } from "node:path"
import fc from "fast-check"
import { expect, it } from "vitest"
import { planHeartbeatRun } from "../../domain/heartbeat.ts"
import { WAKE_SOURCES } from "./arbitraries.ts"
import { describeOracle } from "./describe-oracle.ts"
import { loadOracleInternals } from "./internal.ts"
import { loadOracleModule } from "./load.ts"
import { assertDifferential, oracleRuns } from "./oracle-runs.ts"
import type {
  OracleEntry,
  OracleReplyTurn as ReplyTurn,
  OracleSystemEvents as SystemEvents,
} from "./release-modules.ts"
import { PINNED_RELEASES, releaseInstallDir } from "./releases.ts"
import { awkwardText } from "./source-arbitraries.ts"

type Entry = OracleEntry
interface Preflight {
  readonly shouldInspectPendingEvents: boolean
  readonly pendingEventEntries: ReadonlyArray<Entry>
}
interface Runner {
  resolveHeartbeatPreflight(params: {
    cfg: unknown
    agentId: string
    heartbeat: undefined
    forcedSessionKey: undefined
    source: string | undefined
    reason: string | undefined
    nowMs: number
  }): Promise<Preflight>
  resolveHeartbeatRunPrompt(params: {
    cfg: unknown
    heartbeat: undefined
    preflight: Preflight
    canRelayToUser: boolean
    workspaceDir: string
    startedAt: number
    dueTasks: ReadonlyArray<never>
    heartbeatFileContent: undefined
    useHeartbeatResponseTool: boolean
  }): { readonly hasExecCompletion: boolean; readonly hasCronEvents: boolean }
  selectSystemEventsConsumedByHeartbeat(params: {
    preflight: Preflight
    hasExecCompletion: boolean
    hasCronEvents: boolean
  }): ReadonlyArray<Entry>
}

const HEARTBEAT_RUN_RUNS = oracleRuns(300)
const SESSION = "agent:main:main"

const eventArb = fc.record({
  text: fc.oneof(
    awkwardText(),
    fc.constantFrom(
      "Exec completed (amber-at, code 0) :: done",
      "Exec failed (calm-ott, signal SIGKILL)",
      "exec finished (node=n1 id=r1, code 2)",
      "Nightly report ready",
      "Exec finished weekly backup checks",
      "HEARTBEAT_OK",
      "heartbeat wake requested",
      "Cron: reason periodic",
      "Read HEARTBEAT.md if it exists",
    ),
  ),
  contextKey: fc.constantFrom(undefined, "cron:nightly", "cron:", " cron:j", "CRON:j", "exec:r1", "acp:s"),
})
const wakeArb = fc.record({
  source: fc.constantFrom(undefined, ...WAKE_SOURCES, "notifications-event", "background-task"),
  reason: fc.constantFrom(
    undefined,
    "",
    "interval",
    "requested",
    "exec-event",
    " exec-event ",
    "cron:nightly",
    "cron:",
    "wake",
    " wake",
    "hook:gmail",
    "acp:spawn:s1",
    "manual",
    "exec:r1:exit",
  ),
})

const promptOf = (run: { hasExecCompletion: boolean; hasCronEvents: boolean }, consumed: number) =>
  run.hasExecCompletion ? "exec" : run.hasCronEvents ? "cron" : consumed > 0 ? "plain" : "empty"

describeOracle("oracle: the heartbeat run's event selection", () => {
  for (const version of PINNED_RELEASES) {
    it(`inspects, shows and consumes for a wake as openclaw@${version} does`, async () => {
      const events = await loadOracleModule<SystemEvents>(version, "src/infra/system-events.ts")
      const turn = await loadOracleModule<ReplyTurn>(version, "src/auto-reply/reply/session-system-events.ts")
      const runner = await loadOracleInternals<Runner>(version, "src/infra/heartbeat-runner.ts", [
        "resolveHeartbeatPreflight",
        "resolveHeartbeatRunPrompt",
        "selectSystemEventsConsumedByHeartbeat",
      ])
      // A workspace without HEARTBEAT.md: the preflight's file gate finds nothing and passes.
      const workspaceDir = join(releaseInstallDir(version), "no-such-workspace")
      const cfg = { agents: { defaults: { workspace: workspaceDir } } }
      try {
        await assertDifferential(
          `heartbeat run vs openclaw@${version}`,
          fc.asyncProperty(fc.array(eventArb, { maxLength: 12 }), wakeArb, async (batch, wake) => {
            events.resetSystemEventsForTest()
            for (const event of batch) {
              events.enqueueSystemEvent(event.text, {
                sessionKey: SESSION,
                ...(event.contextKey === undefined ? {} : { contextKey: event.contextKey }),
              })
            }
            const pending = events.peekSystemEventEntries(SESSION)
            const preflight = await runner.resolveHeartbeatPreflight({
              cfg,
              agentId: "main",
              heartbeat: undefined,
              forcedSessionKey: undefined,
              source: wake.source,
              reason: wake.reason,
              nowMs: 0,
            })
            const run = runner.resolveHeartbeatRunPrompt({
              cfg,
              heartbeat: undefined,
              preflight,
              canRelayToUser: false,
              workspaceDir,
              startedAt: 0,
              dueTasks: [],
              heartbeatFileContent: undefined,
              useHeartbeatResponseTool: false,
            })
            const consumed = runner.selectSystemEventsConsumedByHeartbeat({
              preflight,
              hasExecCompletion: run.hasExecCompletion,
              hasCronEvents: run.hasCronEvents,
            })
            await turn.drainFormattedSystemEvents({
              cfg,
              sessionKey: SESSION,
              isMainSession: false,
              isNewSession: false,
            })
            events.consumeSelectedSystemEventEntries(SESSION, consumed)
            const ours = planHeartbeatRun(
              wake,
              pending.map((entry, index) => ({
                text: entry.text,
                contextKey: entry.contextKey ?? undefined,
                index,
              })),
            )
            expect(ours.inspects).toBe(preflight.shouldInspectPendingEvents)
            expect(ours.prompt).toBe(promptOf(run, consumed.length))
            // By position: the release selects from the entries its preflight peeked.
            expect(ours.shown.map((event) => event.index)).toEqual(
              consumed.map((entry) => preflight.pendingEventEntries.indexOf(entry)),
            )
            const kept = pending.filter((_, index) => !ours.consumed.some((event) => event.index === index))
            expect(events.peekSystemEventEntries(SESSION)).toEqual(kept)
          }),
          HEARTBEAT_RUN_RUNS,
        )
      } finally {
        events.resetSystemEventsForTest()
      }
    })
  }
})
