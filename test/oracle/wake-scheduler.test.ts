/**
 * Area 3 of issue 11: the wake scheduler, differentially against openclaw@2026.5.12's
 * `src/infra/heartbeat-wake.ts` (and 2026.5.7's, the same code). One random script (requests with every source, intent,
 * reason, window and target; handlers installed, replaced, cleared and disposed, answering ran,
 * busy or other skips, failures or throws after some work; time advancing) drives a fresh copy
 * of the release's module under vitest's fake timers and our application/wake-scheduler.ts under
 * Effect's TestClock, on the same virtual time line. Every handler call (which handler, when,
 * with which wake object) must be the same on both sides.
 *
 * Script steps run inside a timer tick on OpenClaw's side, as gateway code does (a request comes
 * from an event handler or a timer): there `setTimeout(fn, 0)` waits 1 ms, as in real Node.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Clock, Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import { afterEach, expect, it, vi } from "vitest"
import {
  type HeartbeatWake,
  layerWakeScheduler,
  type WakeHandler,
  WakeScheduler,
} from "../../application/wake-scheduler.ts"
import { BUSY_SKIP_REASONS, type HeartbeatRunResult, isRetryableBusySkip } from "../../domain/wake.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { ledgerOn } from "../application/ledger-harness.ts"
import { type HandlerAnswer, type WakeRequestOptions, type WakeStep, wakeStep } from "./arbitraries.ts"
import { describeOracle } from "./describe-oracle.ts"
import { chunkExportNames, regionIndex } from "./load.ts"
import { assertDifferential, oracleRuns } from "./oracle-runs.ts"
import { FIXED_RELEASE, LEGACY_RELEASE, releasePackageDir } from "./releases.ts"

const REGION = "src/infra/heartbeat-wake.ts"
/** Long enough for every retry a script can cause to have run out. */
const SETTLE_MS = 20_000
const T0 = 1_000_000

interface ReleaseWake {
  readonly HEARTBEAT_SKIP_REQUESTS_IN_FLIGHT: string
  readonly HEARTBEAT_SKIP_CRON_IN_PROGRESS: string
  readonly HEARTBEAT_SKIP_LANES_BUSY: string
  readonly isRetryableHeartbeatBusySkipReason: (reason: string) => boolean
  readonly requestHeartbeat: (options: WakeRequestOptions) => void
  readonly setHeartbeatWakeHandler: (
    handler: ((wake: object) => Promise<HeartbeatRunResult>) | null,
  ) => () => void
}

/** One handler call as the handler saw it: who was called, when (ms from the start), with what. */
interface Call {
  readonly handler: number
  readonly at: number
  readonly wake: unknown
}

/**
 * A fresh copy of the release's module: its state (pending wakes, the timer, the handler) is
 * module-level and it has no reset, so each script imports the chunk anew (a distinct URL).
 */
let copies = 0
async function freshReleaseWake(version: string): Promise<ReleaseWake> {
  const files = regionIndex(version)[REGION] ?? []
  const file = files.find((name) => name.startsWith("heartbeat-wake-"))
  if (file === undefined) throw new Error(`openclaw@${version}: no chunk holds ${REGION}`)
  const path = join(releasePackageDir(version), "dist", file)
  const module = (await import(`${pathToFileURL(path).href}?copy=${++copies}`)) as Record<string, unknown>
  const exports: Record<string, unknown> = {}
  for (const [alias, real] of chunkExportNames(readFileSync(path, "utf8"))) exports[real] = module[alias]
  return exports as unknown as ReleaseWake
}

const resultOf = (answer: HandlerAnswer): HeartbeatRunResult =>
  answer.kind === "ran"
    ? { status: "ran", durationMs: answer.durationMs }
    : { status: answer.kind === "failed" ? "failed" : "skipped", reason: answer.reason }

/** A handler's answers in order; once they run out it runs at once. */
const answerAt = (answers: ReadonlyArray<HandlerAnswer>, index: number): HandlerAnswer =>
  answers[index] ?? { kind: "ran", reason: "", durationMs: 0 }

/** Drops `undefined` properties: a caller cannot tell them from absent ones. */
const asData = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

async function runRelease(version: string, steps: ReadonlyArray<WakeStep>): Promise<Call[]> {
  const wake = await freshReleaseWake(version)
  vi.useFakeTimers()
  vi.setSystemTime(T0)
  const calls: Call[] = []
  const disposers: Array<() => void> = []
  let handlers = 0
  const handlerFor = (answers: ReadonlyArray<HandlerAnswer>) => {
    const id = ++handlers
    let next = 0
    return async (options: object): Promise<HeartbeatRunResult> => {
      calls.push({ handler: id, at: Date.now() - T0, wake: asData(options) })
      const answer = answerAt(answers, next++)
      if (answer.durationMs > 0) await new Promise((resolve) => setTimeout(resolve, answer.durationMs))
      if (answer.kind === "throw") throw new Error("runner blew up")
      return resultOf(answer)
    }
  }
  /** Runs a step inside a timer tick, then lets what it started settle. */
  const inTick = async (action: () => void) => {
    setTimeout(action, 0)
    await vi.advanceTimersByTimeAsync(0)
  }
  try {
    for (const step of steps) {
      switch (step.kind) {
        case "advance":
          await vi.advanceTimersByTimeAsync(step.ms)
          break
        case "request":
          await inTick(() => wake.requestHeartbeat(step.options))
          break
        case "setHandler":
          await inTick(() => disposers.push(wake.setHeartbeatWakeHandler(handlerFor(step.answers))))
          break
        case "clearHandler":
          await inTick(() => disposers.push(wake.setHeartbeatWakeHandler(null)))
          break
        case "dispose":
          await inTick(() => disposers[step.registration % Math.max(1, disposers.length)]?.())
          break
      }
    }
    await vi.advanceTimersByTimeAsync(SETTLE_MS)
  } finally {
    vi.useRealTimers()
  }
  return calls
}

