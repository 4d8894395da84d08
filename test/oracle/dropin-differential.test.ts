/**
 * The drop-in, differentially: one random sequence of calls goes through OpenClaw 2026.5.12's
 * real system-events and heartbeat-wake modules and through `heartbeat-ledger/openclaw`'s
 * module-level functions (memory store), under fake timers on both sides. Every return value
 * (or thrown message), every entry as a whole (deep strict equality: keys, undefined-valued
 * keys and values), and every wake object the handler receives, with the fake time it arrives
 * at, must be equal, by vitest's toStrictEqual and by node:assert's deepStrictEqual.
 * HEARTBEAT_LEDGER_DROPIN_RUNS sets the number of sequences.
 */
import assert from "node:assert"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import fc from "fast-check"
import { afterAll, beforeAll, expect, it, vi } from "vitest"
import * as ours from "../../infrastructure/openclaw/index.ts"
import { describeOracle } from "./describe-oracle.ts"
import { chunkExportNames, loadOracleModule, regionIndex } from "./load.ts"
import { FIXED_RELEASE, releasePackageDir } from "./releases.ts"

const RUNS = Number(process.env.HEARTBEAT_LEDGER_DROPIN_RUNS ?? 1000)

type Entry = ours.SystemEvent
type Wake = ours.HeartbeatWakeRequest
type Answer = "ran" | "lanes-busy" | "requests-in-flight" | "other-skip" | "failed" | "throw"

/** The calls both sides must answer alike. */
interface Surface {
  enqueueSystemEvent(text: string, options: ours.SystemEventOptions): boolean
  peekSystemEvents(key: string): string[]
  peekSystemEventEntries(key: string): Entry[]
  drainSystemEvents(key: string): string[]
  drainSystemEventEntries(key: string): Entry[]
  consumeSystemEventEntries(key: string, entries: readonly Entry[]): Entry[]
  consumeSelectedSystemEventEntries(key: string, entries: readonly Entry[]): Entry[]
  hasSystemEvents(key: string): boolean
  isSystemEventContextChanged(key: string, contextKey?: string | null): boolean
  resolveSystemEventDeliveryContext(entries: readonly Entry[]): ours.DeliveryContext | undefined
  requestHeartbeat(options: Parameters<typeof ours.requestHeartbeat>[0]): void
  setHeartbeatWakeHandler(handler: ((wake: Wake) => Promise<ours.HeartbeatRunResult>) | null): () => void
  setHeartbeatsEnabled(enabled: boolean): void
  areHeartbeatsEnabled(): boolean
  isRetryableHeartbeatBusySkipReason(reason: string): boolean
}

// ── the calls, as data ───────────────────────────────────────────────────────────────────────

type Op =
  | { readonly op: "enqueue"; readonly key: string; readonly text: string; readonly options: object }
  | { readonly op: "burst"; readonly key: string; readonly count: number; readonly options: object }
  | { readonly op: "peek" | "peekEntries" | "drain" | "drainEntries" | "has"; readonly key: string }
  | { readonly op: "contextChanged"; readonly key: string; readonly contextKey: string | null | undefined }
  | {
      readonly op: "consume"
      readonly key: string
      readonly from: number
      readonly count: number
      readonly copy: boolean
    }
  | { readonly op: "consumeSelected"; readonly key: string; readonly picks: ReadonlyArray<number> }
  | { readonly op: "resolveDelivery" }
  | { readonly op: "request"; readonly options: Parameters<typeof ours.requestHeartbeat>[0] }
  | { readonly op: "setHandler"; readonly answers: ReadonlyArray<Answer> }
  | { readonly op: "clearHandler" }
  | { readonly op: "dispose"; readonly which: number }
  | { readonly op: "enabled"; readonly enabled: boolean }
  | { readonly op: "advance"; readonly ms: number }

