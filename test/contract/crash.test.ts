/**
 * Crash safety: a child process records a generated workload and runs the durable projections
 * (fixtures/crash-worker.ts) and is SIGKILLed at a random moment, again and again. After each
 * kill, as a restart would, we check that no batch is partly visible, no acknowledged event is
 * lost, and every projection resumed from its saved state and checkpoint equals a fresh replay.
 *
 * HEARTBEAT_LEDGER_CRASH_TRIALS sets the kills per store (default 20); HEARTBEAT_LEDGER_CRASH_SEED
 * replays a run's kill moments.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { EventStore } from "../../application/event-store.ts"
import { ProjectionCheckpoints } from "../../application/projection-checkpoints.ts"
import { auditProjection } from "../../application/projections/audit.ts"
import type { Projection } from "../../application/projections/projection.ts"
import { catchUpProjection } from "../../application/projections/projection.ts"
import { queuesProjection } from "../../application/projections/queues.ts"
import { runProjection } from "../../application/projections/runner.ts"
import { layerProjectionCheckpointsFromUrl } from "../../infrastructure/stores/projection-checkpoints-layer.ts"
import { layerEventStoreFromUrl } from "../../infrastructure/stores/store-layer.ts"
import { dropSchema, pgTestSchema } from "./postgres-test-schema.ts"
import { random } from "./seeded-random.ts"

const TRIALS = Number(process.env.HEARTBEAT_LEDGER_CRASH_TRIALS ?? 20)
const SEED = Number(process.env.HEARTBEAT_LEDGER_CRASH_SEED ?? Date.now() % 2 ** 31)
/** Longest wait, after the worker is running, before the kill. */
const MAX_RUN_MS = 400
const WORKER = fileURLToPath(new URL("./fixtures/crash-worker.ts", import.meta.url))

const root = mkdtempSync(join(tmpdir(), "hbl-crash-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** Starts the worker, lets it run `runMs` after it is ready, then SIGKILLs it. */
async function runAndKill(storeUrl: string, journal: string, trial: number, runMs: number): Promise<void> {
  const child = spawn(process.execPath, [WORKER, storeUrl, journal, String(trial)], { stdio: "pipe" })
  let stderr = ""
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal }))
  })
  const ready = new Promise<void>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString("utf8").includes("ready")) resolve()
    })
  })
  const first = await Promise.race([ready.then(() => "ready" as const), exited])
  if (first !== "ready") throw new Error(`crash worker ended before it was ready (${first.code}): ${stderr}`)
  const early = await Promise.race([
    new Promise((resolve) => setTimeout(resolve, runMs)).then(() => "kill"),
    exited,
  ])
  if (early !== "kill") throw new Error(`crash worker stopped by itself: ${stderr}`)
  child.kill("SIGKILL")
  expect((await exited).signal).toBe("SIGKILL")
}

interface Intent {
  readonly intent: string
  readonly ids: ReadonlyArray<string>
}

/** The journal's batches and which were acknowledged; a torn last line (killed mid-write) is ignored. */
function readJournal(path: string): { intents: Intent[]; acked: Set<string> } {
  const intents: Intent[] = []
  const acked = new Set<string>()
  for (const line of readFileSync(path, "utf8").split("\n")) {
    let entry: { intent?: string; ids?: string[]; acked?: string }
    try {
      entry = JSON.parse(line)
    } catch {
      continue
    }
    if (entry.acked !== undefined) acked.add(entry.acked)
    else if (entry.intent !== undefined && entry.ids !== undefined)
      intents.push({ intent: entry.intent, ids: entry.ids })
  }
  return { intents, acked }
}

interface Verdict {
  readonly events: number
  /** Journaled batches of more than one event: what "no torn batch" is checked on. */
  readonly multiEventBatches: number
  readonly inFlight: number
  readonly saved: number
}

