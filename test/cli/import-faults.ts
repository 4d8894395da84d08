/**
 * What the import fault tests share: a generated import heavy in lines that write several
 * streams (unscoped heartbeats over six agents, sweeps of many cron-run queues, source calls
 * with wakes, repeated identical lines), the real CLI import spawned and interrupted, a resume,
 * and the store's whole log to compare with a clean import's.
 *
 * HEARTBEAT_LEDGER_IMPORT_TRIALS_SQLITE (default 100) and HEARTBEAT_LEDGER_IMPORT_TRIALS_PG
 * (default 30) set the interruption trials; HEARTBEAT_LEDGER_IMPORT_SEED replays a run.
 */
import { spawn } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, ManagedRuntime, Stream } from "effect"
import { expect } from "vitest"
import type { RecordedEvent } from "../../application/event-store.ts"
import { EventStore } from "../../application/event-store.ts"
import { LineIdCursor } from "../../infrastructure/cli/import/line-ids.ts"
import { parseImport } from "../../infrastructure/cli/import/parse-file.ts"
import { importLedgerLayer, recordImport } from "../../infrastructure/cli/import/record-import.ts"
import { layerEventStoreFromUrl } from "../../infrastructure/stores/store-layer.ts"
import { random } from "../contract/seeded-random.ts"
import { MAIN, NODE, runCli } from "./cli-harness.ts"

export const SEED = Number(process.env.HEARTBEAT_LEDGER_IMPORT_SEED ?? Date.now() % 2 ** 31)

const AGENTS = ["a0", "a1", "a2", "a3", "a4", "a5"]

/** About `blocks` × 15 lines: configs, then blocks of source calls, unscoped heartbeats and sweeps. */
export function generateImport(seed: number, blocks = 14): string {
  const next = random(seed)
  const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)] as A
  let clock = Date.parse("2025-06-02T00:00:00Z")
  const at = (stepMs: number) => {
    clock += stepMs
    return new Date(clock).toISOString().replace(".000Z", "Z")
  }
  const lines: string[] = AGENTS.map((agentId, index) =>
    JSON.stringify({ kind: "config", at: at(0), agentId, ...(index % 3 === 2 ? { scope: "global" } : {}) }),
  )
  for (let block = 0; block < blocks; block++) {
    for (let call = 0; call < 9; call++) {
      const agent = pick(AGENTS)
      const run = `agent:${agent}:cron:job${Math.floor(next() * 4)}:run:r${block}-${call}`
      const kind = next()
      if (kind < 0.4) {
        lines.push(
          JSON.stringify({
            at: at(1_000),
            source: "exec-exit",
            sessionKey: run,
            policy: {},
            processId: `p${block}${call}`,
            exitCode: Math.floor(next() * 2),
            output: `out ${Math.floor(next() * 1e6)}`,
          }),
        )
      } else if (kind < 0.7) {
        lines.push(
          JSON.stringify({
            at: at(1_000),
            source: "cron",
            sessionKey: run,
            policy: {},
            jobId: "j",
            text: "tick",
          }),
        )
      } else {
        // The same hook line twice: identical lines are distinct facts, told apart by occurrence.
        const hook = JSON.stringify({
          at: at(1_000),
          source: "hook",
          sessionKey: `agent:${agent}:hook:gh:1`,
          policy: {},
          name: "gh",
          text: "same",
        })
        lines.push(hook, hook)
      }
    }
    lines.push(JSON.stringify({ at: at(1_000), source: "heartbeat", reason: "interval" }))
    lines.push(JSON.stringify({ at: at(1_000), source: "heartbeat", agentId: pick(AGENTS), reason: "wake" }))
    if (block % 3 === 2)
      lines.push(JSON.stringify({ at: at(60_000), source: "prune", retention: "1m", force: true }))
    lines.push(JSON.stringify({ at: at(1_000), source: "heartbeat" }))
  }
  return `${lines.join("\n")}\n`
}

/** The log as a comparable value: everything but `recordedAt`. */
export type LoggedEvent = Omit<RecordedEvent, "recordedAt">

export const logOf = (storeUrl: string): Promise<LoggedEvent[]> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* EventStore
        const records = yield* Stream.runCollect(store.readAll())
        return [...records].map(({ recordedAt: _recordedAt, ...record }) => record)
      }),
    ).pipe(Effect.provide(layerEventStoreFromUrl(storeUrl))),
  )

/** Imports `content` into the store in this process, as the CLI's import does (same code path). */
export async function importInProcess(file: string, storeUrl: string) {
  const parsed = parseImport(file, readFileSync(file))
  expect(parsed.errors).toEqual([])
  const cursor = new LineIdCursor()
  const runtime = ManagedRuntime.make(importLedgerLayer(layerEventStoreFromUrl(storeUrl), cursor))
  try {
    return await runtime.runPromise(recordImport(parsed.lines, cursor))
  } finally {
    await runtime.dispose()
  }
}