// Mostly one queue, so that calls meet each other's events; its whitespace and case variants too.
const keys = fc.oneof(
  { weight: 6, arbitrary: fc.constant("agent:ops:main") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(" agent:ops:main ", "Agent:Ops:Main", "agent:ops:cron:j:run:r1", "   "),
  },
)
const texts = fc.oneof(
  fc.constantFrom("A", "B", " A ", "Exec finished", "", "  ", "line\nbreak"),
  fc.integer({ min: 1, max: 24 }).map((n) => `event ${n}`),
)
const contextKeys = fc.constantFrom(undefined, null, "ctx", " CTX ", "other", "", "  ")
const deliveryContexts = fc.constantFrom<ours.DeliveryContext | undefined>(
  undefined,
  {},
  { channel: "slack", to: "C1" },
  { channel: " SLACK ", to: " C1 " },
  { channel: "slack", to: "C2" },
  { channel: "discord", to: "u1", accountId: "Main Acct", threadId: 42 },
  { channel: "discord", to: "u1", accountId: "main-acct", threadId: "42" },
  { channel: "discord", to: "u1", threadId: 4.7 },
  { channel: "matrix" },
  { to: "  ", accountId: "__proto__" },
  { channel: "slack", to: "C1", deliveryIntent: { id: "i1", kind: "outbound_queue" } },
)
const enqueueOptions = fc
  .record(
    {
      contextKey: contextKeys,
      deliveryContext: deliveryContexts,
      trusted: fc.constantFrom(true, false, undefined),
    },
    { requiredKeys: [] },
  )
  .map((options) => options as object)

const wakeRequests = fc.record(
  {
    source: fc.constantFrom("exec-event", "manual", "interval", "cron", "retry", "other", "hook"),
    intent: fc.constantFrom("event", "manual", "immediate", "scheduled"),
    reason: fc.constantFrom(undefined, "exec-event", " ", "retry", "interval", "cron:job"),
    coalesceMs: fc.constantFrom(undefined, 0, 10, 250, 1_000, -5),
    agentId: fc.constantFrom(undefined, "ops", " ops ", ""),
    sessionKey: fc.constantFrom(undefined, "agent:ops:main", " "),
    heartbeat: fc.constantFrom(undefined, { target: "last" }, { target: "slack", to: "C1" }),
  },
  { requiredKeys: ["source", "intent"] },
) as fc.Arbitrary<Parameters<typeof ours.requestHeartbeat>[0]>

const answers = fc.array(
  fc.constantFrom<Answer>("ran", "ran", "lanes-busy", "requests-in-flight", "other-skip", "failed", "throw"),
  { maxLength: 6 },
)

const ops: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant("enqueue" as const),
      key: keys,
      text: texts,
      options: enqueueOptions,
    }),
  },
  // Past the 20-event cap; a repeated burst re-enqueues texts equal to entries shown before.
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("burst" as const),
      key: keys,
      count: fc.integer({ min: 5, max: 25 }),
      options: enqueueOptions,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constantFrom("peek", "peekEntries", "drain", "drainEntries", "has"),
      key: keys,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("contextChanged" as const), key: keys, contextKey: contextKeys }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("consume" as const),
      key: keys,
      from: fc.nat(3),
      count: fc.nat(4),
      copy: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("consumeSelected" as const),
      key: keys,
      picks: fc.array(fc.nat(8), { maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: "resolveDelivery" as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("request" as const), options: wakeRequests }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("setHandler" as const), answers }) },
  { weight: 1, arbitrary: fc.constant({ op: "clearHandler" as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("dispose" as const), which: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("enabled" as const), enabled: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("advance" as const),
      ms: fc.constantFrom(0, 1, 10, 250, 999, 1_000, 1_500),
    }),
  },
)

// ── one side: its surface, the entries it last showed, its handlers' calls ──────────────────

interface WakeCall {
  readonly at: number
  readonly handler: number
  readonly wake: Wake
}

const answerOf = async (answer: Answer | undefined): Promise<ours.HeartbeatRunResult> => {
  switch (answer) {
    case undefined:
    case "ran":
      return { status: "ran", durationMs: 1 }
    case "lanes-busy":
    case "requests-in-flight":
      return { status: "skipped", reason: answer }
    case "other-skip":
      return { status: "skipped", reason: "disabled" }
    case "failed":
      return { status: "failed", reason: "boom" }
    case "throw":
      throw new Error("runner crashed")
  }
}