/** OpenClaw's wake object: ours without the per-run previews (the drop-in keeps them off it). */
const releaseShape = ({ runs: _runs, ...wake }: HeartbeatWake): unknown => asData(wake)

function runOurs(steps: ReadonlyArray<WakeStep>): Promise<Call[]> {
  const calls: Call[] = []
  const program = Effect.gen(function* () {
    const scheduler = yield* WakeScheduler
    const disposers: Array<Effect.Effect<void>> = []
    let handlers = 0
    const handlerFor = (answers: ReadonlyArray<HandlerAnswer>): WakeHandler => {
      const id = ++handlers
      let next = 0
      return (wake) =>
        Effect.gen(function* () {
          calls.push({ handler: id, at: yield* Clock.currentTimeMillis, wake: releaseShape(wake) })
          const answer = answerAt(answers, next++)
          if (answer.durationMs > 0) yield* Effect.sleep(answer.durationMs)
          if (answer.kind === "throw") return yield* Effect.fail(new Error("runner blew up"))
          return resultOf(answer)
        })
    }
    for (const step of steps) {
      switch (step.kind) {
        case "advance":
          yield* TestClock.adjust(step.ms)
          break
        case "request":
          yield* scheduler.requestHeartbeat(step.options)
          break
        case "setHandler":
          disposers.push(yield* scheduler.setHandler(handlerFor(step.answers)))
          break
        case "clearHandler":
          disposers.push(yield* scheduler.setHandler(null))
          break
        case "dispose":
          yield* disposers[step.registration % Math.max(1, disposers.length)] ?? Effect.void
          break
      }
      yield* Effect.yieldNow
    }
    yield* TestClock.adjust(SETTLE_MS)
  })
  const store = makeMemoryEventStore({ now: () => 0 })
  const layer = Layer.provideMerge(layerWakeScheduler, ledgerOn(store))
  return Effect.runPromise(
    program.pipe(
      Effect.provide(layer),
      Effect.provide(TestClock.layer()),
      Effect.map(() => calls),
    ) as Effect.Effect<Call[], unknown, never>,
  )
}

/** 2026.5.12 is the authority; 2026.5.7's heartbeat-wake is the same code, checked too. */
const RUNS: Readonly<Record<string, number>> = {
  [FIXED_RELEASE]: oracleRuns(300),
  [LEGACY_RELEASE]: oracleRuns(100),
}

describeOracle("the wake scheduler against the releases", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  for (const version of [FIXED_RELEASE, LEGACY_RELEASE]) {
    it(`calls the handlers with the same wakes at the same times as openclaw@${version}`, async () => {
      const seen = { steps: 0, calls: 0, byLaterHandlers: 0, busyOrThrown: 0 }
      await assertDifferential(
        `wake scheduler @${version}`,
        fc.asyncProperty(
          fc.array(wakeStep, { minLength: 1, maxLength: 40, size: "large" }),
          async (script) => {
            const theirs = await runRelease(version, script)
            const ours = await runOurs(script)
            expect(ours).toEqual(theirs)
            seen.steps += script.length
            seen.calls += theirs.length
            seen.byLaterHandlers += theirs.filter((call) => call.handler > 1).length
            seen.busyOrThrown += script.some(
              (step) =>
                step.kind === "setHandler" &&
                step.answers.some((answer) => answer.kind === "throw" || answer.reason.endsWith("-busy")),
            )
              ? 1
              : 0
          },
        ),
        RUNS[version] ?? 1,
      )
      console.log(`oracle wake scheduler @${version}: compared ${JSON.stringify(seen)}`)
    })
  }

  it("retries the same busy skip reasons as the release", async () => {
    const release = await freshReleaseWake(FIXED_RELEASE)
    expect([...BUSY_SKIP_REASONS]).toEqual([
      release.HEARTBEAT_SKIP_REQUESTS_IN_FLIGHT,
      release.HEARTBEAT_SKIP_CRON_IN_PROGRESS,
      release.HEARTBEAT_SKIP_LANES_BUSY,
    ])
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...BUSY_SKIP_REASONS, "quiet-hours", "Lanes-Busy", " lanes-busy"),
          fc.string(),
        ),
        (reason) => isRetryableBusySkip(reason) === release.isRetryableHeartbeatBusySkipReason(reason),
      ),
      { numRuns: 200 },
    )
  })

  it("gives each script a fresh copy of the release's module: copies do not share state", async () => {
    const one = await freshReleaseWake(FIXED_RELEASE)
    const two = await freshReleaseWake(FIXED_RELEASE)
    expect(one.requestHeartbeat).not.toBe(two.requestHeartbeat)
  })
})
