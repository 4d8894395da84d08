/**
 * Model-based test of the per-session queue (domain.md §4): random command sequences run
 * against the Ledger on the memory store (enqueue, peek, consume, drain, isContextChanged) and
 * against a plain-array model written from §4 alone. After every command the two must agree.
 *
 * Where §4 is silent — what a consume that empties or shortens a queue does to its memory — the
 * model follows OpenClaw's `resetQueueState`: an emptied queue is forgotten (its last text and
 * context key with it), otherwise the last context key becomes the newest remaining one's.
 * Duplicates follow OpenClaw 2026.5.12 (test/oracle/queue.test.ts compares with it): without a
 * contextKey a text repeats only the newest event, with one it repeats any queued event; only an
 * accepted event with a contextKey makes it the last one.
 */
import { Effect, Exit } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { LedgerShape } from "../../application/ledger.ts"
import { makeLedgerEnv, run } from "./harness.ts"

const MODEL_RUNS = 150
const CAP = 20

// ── the model ──────────────────────────────────────────────────────────────────────────────

interface ModelEvent {
  readonly id: string
  readonly text: string
  readonly contextKey: string | undefined
}

interface ModelQueue {
  events: ModelEvent[]
  lastText: string | undefined
  lastContextKey: string | undefined
}

interface Inspection {
  readonly sessionKey: string
  readonly ids: ReadonlyArray<string>
}

interface Model {
  readonly queues: Map<string, ModelQueue>
  readonly inspections: Inspection[]
  fill: number
}

/** How often the interesting cases came up, printed with the run count. */
const seen = {
  accepted: 0,
  duplicates: 0,
  blank: 0,
  evictions: 0,
  staleConsumes: 0,
  freshConsumes: 0,
  drains: 0,
}

interface Real {
  readonly ledger: LedgerShape
}

/** Spellings of session keys: the first and third name the same queue; the second does not. */
const SESSION_KEYS = ["agent:ops:main", "Agent:Ops:Main", "  agent:ops:main ", "global", "node-n1"] as const

/** §4: queues are keyed by the trimmed key, case preserved. */
const queueKeyOf = (sessionKey: string) => sessionKey.trim()

/** §4: contextKey trimmed and lower-cased; blank is none. */
const contextOf = (contextKey: string | undefined) => contextKey?.trim().toLowerCase() || undefined

const queueOf = (model: Model, sessionKey: string): ModelQueue | undefined =>
  model.queues.get(queueKeyOf(sessionKey))

type Outcome =
  | { readonly accepted: true; readonly evicts: string | undefined }
  | { readonly accepted: false; readonly reason: "blank-text" | "duplicate" }

/** §4 enqueue, decided without changing the model. */
function decide(model: Model, sessionKey: string, text: string, contextKey: string | undefined): Outcome {
  const cleaned = text.trim()
  if (!cleaned) return { accepted: false, reason: "blank-text" }
  const queue = queueOf(model, sessionKey)
  const events = queue?.events ?? []
  // OpenClaw 2026.5.12: without a contextKey only the newest event counts; with one, any.
  const context = contextOf(contextKey)
  const repeats = (event: ModelEvent | undefined) => event?.text === cleaned && event.contextKey === context
  const duplicate = context === undefined ? repeats(events[events.length - 1]) : events.some(repeats)
  if (duplicate) return { accepted: false, reason: "duplicate" }
  return { accepted: true, evicts: events.length >= CAP ? events[0]?.id : undefined }
}

function apply(
  model: Model,
  sessionKey: string,
  text: string,
  contextKey: string | undefined,
  id: string,
  outcome: Outcome,
) {
  // A rejected text (blank or duplicate) changes nothing.
  if (!outcome.accepted) return
  const key = queueKeyOf(sessionKey)
  const queue = model.queues.get(key) ?? { events: [], lastText: undefined, lastContextKey: undefined }
  model.queues.set(key, queue)
  // Only an accepted event that has a contextKey makes it the last one.
  queue.lastContextKey = contextOf(contextKey) ?? queue.lastContextKey
  queue.events.push({ id, text: text.trim(), contextKey: contextOf(contextKey) })
  queue.lastText = text.trim()
  if (queue.events.length > CAP) queue.events.shift()
}

/** §4 consume: the inspected prefix if it still heads the queue, in order; else nothing. */
function consume(model: Model, sessionKey: string, ids: ReadonlyArray<string>): string[] {
  const key = queueKeyOf(sessionKey)
  const queue = model.queues.get(key)
  if (queue === undefined || ids.length === 0 || ids.length > queue.events.length) return []
  if (!ids.every((id, index) => queue.events[index]?.id === id)) return []
  queue.events.splice(0, ids.length)
  if (queue.events.length === 0) model.queues.delete(key)
  else queue.lastContextKey = queue.events.findLast((event) => event.contextKey !== undefined)?.contextKey
  return [...ids]
}

