/**
 * Area 5: retention. The release's own cron-run reaper (`sweepCronRunSessions`, module-private
 * in its chunk: see internal.ts) sweeps a real session-store file; our `parseSessionRetention`
 * and `decideSweep` decide the same sweeps. For each step of a random sequence (time passing,
 * forced or not, the retention setting changing) the outcome — throttled, disabled, or how many
 * pruned — and the sessions left in the store must be equal.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import fc from "fast-check"
import { afterAll, expect, it } from "vitest"
import { decideSweep, parseSessionRetention } from "../../domain/retention.ts"
import { isCronRunSessionKey, isLegacyCronRunSessionKey } from "../../domain/session-key.ts"
import { describeOracle } from "./describe-oracle.ts"
import { loadOracleInternals } from "./internal.ts"
import { assertDifferential, oracleRuns } from "./oracle-runs.ts"
import { FIXED_RELEASE, LEGACY_RELEASE } from "./releases.ts"
import { agentIdArb, runIdArb } from "./source-arbitraries.ts"

interface Reaper {
  sweepCronRunSessions(params: {
    cronConfig?: { sessionRetention?: unknown }
    sessionStorePath: string
    nowMs?: number
    force?: boolean
    log: { warn: () => void; info: () => void }
  }): Promise<{ swept: boolean; pruned: number }>
}

const RETENTION_RUNS = oracleRuns(100)
const HOUR = 3_600_000
const silent = { warn: () => {}, info: () => {} }
const dir = mkdtempSync(join(tmpdir(), "oracle-retention-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sessionKeyArb = fc.oneof(
  fc.tuple(agentIdArb, runIdArb).map(([a, r]) => `agent:${a}:cron:nightly:run:${r}`),
  fc
    .tuple(agentIdArb, runIdArb, fc.constantFrom("subagent:w", "thread:t"))
    .map(([a, r, d]) => `agent:${a}:cron:job:run:${r}:${d}`),
  fc.constantFrom(
    "agent:ops:cron:nightly",
    "agent:ops:main",
    "agent:main:slack:cron:j:run:x",
    "cron:j:run:x",
    "AGENT:Ops:Cron:J:Run:R9",
    "global",
  ),
)

const retentionArb = fc.oneof(
  fc.constantFrom(
    undefined,
    false,
    true,
    "",
    "  ",
    "24h",
    "0",
    "0h",
    "1h30m",
    "2w",
    "3 d",
    "-1h",
    "1.5h",
    "abc",
  ),
  fc.constantFrom(12, 0.5),
  fc
    .tuple(fc.integer({ min: 0, max: 72 }), fc.constantFrom("", "h", "m", "d", "s", "ms", "H", "30m"))
    .map(([n, unit]) => `${n}${unit}`),
)

const storeArb = fc.dictionary(
  sessionKeyArb,
  fc.record({ idleHours: fc.option(fc.integer({ min: 0, max: 24 * 10 }), { nil: undefined }) }),
  { maxKeys: 12 },
)

const stepArb = fc.record({
  advanceMs: fc.constantFrom(0, 60_000, 299_999, 300_000, 3 * HOUR),
  force: fc.boolean(),
  retention: retentionArb,
})

let caseNumber = 0
const BASE_NOW = Date.now()

for (const [version, isCronRun] of [
  [FIXED_RELEASE, isCronRunSessionKey],
  [LEGACY_RELEASE, isLegacyCronRunSessionKey],
] as const) {
  describeOracle(`oracle: the cron-run reaper of openclaw@${version}`, () => {
    it("prunes and throttles as our retention rules decide", async () => {
      const reaper = await loadOracleInternals<Reaper>(version, "src/cron/session-reaper.ts", [
        "sweepCronRunSessions",
      ])
      await assertDifferential(
        `retention vs openclaw@${version}`,
        fc.asyncProperty(
          storeArb,
          fc.integer({ min: 0, max: 2 * 24 }),
          fc.array(stepArb, { minLength: 1, maxLength: 4 }),
          async (sessions, startHours, steps) => {
            const storePath = join(dir, `sessions-${caseNumber++}.json`)
            // Near the real clock: the store's own maintenance (not the reaper) drops entries
            // idle for weeks by the real time, which would blur the comparison.
            let now = BASE_NOW - startHours * HOUR
            const store: Record<string, { sessionId: string; updatedAt?: number }> = {}
            Object.entries(sessions).forEach(([key, { idleHours }], index) => {
              store[key] = {
                sessionId: `s${index}`,
                ...(idleHours === undefined ? {} : { updatedAt: now - idleHours * HOUR }),
              }
            })
            writeFileSync(storePath, JSON.stringify(store))
            let ours = new Map(Object.entries(store).map(([key, entry]) => [key, entry.updatedAt ?? 0]))
            let lastSweepAt: number | undefined
            for (const step of steps) {
              now += step.advanceMs
              const theirs = await reaper.sweepCronRunSessions({
                cronConfig: { sessionRetention: step.retention },
                sessionStorePath: storePath,
                nowMs: now,
                force: step.force,
                log: silent,
              })
              const decision = decideSweep(
                [...ours].map(([sessionKey, lastUpdatedAt]) => ({ sessionKey, lastUpdatedAt })),
                {
                  now,
                  retentionMs: parseSessionRetention(step.retention as string | boolean | number | undefined),
                  force: step.force,
                  lastSweepAt,
                  isCronRun,
                },
              )
              if (decision._tag !== "Throttled") lastSweepAt = now
              const expired = decision._tag === "Sweep" ? decision.expired.map((s) => s.sessionKey) : []
              ours = new Map([...ours].filter(([key]) => !expired.includes(key)))
              expect({ swept: decision._tag === "Sweep", pruned: expired.length }).toEqual(theirs)
              const left = Object.keys(JSON.parse(readFileSync(storePath, "utf8")) as object).sort()
              expect([...ours.keys()].sort()).toEqual(left)
            }
          },
        ),
        RETENTION_RUNS,
      )
    })
  })
}
