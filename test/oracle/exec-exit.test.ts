/**
 * Area 4, exec exit notifications. The smallest real entry point that produces the enqueue is
 * the release's `runExecProcess` (the notification itself, `maybeNotifyOnExit`, runs inside its
 * exit handler): it runs a real shell command under the release's process supervisor. Each case
 * runs one — printing random output, then exiting with a code, killing itself with a signal,
 * outliving its timeout or being cancelled by hand — backgrounded or not, with random notify
 * flags, session keys, policies and delivery contexts. Our `execExitEmission` gets what the
 * source knew at exit (its id, exit code, signal, reason and captured output tail); the entry the
 * release enqueued and the wake it sent must be what our model says: 2026.5.12 under our fixed
 * routing, 2026.5.7 under our legacy one.
 */
import fc from "fast-check"
import { expect, it } from "vitest"
import type { RoutingName } from "../../domain/routing.ts"
import { type ExecExit, type ExecExitReason, execExitEmission } from "../../domain/sources.ts"
import { addedEntries, captureRelease, expectedOf, seenEntries, wantedEntry } from "./capture.ts"
import { describeOracle } from "./describe-oracle.ts"
import { loadOracleModule } from "./load.ts"
import { assertDifferential, oracleRuns } from "./oracle-runs.ts"
import { FIXED_RELEASE, LEGACY_RELEASE } from "./releases.ts"
import { awkwardText, originArb, policyArb } from "./source-arbitraries.ts"

interface ExecSession {
  id: string
  backgrounded: boolean
  tail: string
  aggregated: string
  exitCode?: number | null
  exitSignal?: string | number | null
  exitReason?: string
}
interface ExecRuntime {
  runExecProcess(
    opts: Record<string, unknown>,
  ): Promise<{ session: ExecSession; promise: Promise<unknown>; kill(): void }>
}
interface DeliveryContexts {
  normalizeDeliveryContext(context: unknown): unknown
}

const EXEC_RUNS = oracleRuns(24)

const endingArb = fc.oneof(
  fc.record({ kind: fc.constant("exit" as const), code: fc.constantFrom(0, 0, 1, 2, 126, 127) }),
  fc.record({ kind: fc.constant("signal" as const), signal: fc.constantFrom("TERM", "INT", "KILL") }),
  fc.record({ kind: fc.constant("timeout" as const) }),
  fc.record({ kind: fc.constant("cancel" as const) }),
)

const caseArb = fc.record({
  output: fc.oneof(
    fc.constantFrom("", "  \n ", "done"),
    awkwardText(120),
    fc.nat({ max: 120 }).map((n) => `${"line of output ".repeat(n)}tail`),
  ),
  ending: endingArb,
  sessionKey: fc.oneof(originArb, fc.constantFrom("", "  ")),
  policy: policyArb,
  backgrounded: fc.boolean(),
  notifyOnExit: fc.constantFrom(true, true, false),
  notifyOnEmptySuccess: fc.boolean(),
  deliveryContext: fc.constantFrom(undefined, { channel: "slack", to: "C1" }),
})

/** printf writes OUT as is; a NUL cannot travel in an environment variable. */
const safe = (text: string) => text.replaceAll("\u0000", "")

const commandOf = (ending: { readonly kind: string; readonly code?: number; readonly signal?: string }) => {
  const print = `printf '%s' "$OUT"`
  switch (ending.kind) {
    case "exit":
      return `${print}; exit ${ending.code}`
    case "signal":
      return `${print}; kill -${ending.signal} $$; sleep 5`
    default:
      return `${print}; sleep 5`
  }
}

const reasonOf = (reason: string | undefined): ExecExitReason | undefined =>
  reason === undefined ? undefined : (reason as ExecExitReason)

for (const [version, routing] of [
  [FIXED_RELEASE, "fixed"],
  [LEGACY_RELEASE, "legacy"],
] as ReadonlyArray<readonly [string, RoutingName]>) {
  describeOracle(`oracle: exec exit notifications of openclaw@${version}`, () => {
    it(`notify as our model says under the ${routing} routing`, async () => {
      const capture = await captureRelease(version)
      const { runExecProcess } = await loadOracleModule<ExecRuntime>(
        version,
        "src/agents/bash-tools.exec-runtime.ts",
      )
      const { normalizeDeliveryContext } = await loadOracleModule<DeliveryContexts>(
        version,
        "src/utils/delivery-context.shared.ts",
      )
      try {
        await assertDifferential(
          `exec exits vs openclaw@${version}`,
          fc.asyncProperty(caseArb, async (drawn) => {
            capture.reset()
            const output = safe(drawn.output)
            const before = capture.queues()
            const run = await runExecProcess({
              command: commandOf(drawn.ending),
              workdir: process.cwd(),
              env: { ...process.env, OUT: output },
              warnings: [],
              usePty: false,
              maxOutput: 200_000,
              pendingMaxOutput: 30_000,
              sessionKey: drawn.sessionKey,
              mainKey: drawn.policy.mainKey,
              sessionScope: drawn.policy.scope,
              notifyOnExit: drawn.notifyOnExit,
              notifyOnExitEmptySuccess: drawn.notifyOnEmptySuccess,
              notifyDeliveryContext: drawn.deliveryContext,
              ...(drawn.ending.kind === "timeout" ? { timeoutSec: 0.3 } : {}),
            })
            // The exec tool marks a run it sends to the background (markBackgrounded).
            if (drawn.backgrounded) run.session.backgrounded = true
            if (drawn.ending.kind === "cancel") {
              // Cancel once the output is in, so what it printed is what it had printed.
              for (
                let waited = 0;
                run.session.aggregated.length < output.length && waited < 2000;
                waited += 10
              ) {
                await new Promise((resolve) => setTimeout(resolve, 10))
              }
              run.kill()
            }
            await run.promise
            const added = addedEntries(before, capture.queues())
            const wakes = await capture.waitForWakes(20)

            const session = run.session
            const exit: ExecExit = {
              sessionKey: drawn.sessionKey,
              processId: session.id,
              exitCode: session.exitCode,
              signal: session.exitSignal == null ? undefined : String(session.exitSignal),
              exitReason: reasonOf(session.exitReason),
              output: session.tail || session.aggregated,
              backgrounded: drawn.backgrounded,
              notifyOnExit: drawn.notifyOnExit,
              notifyOnEmptySuccess: drawn.notifyOnEmptySuccess,
              deliveryContext: drawn.deliveryContext,
            }
            const emission = execExitEmission(exit)
            if (emission === null) {
              expect({ added, wakes }).toEqual({ added: [], wakes: [] })
              return
            }
            const expected = expectedOf(
              emission,
              drawn.policy.mainKey,
              drawn.policy.scope,
              normalizeDeliveryContext(emission.deliveryContext),
              routing,
            )
            expect(seenEntries(added)).toEqual([wantedEntry(expected)])
            expect(wakes).toEqual([expected.wake])
          }),
          EXEC_RUNS,
        )
      } finally {
        capture.reset()
        capture.dispose()
      }
    })
  })
}
