/**
 * The import's size rule (line-limits.ts) must be a true bound: whatever a line holds —
 * characters that lower-case longer (İ), escapes, astral characters — no event recording it
 * produces is larger than the bound computed for the line. Checked by recording random files
 * through the real ledger and measuring every stored event.
 */
import { Effect, Stream } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { SWEEP_PART_MAX_BYTES } from "../../domain/retention.ts"
import { eventSizeBound, OVERHEAD_BYTES } from "../../infrastructure/cli/import/line-limits.ts"
import { parseImport } from "../../infrastructure/cli/import/parse-file.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { importInProcess } from "./import-in-process.ts"

const RUNS = Number(process.env.HBL_SIZE_BOUND_RUNS ?? 60)

/** Characters that grow: lower-casing (İ → i̇, Ⱥ → ⱥ), JSON escapes, astral pairs, whitespace. */
const nasty = fc.string({
  unit: fc.constantFrom("a", "Z", "İ", "Ⱥ", '"', "\\", "\u0001", "\n", " ", "😀", ":", "é"),
  maxLength: 2000,
  size: "max",
})
const word = fc.string({
  unit: fc.constantFrom("a", "B", "İ", "Ⱥ", "-", "_", "ü"),
  minLength: 1,
  maxLength: 40,
})

const sessionKey = fc.oneof(
  fc.tuple(word, word, word).map(([a, j, r]) => `agent:${a}:cron:${j}:run:${r}`),
  fc.tuple(word, word).map(([a, m]) => `agent:${a}:${m}`),
  fc.tuple(word, word).map(([a, h]) => `agent:${a}:hook:${h}:1`),
  nasty,
)
const policy = fc.record(
  { mainKey: word, scope: fc.constantFrom("per-sender", "global") },
  { requiredKeys: [] },
)

const sourceLine = fc.oneof(
  fc.record({ source: fc.constant("hook"), sessionKey, policy, name: word, text: nasty }),
  fc.record({ source: fc.constant("cron"), sessionKey, policy, jobId: word, text: nasty }),
  fc.record({ source: fc.constant("task"), sessionKey, policy, taskId: word, text: nasty }),
  fc.record({ source: fc.constant("exec-notice"), sessionKey, policy, text: nasty, contextKey: nasty }),
  fc.record({
    source: fc.constant("exec-exit"),
    sessionKey,
    policy,
    processId: word,
    exitCode: fc.integer({ min: 0, max: 2 }),
    output: nasty,
  }),
  fc.record({
    source: fc.constant("acp-relay"),
    sessionKey,
    policy,
    runId: word,
    label: word,
    phase: fc.constantFrom("start", "progress", "error"),
    snippet: nasty,
  }),
  fc.record({
    source: fc.constant("cli-watchdog"),
    sessionKey,
    policy,
    provider: word,
    seconds: fc.integer({ min: 0, max: 999 }),
    hint: nasty,
  }),
  fc.record({
    source: fc.constant("node-event"),
    policy,
    event: fc.constantFrom("exec.started", "exec.denied", "exec.finished"),
    nodeId: word,
    runId: word,
    command: nasty,
    reason: nasty,
    exitCode: fc.constant(1),
    output: nasty,
  }),
  fc.record({ source: fc.constant("api"), sessionKey, text: nasty, contextKey: nasty }),
)
const configLine = fc.record({
  kind: fc.constant("config"),
  agentId: word,
  mainKey: word,
  heartbeatSession: sessionKey,
})
const heartbeatLine = fc.record(
  { source: fc.constant("heartbeat"), agentId: word, sessionKey, reason: nasty },
  { requiredKeys: ["source"] },
)
const anyLine = fc.oneof(
  { weight: 6, arbitrary: sourceLine },
  { weight: 1, arbitrary: configLine },
  { weight: 2, arbitrary: heartbeatLine },
)
const file = fc
  .array(anyLine, { minLength: 1, maxLength: 25 })
  .map((lines) => [...lines, { source: "prune", retention: "1m", force: true }])
  .map((lines) =>
    lines.map((line, index) =>
      JSON.stringify({ at: new Date(Date.UTC(2025, 5, 2) + index * 3_600_000).toISOString(), ...line }),
    ),
  )

describe("the import's event size bound", () => {
  it("is never exceeded by what recording a line stores", async () => {
    await fc.assert(
      fc.asyncProperty(file, async (rows) => {
        const content = Buffer.from(rows.join("\n"))
        const parsed = parseImport("random", content)
        expect(parsed.errors).toEqual([])
        const bounds = new Map(
          parsed.lines.map(({ line }) => [line, eventSizeBound(JSON.parse(rows[line - 1] as string)).bound]),
        )
        const kinds = new Map(
          parsed.lines.map(({ line }) => [
            line,
            JSON.parse(rows[line - 1] as string) as Record<string, unknown>,
          ]),
        )
        const largest = (pick: (line: Record<string, unknown>) => boolean) =>
          Math.max(0, ...[...kinds].filter(([, line]) => pick(line)).map(([n]) => bounds.get(n) ?? 0))
        const maxConfig = largest((line) => line.kind === "config")
        const maxSource = largest(
          (line) => line.kind === undefined && line.source !== "heartbeat" && line.source !== "prune",
        )

        const store = makeMemoryEventStore({ now: () => 0 })
        const { lineOfMarker } = await importInProcess(store, content)
        const records = await Effect.runPromise(Stream.runCollect(store.readAll()))
        // A line's events are one append, its marker first: each record belongs to the last marker.
        let line = 0
        for (const record of records) {
          line = lineOfMarker.get(record.id) ?? line
          expect(line, `${record.type} belongs to a line`).toBeGreaterThan(0)
          const bytes = Buffer.byteLength(JSON.stringify(record.data), "utf8")
          const source = kinds.get(line)?.source
          // A heartbeat's queue may be a configured heartbeatSession; a sweep's events name the
          // queues source lines made, and its parts are bounded by the split.
          const bound =
            source === "heartbeat"
              ? (bounds.get(line) ?? 0) + maxConfig
              : source === "prune"
                ? Math.max(maxSource, OVERHEAD_BYTES + SWEEP_PART_MAX_BYTES)
                : (bounds.get(line) ?? 0)
          expect(bytes, `${record.type} of line ${line}`).toBeLessThanOrEqual(bound)
        }
      }),
      // No shrinking: a counterexample of kilobyte strings takes minutes to shrink.
      { numRuns: RUNS, endOnFailure: true },
    )
  }, 120_000)
})
