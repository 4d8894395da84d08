/** Generators shared by the oracle tests of areas 4–6: sources, retention, the reply turn. */
import fc from "fast-check"

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