/** What a restart sees: the log against the journal, and the projections against a fresh replay. */
async function verifyAfterCrash(storeUrl: string, journal: string): Promise<Verdict> {
  const runtime = ManagedRuntime.make(
    Layer.merge(layerEventStoreFromUrl(storeUrl), layerProjectionCheckpointsFromUrl(storeUrl)),
  )
  try {
    return await runtime.runPromise(
      Effect.gen(function* () {
        const store = yield* EventStore
        const checkpoints = yield* ProjectionCheckpoints
        const log = yield* Stream.runCollect(store.readAll())
        const present = new Set(log.map((event) => event.id))
        expect(present.size).toBe(log.length)

        const { intents, acked } = readJournal(journal)
        const journaled = new Set(intents.flatMap((intent) => intent.ids))
        let inFlight = 0
        for (const intent of intents) {
          const found = intent.ids.filter((id) => present.has(id)).length
          // All or nothing: a batch is never partly visible.
          expect([0, intent.ids.length]).toContain(found)
          // Acknowledged means durable.
          if (acked.has(intent.intent)) expect(found).toBe(intent.ids.length)
          else inFlight += 1
        }
        // Nothing in the log that no worker appended.
        expect(log.filter((event) => !journaled.has(event.id))).toEqual([])

        let saved = 0
        const head = yield* store.headPosition
        const check = <S>(projection: Projection<S>) =>
          Effect.gen(function* () {
            const before = yield* checkpoints.load(projection.name)
            if (before !== undefined) {
              saved += 1
              expect(before.checkpoint).toBeLessThanOrEqual(head)
            }
            const resumed = yield* runProjection(projection, store, checkpoints)
            const fresh = yield* catchUpProjection(projection, store)
            expect(resumed.checkpoint).toBe(fresh.checkpoint)
            expect(projection.toJSON(resumed.state)).toEqual(projection.toJSON(fresh.state))
          })
        yield* check(auditProjection)
        yield* check(queuesProjection)
        const multiEventBatches = intents.filter((intent) => intent.ids.length > 1).length
        return { events: log.length, multiEventBatches, inFlight, saved }
      }),
    )
  } finally {
    await runtime.dispose()
  }
}

function describeCrashSafety(name: string, target: () => { url: string; cleanup?: () => Promise<void> }) {
  it(`${name}: ${TRIALS} SIGKILLs at random moments lose nothing, tear no batch, and leave projections equal to a replay`, async () => {
    const { url, cleanup } = target()
    const journal = join(root, `${name}.journal`)
    writeFileSync(journal, "")
    const next = random(SEED)
    let events = 0
    let inFlight = 0
    let saved = 0
    let multiEventBatches = 0
    try {
      for (let trial = 0; trial < TRIALS; trial++) {
        await runAndKill(url, journal, trial, Math.floor(next() * MAX_RUN_MS))
        const verdict = await verifyAfterCrash(url, journal)
        expect(verdict.events).toBeGreaterThanOrEqual(events)
        events = verdict.events
        inFlight += verdict.inFlight > 0 ? 1 : 0
        saved = verdict.saved
        multiEventBatches = verdict.multiEventBatches
      }
    } finally {
      await cleanup?.()
    }
    console.log(
      `crash ${name}: seed ${SEED}, ${TRIALS} kills, ${events} events (${multiEventBatches} multi-event batches), ` +
        `${inFlight} verifications found an unacknowledged batch, ${saved} projections saved`,
    )
    expect(events).toBeGreaterThan(TRIALS)
    expect(multiEventBatches).toBeGreaterThan(0)
    expect(saved).toBe(2)
  }, 600_000)
}

describe("crash safety (SIGKILL)", () => {
  describeCrashSafety("sqlite", () => ({ url: `sqlite:${join(root, "crash", "ledger.db")}` }))

  const pg = pgTestSchema("crash")
  if (pg._tag === "Ready") {
    describeCrashSafety("postgres", () => ({
      url: pg.url,
      cleanup: () => dropSchema(pg.connectionString, pg.schema),
    }))
  } else if (pg._tag === "Fail") {
    it("postgres: has a server to crash against", () => {
      expect.fail(pg.reason)
    })
  } else {
    console.log(`SKIP postgres crash test: ${pg.reason}`)
    it.skip("postgres: crash safety", () => {})
  }
})
