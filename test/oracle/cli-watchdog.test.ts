/**
 * Area 4, the CLI runner's no-output watchdog. The release's `executePreparedCliRun` (the CLI
 * runner's entry point, given a prepared backend we build: a shell that sleeps without output)
 * runs a real child process under its real supervisor, whose no-output timer we let fire under
 * fake timers. What it enqueues and whom it wakes must be what our `cliWatchdogEmission` says
 * for the same provider, session, policy and no-output timeout.
 */
import fc from "fast-check"
import { expect, it, vi } from "vitest"
import type { RoutingName } from "../../domain/routing.ts"
import { cliWatchdogEmission } from "../../domain/sources.ts"
import {
  addedEntries,
  captureRelease,
  expectedOf,
  seenEntries,
  useOracleStateDir,
  wantedEntry,
} from "./capture.ts"
import { describeOracle } from "./describe-oracle.ts"
import { loadOracleModule } from "./load.ts"
import { assertDifferential, oracleRuns } from "./oracle-runs.ts"
import { FIXED_RELEASE, LEGACY_RELEASE } from "./releases.ts"
import { originArb, policyArb } from "./source-arbitraries.ts"

const stateDir = useOracleStateDir("cli-watchdog")

interface CliRunner {
  executePreparedCliRun(context: object, cliSessionId?: string): Promise<unknown>
}

const CLI_RUNS = oracleRuns(25)
const realSetTimeout = globalThis.setTimeout
const realDelay = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms))

const caseArb = fc.record({
  provider: fc.constantFrom("claude-cli", "codex", "my cli", "Ω-cli"),
  sessionKey: originArb,
  policy: policyArb,
  noOutputTimeoutMs: fc.constantFrom(1000, 1499, 1500, 90_000, 299_700),
})

for (const [version, routing] of [
  [FIXED_RELEASE, "fixed"],
  [LEGACY_RELEASE, "legacy"],
] as ReadonlyArray<readonly [string, RoutingName]>) {
  describeOracle("oracle: the CLI runner's no-output watchdog", () => {
    it(`enqueues and wakes as openclaw@${version}'s CLI runner does`, async () => {
      const capture = await captureRelease(version)
      const { executePreparedCliRun } = await loadOracleModule<CliRunner>(
        version,
        "src/agents/cli-runner/execute.ts",
      )
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] })
      try {
        await assertDifferential(
          `CLI watchdog vs openclaw@${version}`,
          fc.asyncProperty(caseArb, async (drawn) => {
            capture.reset()
            const before = capture.queues()
            const run = executePreparedCliRun({
              params: {
                prompt: "hello",
                provider: drawn.provider,
                sessionKey: drawn.sessionKey,
                sessionId: "s1",
                runId: `run-${Math.random()}`,
                timeoutMs: 3_600_000,
                config: { session: { mainKey: drawn.policy.mainKey, scope: drawn.policy.scope } },
              },
              preparedBackend: {
                backend: {
                  command: "sh",
                  args: ["-c", "sleep 30", "cli"],
                  output: "text",
                  input: "stdin",
                  reliability: { watchdog: { fresh: { noOutputTimeoutMs: drawn.noOutputTimeoutMs } } },
                },
                env: {},
              },
              backendResolved: { id: "oracle-cli" },
              workspaceDir: stateDir,
              modelId: "m",
              normalizedModel: "m",
              reusableCliSession: {},
            }).then(
              () => "finished",
              (error: unknown) => (error instanceof Error ? error.message : String(error)),
            )
            // The child is real: give it time to spawn, then let the silent stretch pass.
            let settled: string | undefined
            void run.then((value) => {
              settled = value
            })
            for (let tries = 0; settled === undefined && tries < 200; tries += 1) {
              await realDelay(10)
              await vi.advanceTimersByTimeAsync(drawn.noOutputTimeoutMs)
            }
            expect(await run).toMatch(/produced no output/)
            const added = addedEntries(before, capture.queues())
            const wakes = await capture.flushWakes(300)

            const emission = cliWatchdogEmission({
              sessionKey: drawn.sessionKey,
              provider: drawn.provider,
              seconds: drawn.noOutputTimeoutMs / 1000,
            })
            const expected = expectedOf(
              emission,
              drawn.policy.mainKey,
              drawn.policy.scope,
              undefined,
              routing,
            )
            expect(seenEntries(added)).toEqual([wantedEntry(expected)])
            expect(wakes).toEqual([expected.wake])
          }),
          CLI_RUNS,
        )
      } finally {
        vi.useRealTimers()
        capture.reset()
        capture.dispose()
      }
    })
  })
}
