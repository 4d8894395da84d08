/**
 * Race test: ledger calls running concurrently — on two ledgers sharing one memory store (two
 * gateway processes), or as concurrent fibers on one — with every store operation a point where
 * fast-check's scheduler picks who goes next. Whatever the interleaving: no enqueue attempt is
 * lost or recorded twice, every accepted event meets at most one end (and is otherwise still
 * queued, exactly once), what callers were handed is disjoint, and each ledger's queues, once
 * synced, equal a fresh replay of the log.
 */
import { isDeepStrictEqual } from "node:util"
import { Effect, Exit, Stream } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { EventStoreShape } from "../../application/event-store.ts"
import type { LedgerShape } from "../../application/ledger.ts"
import { queuesProjection } from "../../application/projections/queues.ts"
import { taskEmission } from "../../domain/sources.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { decodeLog, replayedQueues } from "./checkers.ts"
import { makeLedgerOn, normalizeJSON, readAllRecords, run } from "./harness.ts"

const RACE_RUNS = 150
const BROKEN_RUNS = 100

/** How many runs had a ledger catch up mid-race (a conflict, or the other ledger's write). */
const tally = { runs: 0, catchUps: 0 }

/** A store whose every append and read first waits for the scheduler's go, once armed. */
function scheduledStore(
  base: EventStoreShape,
  scheduler: fc.Scheduler,
  label: string,
  armed: { on: boolean },
) {
  const gate = <A, E>(what: string, effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
    armed.on
      ? Effect.flatMap(
          Effect.promise(() => scheduler.schedule(Promise.resolve(what), `${label} ${what}`)),
          () => effect,
        )
      : effect
  const store: EventStoreShape = {
    ...base,
    append: (streamId, events, expected) =>
      gate(`append ${streamId}`, base.append(streamId, events, expected)),
    appendMulti: (appends) =>
      gate(`append ${appends.map((append) => append.streamId).join(" ")}`, base.appendMulti(appends)),
    readAll: (options) =>
      Stream.unwrap(
        gate(
          "readAll",
          Effect.sync(() => base.readAll(options)),
        ),
      ),
  }
  return store
}

const AGENTS = ["ops", "research"] as const

type RaceCmd =
  | {
      readonly op: "record"
      readonly on: 0 | 1
      readonly agent: 0 | 1
      readonly cronRun: boolean
      readonly text: string
    }
  | { readonly op: "heartbeat"; readonly on: 0 | 1; readonly agent: 0 | 1 | "unscoped" }
  | { readonly op: "drain"; readonly on: 0 | 1; readonly agent: 0 | 1 }
  | { readonly op: "consume"; readonly on: 0 | 1; readonly agent: 0 | 1; readonly count: number }

const ledgerArb = fc.constantFrom<0 | 1>(0, 1)
const agentArb = fc.constantFrom<0 | 1>(0, 1)

const raceCmdArb: fc.Arbitrary<RaceCmd> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("record" as const),
      on: ledgerArb,
      agent: agentArb,
      cronRun: fc.boolean(),
      text: fc.constantFrom("a", "b", "c", "d"),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("heartbeat" as const),
      on: ledgerArb,
      agent: fc.constantFrom<0 | 1 | "unscoped">(0, 1, "unscoped"),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("drain" as const), on: ledgerArb, agent: agentArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("consume" as const),
      on: ledgerArb,
      agent: agentArb,
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
)

const eventIdOf = (index: number) => `00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`

interface Outcome {
  readonly cmd: RaceCmd
  readonly eventId?: string
  readonly ok: boolean
  readonly accepted?: boolean
  /** Event ids the call handed to its caller as taken off a queue. */
  readonly taken: ReadonlyArray<string>
}