export const SIGNALS = ["SIGKILL", "SIGTERM", "SIGINT"] as const

/**
 * Spawns the real CLI import of `file` and sends it `signal` as soon as the store holds at
 * least `target` events (`count` polls the store, from this process), unless it finished first.
 * A random target is a random moment of the recording, whatever the machine's load.
 */
export function interruptedImport(
  file: string,
  storeUrl: string,
  signal: (typeof SIGNALS)[number],
  target: number,
  count: () => Promise<number>,
): Promise<{
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
}> {
  return new Promise((done, fail) => {
    const child = spawn(NODE, [MAIN, "import", file, "--store", storeUrl], {
      env: { ...process.env, HEARTBEAT_LEDGER_STORE: "" },
      stdio: ["ignore", "ignore", "pipe"],
    })
    let stderr = ""
    let running = true
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    const poll = async () => {
      while (running) {
        const held = await count().catch(() => 0)
        if (held >= target && running) {
          child.kill(signal)
          return
        }
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
    }
    void poll()
    child.on("error", fail)
    child.on("close", (code, ended) => {
      running = false
      done({ code, signal: ended, stderr })
    })
  })
}

/** Runs the CLI import to completion; it must succeed. */
export async function cliImport(file: string, storeUrl: string): Promise<string> {
  const result = await runCli(["import", file, "--store", storeUrl])
  expect(result.stderr).toBe("")
  expect(result.code).toBe(0)
  return result.stdout
}

/** The verdict: the two logs are the same events, in the same order, with the same ids. */
export function expectSameLog(
  actual: ReadonlyArray<LoggedEvent>,
  reference: ReadonlyArray<LoggedEvent>,
): void {
  const ids = actual.map((event) => event.id)
  expect(new Set(ids).size).toBe(ids.length)
  if (actual.length !== reference.length || JSON.stringify(actual) !== JSON.stringify(reference)) {
    // The first difference, readable, rather than a diff of thousands of events.
    const at = actual.findIndex((event, index) => JSON.stringify(event) !== JSON.stringify(reference[index]))
    expect({ length: actual.length, firstDifference: actual[at] }).toEqual({
      length: reference.length,
      firstDifference: reference[at],
    })
  }
}

/** A store for one trial: its URL, how to count its events from here, what to release. */
export interface TrialStore {
  readonly url: string
  readonly count: () => Promise<number>
  readonly close: () => unknown
}

/** Writes `files` generated imports under `dir` and imports each cleanly through the CLI. */
export function referenceImports(
  dir: string,
  files: number,
  blocks: number,
  storeOf: (index: number) => string,
) {
  return Promise.all(
    Array.from({ length: files }, async (_, index) => {
      const file = join(dir, `gateway-${index}.jsonl`)
      writeFileSync(file, generateImport(SEED + index, blocks))
      const store = storeOf(index)
      await cliImport(file, store)
      return { file, reference: await logOf(store) }
    }),
  )
}

/**
 * The interruption trials: each spawns the CLI import of one of the files into a fresh store,
 * interrupts it (SIGKILL, SIGTERM, SIGINT in turn) once the store holds a random number of
 * events, resumes (every tenth through the CLI, the rest in process: the same recordImport),
 * and compares the whole log with the file's clean import. Two trials at a time: a trial
 * mostly waits for its child's start.
 */
export async function interruptionTrials(options: {
  readonly label: string
  readonly trials: number
  readonly files: ReadonlyArray<{ readonly file: string; readonly reference: ReadonlyArray<LoggedEvent> }>
  readonly store: (trial: number) => TrialStore
}): Promise<void> {
  const { label, trials, files } = options
  const next = random(SEED)
  const tally = { midway: 0, before: 0, after: 0 }
  const trial = async (n: number) => {
    const { file, reference } = files[n % files.length] as (typeof files)[number]
    const store = options.store(n)
    const signal = SIGNALS[n % SIGNALS.length] as (typeof SIGNALS)[number]
    const target = 1 + Math.floor(next() * (reference.length - 1))
    await interruptedImport(file, store.url, signal, target, store.count).finally(store.close)
    const left = (await logOf(store.url)).length
    if (left === 0) tally.before++
    else if (left === reference.length) tally.after++
    else tally.midway++
    if (n % 10 === 0) await cliImport(file, store.url)
    else await importInProcess(file, store.url)
    expectSameLog(await logOf(store.url), reference)
  }
  for (let n = 0; n < trials; n += 2) await Promise.all([n, n + 1].filter((k) => k < trials).map(trial))
  console.log(
    `import faults ${label}: seed ${SEED}, ${trials} interruptions (${SIGNALS.join("/")}): ${tally.midway} mid-import, ${tally.before} before the first event, ${tally.after} after the last; ${files.map((f) => f.reference.length).join("/")} events per file`,
  )
  expect(tally.midway).toBeGreaterThan(0)
}