class Side {
  readonly wakes: WakeCall[] = []
  /** The entries the last peekEntries of each key returned (each side passes back its own). */
  readonly shown = new Map<string, Entry[]>()
  readonly disposers: Array<() => void> = []

  readonly surface: Surface
  constructor(surface: Surface) {
    this.surface = surface
  }

  private handler(index: number, script: ReadonlyArray<Answer>) {
    let calls = 0
    return async (wake: Wake) => {
      this.wakes.push({ at: Date.now(), handler: index, wake })
      return answerOf(script[calls++])
    }
  }

  /** Runs one call: its value, or the message it threw. */
  apply(op: Op): unknown {
    try {
      return { value: this.call(op) }
    } catch (error) {
      return { threw: error instanceof Error ? error.message : String(error) }
    }
  }

  private call(op: Op): unknown {
    const s = this.surface
    switch (op.op) {
      case "enqueue":
        return s.enqueueSystemEvent(op.text, { sessionKey: op.key, ...op.options })
      case "burst":
        return Array.from({ length: op.count }, (_, index) =>
          s.enqueueSystemEvent(`burst ${index}`, { sessionKey: op.key, ...op.options }),
        )
      case "peek":
        return s.peekSystemEvents(op.key)
      case "peekEntries": {
        const entries = s.peekSystemEventEntries(op.key)
        this.shown.set(op.key, entries)
        return entries
      }
      case "drain":
        return s.drainSystemEvents(op.key)
      case "drainEntries":
        return s.drainSystemEventEntries(op.key)
      case "has":
        return s.hasSystemEvents(op.key)
      case "contextChanged":
        return s.isSystemEventContextChanged(op.key, op.contextKey)
      case "consume": {
        const picked = (this.shown.get(op.key) ?? []).slice(op.from, op.from + op.count)
        return s.consumeSystemEventEntries(op.key, op.copy ? picked.map((entry) => ({ ...entry })) : picked)
      }
      case "consumeSelected": {
        const shown = this.shown.get(op.key) ?? []
        const picked = shown.length === 0 ? [] : op.picks.map((pick) => shown[pick % shown.length] as Entry)
        return s.consumeSelectedSystemEventEntries(op.key, picked)
      }
      case "resolveDelivery":
        return [...this.shown.values()].map((entries) => s.resolveSystemEventDeliveryContext(entries))
      case "request":
        return s.requestHeartbeat(op.options)
      case "setHandler":
        this.disposers.push(s.setHeartbeatWakeHandler(this.handler(this.disposers.length, op.answers)))
        return undefined
      case "clearHandler":
        this.disposers.push(s.setHeartbeatWakeHandler(null))
        return undefined
      case "dispose":
        this.disposers[op.which]?.()
        return undefined
      case "enabled":
        s.setHeartbeatsEnabled(op.enabled)
        return [s.areHeartbeatsEnabled(), s.isRetryableHeartbeatBusySkipReason("lanes-busy")]
      case "advance":
        return undefined
    }
  }
}

// ── the oracle's modules, a fresh heartbeat-wake per sequence (its state is module-level) ────

let systemEvents: Record<string, unknown>
let wakeChunk: { readonly url: string; readonly names: ReadonlyMap<string, string> }
let loads = 0

async function freshOracle(): Promise<Surface> {
  const module = (await import(`${wakeChunk.url}?sequence=${loads++}`)) as Record<string, unknown>
  const wake: Record<string, unknown> = {}
  for (const [alias, real] of wakeChunk.names) wake[real] = module[alias]
  ;(systemEvents.resetSystemEventsForTest as () => void)()
  return { ...systemEvents, ...wake } as unknown as Surface
}

/** Lets both sides' timers and promise chains run to `ms` later, in fake time. */
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms)