function execute(
  ledger: LedgerShape,
  cmd: RaceCmd,
  index: number,
): Effect.Effect<Omit<Outcome, "cmd" | "ok">, unknown> {
  const main = (agent: 0 | 1) => `agent:${AGENTS[agent]}:main`
  switch (cmd.op) {
    case "record": {
      const eventId = eventIdOf(index)
      const origin = cmd.cronRun ? `agent:${AGENTS[cmd.agent]}:cron:nightly:run:r${index}` : main(cmd.agent)
      return Effect.map(
        ledger.record(taskEmission({ sessionKey: origin, taskId: "t", text: cmd.text }), {
          eventId,
          at: 1000 + index,
        }),
        (result) => ({ eventId, accepted: result.accepted, taken: [] }),
      )
    }
    case "heartbeat":
      return Effect.map(
        ledger.runHeartbeat(
          cmd.agent === "unscoped" ? { at: 5000 + index } : { agentId: AGENTS[cmd.agent], at: 5000 + index },
        ),
        (runs) => ({ taken: runs.flatMap((r) => r.shown.map((event) => event.eventId)) }),
      )
    case "drain":
      return Effect.map(ledger.drain(main(cmd.agent)), (events) => ({
        taken: events.map((event) => event.eventId),
      }))
    case "consume":
      return Effect.gen(function* () {
        const peeked = yield* ledger.peek(main(cmd.agent))
        const removed = yield* ledger.consume(
          main(cmd.agent),
          peeked.slice(0, cmd.count).map((event) => event.eventId),
        )
        return { taken: removed.map((event) => event.eventId) }
      })
  }
}

/** Every invariant of the race, as violations. */
async function raceViolations(
  store: EventStoreShape,
  ledgers: ReadonlyArray<LedgerShape>,
  outcomes: ReadonlyArray<Outcome>,
): Promise<string[]> {
  const violations: string[] = []
  const events = decodeLog(await readAllRecords(store))
  const attempts = new Map<string, number>()
  const acceptedInLog = new Set<string>()
  const ends = new Map<string, number>()
  const end = (id: string) => ends.set(id, (ends.get(id) ?? 0) + 1)
  for (const event of events) {
    switch (event._tag) {
      case "SystemEventEnqueued":
        acceptedInLog.add(event.eventId)
        attempts.set(event.eventId, (attempts.get(event.eventId) ?? 0) + 1)
        break
      case "SystemEventRejected":
        attempts.set(event.eventId, (attempts.get(event.eventId) ?? 0) + 1)
        break
      case "SystemEventEvicted":
        end(event.eventId)
        break
      case "SystemEventsConsumed":
      case "SystemEventsDrained":
      case "QueuePruned":
        for (const id of event.eventIds) end(id)
        break
      case "HeartbeatRan":
        for (const id of event.consumed) end(id)
        break
      default:
        break
    }
  }
  const calls = outcomes.filter((outcome) => outcome.eventId !== undefined)
  for (const outcome of calls) {
    const id = outcome.eventId!
    const times = attempts.get(id) ?? 0
    if (outcome.ok && times !== 1) violations.push(`attempt ${id} succeeded but is in the log ${times} times`)
    if (!outcome.ok && times !== 0) violations.push(`attempt ${id} failed but is in the log ${times} times`)
    if (outcome.ok && outcome.accepted !== acceptedInLog.has(id)) {
      violations.push(
        `attempt ${id}: the caller was told accepted=${outcome.accepted}, the log says otherwise`,
      )
    }
  }
  if ([...attempts.values()].reduce((a, b) => a + b, 0) !== calls.filter((o) => o.ok).length) {
    violations.push(
      `${attempts.size} attempts in the log for ${calls.filter((o) => o.ok).length} successful record calls`,
    )
  }
  const replay = (await replayedQueues(store)) as { queues: Array<{ events: Array<{ eventId: string }> }> }
  const stillQueued = new Map<string, number>()
  for (const queue of replay.queues)
    for (const e of queue.events) stillQueued.set(e.eventId, (stillQueued.get(e.eventId) ?? 0) + 1)
  for (const id of acceptedInLog) {
    const fates = (ends.get(id) ?? 0) + (stillQueued.get(id) ?? 0)
    if (fates !== 1)
      violations.push(
        `accepted event ${id} has ${fates} fates (${ends.get(id) ?? 0} ends, queued ${stillQueued.get(id) ?? 0} times)`,
      )
  }
  for (const id of ends.keys())
    if (!acceptedInLog.has(id)) violations.push(`${id} ended without being accepted`)
  const taken = outcomes.flatMap((outcome) => outcome.taken)
  if (new Set(taken).size !== taken.length)
    violations.push(`callers were handed the same event twice: ${JSON.stringify(taken)}`)
  for (const [index, ledger] of ledgers.entries()) {
    const synced = await Effect.runPromise(Effect.exit(ledger.sync))
    if (Exit.isFailure(synced)) {
      violations.push(`ledger ${index + 1} could not sync: ${String(synced)}`)
      continue
    }
    const view = normalizeJSON(queuesProjection.toJSON(await run(ledger.view)))
    if (!isDeepStrictEqual(view, replay))
      violations.push(`ledger ${index + 1}'s view differs from a replay of the log`)
  }
  return violations
}