// ── the system ─────────────────────────────────────────────────────────────────────────────

async function enqueueBoth(
  model: Model,
  real: Real,
  sessionKey: string,
  text: string,
  contextKey: string | undefined,
) {
  const expected = decide(model, sessionKey, text, contextKey)
  const result = await run(real.ledger.enqueue(text, { sessionKey, contextKey }))
  expect(result.queueKey).toBe(queueKeyOf(sessionKey))
  expect(result.accepted).toBe(expected.accepted)
  if (expected.accepted) expect(result.evictedEventId).toBe(expected.evicts)
  else expect(result.rejectedBecause).toBe(expected.reason)
  apply(model, sessionKey, text, contextKey, result.eventId, expected)
  if (expected.accepted) {
    seen.accepted++
    if (expected.evicts !== undefined) seen.evictions++
  } else if (expected.reason === "duplicate") seen.duplicates++
  else seen.blank++
}

async function expectSameQueue(model: Model, real: Real, sessionKey: string) {
  const peeked = await run(real.ledger.peek(sessionKey))
  const expected = queueOf(model, sessionKey)?.events ?? []
  expect(peeked.map((event) => [event.eventId, event.text, event.contextKey])).toEqual(
    expected.map((event) => [event.id, event.text, event.contextKey]),
  )
  expect(peeked.length).toBeLessThanOrEqual(CAP)
}

// ── commands ───────────────────────────────────────────────────────────────────────────────

type Cmd = fc.AsyncCommand<Model, Real>

const keyArb = fc.constantFrom(...SESSION_KEYS)
const textArb = fc.constantFrom(
  "alpha",
  "beta",
  " alpha ",
  "gamma",
  "",
  "   ",
  "Exec finished (node=n1, code 1)",
)
const contextArb = fc.constantFrom(undefined, "ctx:a", " CTX:A ", "ctx:b", "  ")

/** A command: its precondition on the model, its run on both, and how it reads in a counterexample. */
const command = (
  name: string,
  runBoth: (model: Model, real: Real) => Promise<void>,
  check: (model: Readonly<Model>) => boolean = () => true,
): Cmd => ({ check, run: runBoth, toString: () => name })

const show = (value: unknown) => JSON.stringify(value)

const enqueueCmd = (sessionKey: string, text: string, contextKey: string | undefined) =>
  command(`enqueue(${show(text)}, ${show(sessionKey)}, ctx ${show(contextKey)})`, (model, real) =>
    enqueueBoth(model, real, sessionKey, text, contextKey),
  )

/** The newest queued event again, padded and with its contextKey re-cased: a duplicate. */
const duplicateCmd = (sessionKey: string) =>
  command(
    `duplicate(${show(sessionKey)})`,
    async (model, real) => {
      const events = queueOf(model, sessionKey)?.events ?? []
      const newest = events[events.length - 1]
      const padded = ` ${newest?.text ?? ""}\n`
      const contextKey = newest?.contextKey === undefined ? undefined : ` ${newest.contextKey.toUpperCase()} `
      expect(decide(model, sessionKey, padded, contextKey)).toEqual({ accepted: false, reason: "duplicate" })
      await enqueueBoth(model, real, sessionKey, padded, contextKey)
    },
    (model) => (queueOf(model as Model, sessionKey)?.events.length ?? 0) > 0,
  )

/** Distinct texts, possibly past the cap of 20: the oldest go, one per accepted event. */
const overflowCmd = (sessionKey: string, count: number) =>
  command(`overflow(${show(sessionKey)}, ${count} texts)`, async (model, real) => {
    for (let index = 0; index < count; index++) {
      model.fill++
      await enqueueBoth(model, real, sessionKey, `fill ${model.fill}`, undefined)
    }
    await expectSameQueue(model, real, sessionKey)
  })

const peekCmd = (sessionKey: string) =>
  command(`peek(${show(sessionKey)})`, (model, real) => expectSameQueue(model, real, sessionKey))

/** Peeks and keeps the first `count` ids for a later consume (which may find them stale). */
const inspectCmd = (sessionKey: string, count: number) =>
  command(`inspect(${show(sessionKey)}, first ${count})`, async (model, real) => {
    const peeked = await run(real.ledger.peek(sessionKey))
    const ids = peeked.slice(0, count).map((event) => event.eventId)
    expect(ids).toEqual((queueOf(model, sessionKey)?.events ?? []).slice(0, count).map((e) => e.id))
    model.inspections.push({ sessionKey, ids })
  })

