/** Generators shared by the source, relay, retention and reply-turn oracle tests. */
import fc from "fast-check"

/** Runs per property: `HEARTBEAT_LEDGER_ORACLE_SOURCE_RUNS` scales them all (1 = the CI default). */
export const runs = (ciDefault: number): number => {
  const scale = Number(process.env.HEARTBEAT_LEDGER_ORACLE_SOURCE_RUNS_SCALE ?? "1")
  return Math.max(1, Math.round(ciDefault * (Number.isFinite(scale) && scale > 0 ? scale : 1)))
}

/** Text with what trips formatters: whitespace runs, newlines, unicode, long stretches. */
export const awkwardText = (maxLength = 60): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: "grapheme", maxLength }),
    fc
      .array(
        fc.constantFrom("a", "Ω", "é", "🙂", " ", "  ", "\n", "\n\n", "\t", "x y", "[System]", "System: z"),
        {
          maxLength,
        },
      )
      .map((parts) => parts.join("")),
    fc.nat({ max: 600 }).map((n) => `${"long ".repeat(n)}end`),
  )

export const agentIdArb = fc.constantFrom("main", "ops", "data-eng", "Ops")
export const runIdArb = fc.constantFrom("r1", "run-2", "R3", "abc")

/** Origins of every shape: cron runs and their descendants, plain agent keys, sentinels, legacy. */
export const originArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(agentIdArb, fc.constantFrom("nightly", "Job"), runIdArb)
    .map(([a, j, r]) => `agent:${a}:cron:${j}:run:${r}`),
  fc
    .tuple(agentIdArb, runIdArb, fc.constantFrom("subagent:w", "thread:t1"))
    .map(([a, r, d]) => `agent:${a}:cron:nightly:run:${r}:${d}`),
  fc
    .tuple(agentIdArb, fc.constantFrom("main", "work", "slack:channel:c1", "cron:nightly"))
    .map(([a, r]) => `agent:${a}:${r}`),
  fc.constantFrom("global", "main", "incident-42", " agent:ops:main "),
)

export const policyArb = fc.record({
  mainKey: fc.constantFrom(undefined, "main", "work", "Work"),
  scope: fc.constantFrom(undefined, "per-sender" as const, "global" as const),
})

/**
 * Runs a differential property, prints its run count and time (the figures docs/conformance.md
 * quotes), and fails with fast-check's counterexample and the assertion that broke.
 */
export async function checkOracle<Ts>(name: string, property: fc.IAsyncProperty<Ts>, numRuns: number) {
  const started = performance.now()
  const details = await fc.check(property, { numRuns })
  const ms = Math.round(performance.now() - started)
  console.log(
    `${name}: ${details.numRuns} cases in ${ms} ms (seed ${details.seed})${details.failed ? " — FAILED" : ""}`,
  )
  if (details.failed) {
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)
    throw new Error(`${fc.defaultReportMessage(details)}\n\n${cause}`)
  }
}