/** A broken store that appends whatever revision the writer expected: optimistic locking gone. */
function ignoringExpectedRevisions(store: EventStoreShape): EventStoreShape {
  return {
    ...store,
    append: (streamId, events) => store.append(streamId, events, "any"),
    appendMulti: (appends) =>
      store.appendMulti(appends.map((append) => ({ ...append, expectedRevision: "any" as const }))),
  }
}

async function race(
  scheduler: fc.Scheduler,
  cmds: ReadonlyArray<RaceCmd>,
  twoLedgers: boolean,
  breakStore: (store: EventStoreShape) => EventStoreShape = (store) => store,
) {
  const base = breakStore(makeMemoryEventStore({ now: () => 0 }))
  const armed = { on: false }
  const first = await makeLedgerOn(scheduledStore(base, scheduler, "L1", armed), 1)
  for (const agentId of AGENTS) await run(first.configureAgent({ agentId, at: 1 }))
  const second = twoLedgers ? await makeLedgerOn(scheduledStore(base, scheduler, "L2", armed), 2) : first
  const ledgers = twoLedgers ? [first, second] : [first]
  armed.on = true
  const calls = cmds.map(async (cmd, index): Promise<Outcome> => {
    const ledger = cmd.on === 0 ? first : second
    const exit = await Effect.runPromise(Effect.exit(execute(ledger, cmd, index)))
    const eventId = cmd.op === "record" ? eventIdOf(index) : undefined
    const base = { cmd, ...(eventId === undefined ? {} : { eventId }) }
    return Exit.isSuccess(exit) ? { ...base, ok: true, ...exit.value } : { ...base, ok: false, taken: [] }
  })
  const outcomes = await scheduler.waitFor(Promise.all(calls))
  armed.on = false
  // After arming, a ledger reads the log only to catch up: after a conflict, or a write by the other.
  if (scheduler.report().some((task) => task.label.endsWith("readAll"))) tally.catchUps++
  tally.runs++
  return { outcomes, violations: await raceViolations(base, ledgers, outcomes) }
}

const raceProperty = (breakStore?: (store: EventStoreShape) => EventStoreShape) =>
  fc.asyncProperty(
    fc.scheduler(),
    fc.array(raceCmdArb, { minLength: 2, maxLength: 10 }),
    fc.boolean(),
    async (scheduler, cmds, twoLedgers) => {
      const { violations } = await race(scheduler, cmds, twoLedgers, breakStore)
      if (violations.length > 0)
        throw new Error(
          `${violations.join("\n")}\n${scheduler
            .report()
            .map((t) => t.label)
            .join(" → ")}`,
        )
    },
  )

describe("race", () => {
  it("concurrent ledger calls, interleaved by the scheduler: nothing lost or doubled, queues = replay", async () => {
    const started = performance.now()
    const details = await fc.check(raceProperty(), { numRuns: RACE_RUNS })
    console.log(
      `race: ${details.numRuns} runs in ${Math.round(performance.now() - started)} ms (seed ${details.seed}); ` +
        `${tally.catchUps} of ${tally.runs} had a ledger catch up mid-race`,
    )
    if (details.failed) {
      throw new Error(
        `${fc.defaultReportMessage(details) ?? "race failed"}\n${String(details.errorInstance)}`,
      )
    }
    expect(details.numRuns).toBe(RACE_RUNS)
  })

  it("can fail: with a store that ignores expected revisions, two ledgers hand out the same event", async () => {
    const details = await fc.check(raceProperty(ignoringExpectedRevisions), {
      numRuns: BROKEN_RUNS,
      seed: 5005,
    })
    expect(details.failed).toBe(true)
    const message = String(details.errorInstance)
    console.log(
      `race with optimistic locking off: caught after ${details.numRuns} runs (${details.numShrinks} shrinks)\n${message}`,
    )
    expect(message).toMatch(/differs from a replay|handed the same event twice|fates/)
  })
})