/** Consumes a kept inspection — fresh if nothing touched the queue since, stale otherwise. */
const consumeInspectedCmd = (pick: number) =>
  command(
    `consume(inspection #${pick})`,
    async (model, real) => {
      const inspection = model.inspections[pick % model.inspections.length]!
      const expected = consume(model, inspection.sessionKey, inspection.ids)
      const removed = await run(real.ledger.consume(inspection.sessionKey, inspection.ids))
      expect(removed.map((event) => event.eventId)).toEqual(expected)
      if (expected.length === 0 && inspection.ids.length > 0) seen.staleConsumes++
      else seen.freshConsumes++
      await expectSameQueue(model, real, inspection.sessionKey)
    },
    (model) => model.inspections.length > 0,
  )

/** Peek then consume at once: a fresh inspection always removes exactly what it saw. */
const consumeFreshCmd = (sessionKey: string, count: number) =>
  command(`consume-fresh(${show(sessionKey)}, first ${count})`, async (model, real) => {
    const peeked = await run(real.ledger.peek(sessionKey))
    const ids = peeked.slice(0, count).map((event) => event.eventId)
    const expected = consume(model, sessionKey, ids)
    expect(expected).toEqual(ids)
    const removed = await run(real.ledger.consume(sessionKey, ids))
    expect(removed.map((event) => event.eventId)).toEqual(ids)
    await expectSameQueue(model, real, sessionKey)
  })

const drainCmd = (sessionKey: string) =>
  command(`drain(${show(sessionKey)})`, async (model, real) => {
    const expected = (queueOf(model, sessionKey)?.events ?? []).map((event) => event.id)
    model.queues.delete(queueKeyOf(sessionKey))
    const drained = await run(real.ledger.drain(sessionKey))
    seen.drains++
    expect(drained.map((event) => event.eventId)).toEqual(expected)
    expect(await run(real.ledger.peek(sessionKey))).toEqual([])
  })

const contextChangedCmd = (sessionKey: string, contextKey: string | undefined) =>
  command(`isContextChanged(${show(sessionKey)}, ${show(contextKey)})`, async (model, real) => {
    const expected = contextOf(contextKey) !== queueOf(model, sessionKey)?.lastContextKey
    expect(await run(real.ledger.isContextChanged(sessionKey, contextKey))).toBe(expected)
  })

/** §4: a blank session key is an error ("system events require a sessionKey"). */
const blankSessionKeyCmd = command("enqueue(alpha, blank session key)", async (_model, real) => {
  const exit = await Effect.runPromise(Effect.exit(real.ledger.enqueue("alpha", { sessionKey: "  " })))
  expect(Exit.isFailure(exit)).toBe(true)
  expect(String(exit)).toContain("MissingSessionKey")
})

const commandsArb = fc.commands(
  [
    fc.tuple(keyArb, textArb, contextArb).map(([key, text, context]) => enqueueCmd(key, text, context)),
    keyArb.map((key) => duplicateCmd(key)),
    fc.tuple(keyArb, fc.integer({ min: 1, max: 23 })).map(([key, count]) => overflowCmd(key, count)),
    keyArb.map(peekCmd),
    fc.tuple(keyArb, fc.integer({ min: 0, max: 4 })).map(([key, count]) => inspectCmd(key, count)),
    fc.nat({ max: 9 }).map(consumeInspectedCmd),
    fc.tuple(keyArb, fc.integer({ min: 1, max: 4 })).map(([key, count]) => consumeFreshCmd(key, count)),
    keyArb.map(drainCmd),
    fc.tuple(keyArb, contextArb).map(([key, context]) => contextChangedCmd(key, context)),
    fc.constant(blankSessionKeyCmd),
  ],
  { maxCommands: 60, size: "max" },
)

describe("queue model", () => {
  it("the Ledger's queues behave as the plain-array model of domain.md §4", async () => {
    const started = performance.now()
    let commands = 0
    const details = await fc.check(
      fc.asyncProperty(commandsArb, async (cmds) => {
        const setup = async () => {
          const { ledger } = await makeLedgerEnv()
          const model: Model = { queues: new Map(), inspections: [], fill: 0 }
          return { model, real: { ledger } }
        }
        await fc.asyncModelRun(setup, cmds)
        commands += [...cmds].length
      }),
      { numRuns: MODEL_RUNS },
    )
    console.log(
      `queue model: ${details.numRuns} runs, ${commands} commands in ${Math.round(performance.now() - started)} ms (seed ${details.seed}); seen ${JSON.stringify(seen)}`,
    )
    if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? "queue model failed")
    expect(details.numRuns).toBe(MODEL_RUNS)
  })

  it("can fail: a model that forgets the duplicate rule disagrees with the ledger", async () => {
    const { ledger } = await makeLedgerEnv()
    const model: Model = { queues: new Map(), inspections: [], fill: 0 }
    await enqueueBoth(model, { ledger }, "agent:ops:main", "alpha", undefined)
    // Pretend the model knew no duplicate rule: the comparison must fail.
    model.queues.get("agent:ops:main")!.events = []
    await expect(enqueueBoth(model, { ledger }, "agent:ops:main", "alpha", undefined)).rejects.toThrow()
  })
})