async function runBoth(sequence: ReadonlyArray<Op>): Promise<{ theirs: unknown[]; mine: unknown[] }> {
  const theirs = new Side(await freshOracle())
  const mine = new Side(ours as unknown as Surface)
  const results: { theirs: unknown[]; mine: unknown[] } = { theirs: [], mine: [] }
  vi.useFakeTimers({ now: 1_700_000_000_000 })
  try {
    for (const op of sequence) {
      // Each call runs inside a timer tick, as gateway code does (from an event or a timer):
      // there, as in real Node, OpenClaw's setTimeout(fn, 0) waits 1 ms (fake-timers' rule too).
      setTimeout(() => {
        results.theirs.push(theirs.apply(op))
        results.mine.push(mine.apply(op))
      }, 0)
      await advance(0)
      if (op.op === "advance") await advance(op.ms)
    }
    // Whatever is still owed (retries included) arrives within a few cooldowns.
    await advance(5_000)
  } finally {
    // Both handlers go, so that nothing of this sequence runs into the next one.
    theirs.surface.setHeartbeatWakeHandler(null)
    ours.resetHeartbeatWakeStateForTests()
    vi.useRealTimers()
    await ours.resetDefaultSystemEvents()
  }
  results.theirs.push({ wakes: theirs.wakes })
  results.mine.push({ wakes: mine.wakes })
  return results
}

describeOracle("the drop-in against openclaw@2026.5.12's modules", () => {
  let store: string | undefined
  beforeAll(async () => {
    store = process.env.HEARTBEAT_LEDGER_STORE
    process.env.HEARTBEAT_LEDGER_STORE = "memory:"
    await ours.resetDefaultSystemEvents()
    systemEvents = await loadOracleModule(FIXED_RELEASE, "src/infra/system-events.ts")
    const dist = join(releasePackageDir(FIXED_RELEASE), "dist")
    const file = (regionIndex(FIXED_RELEASE)["src/infra/heartbeat-wake.ts"] ?? []).find((name) =>
      name.startsWith("heartbeat-wake-"),
    )
    if (file === undefined) throw new Error("openclaw@2026.5.12: no heartbeat-wake chunk")
    const { readFileSync } = await import("node:fs")
    wakeChunk = {
      url: pathToFileURL(join(dist, file)).href,
      names: chunkExportNames(readFileSync(join(dist, file), "utf8")),
    }
  })
  afterAll(async () => {
    await ours.resetDefaultSystemEvents()
    if (store === undefined) delete process.env.HEARTBEAT_LEDGER_STORE
    else process.env.HEARTBEAT_LEDGER_STORE = store
  })

  const seen = { sequences: 0, calls: 0, entries: 0, wakes: 0, retried: 0 }
  const tally = (sequence: ReadonlyArray<Op>, theirs: ReadonlyArray<unknown>) => {
    seen.sequences++
    seen.calls += sequence.length
    const wakes = (theirs[theirs.length - 1] as { wakes: WakeCall[] }).wakes
    seen.wakes += wakes.length
    seen.retried += wakes.filter((call, index) =>
      wakes
        .slice(0, index)
        .some((w) => w.handler === call.handler && w.at < call.at && call.at - w.at >= 1_000),
    ).length
    for (const result of theirs) {
      const value = (result as { value?: unknown }).value
      if (Array.isArray(value)) seen.entries += value.filter((item) => typeof item === "object").length
    }
  }
  afterAll(() => {
    console.log(
      `drop-in differential: ${seen.sequences} sequences, ${seen.calls} calls, ${seen.entries} entries and ${seen.wakes} wakes (${seen.retried} after a cooldown) compared`,
    )
  })

  it(`${RUNS} random call sequences: equal returns, whole entries and wakes`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ops, { minLength: 1, maxLength: 60, size: "max" }), async (sequence) => {
        const { theirs, mine } = await runBoth(sequence)
        tally(sequence, theirs)
        for (let step = 0; step < theirs.length; step++) {
          expect(mine[step], `step ${step}: ${JSON.stringify(sequence[step])}`).toStrictEqual(theirs[step])
          // node:assert's strict deep equality too (it also compares prototypes and symbol keys).
          assert.deepStrictEqual(mine[step], theirs[step])
        }
      }),
      { numRuns: RUNS },
    )
  })
}, [FIXED_RELEASE])
