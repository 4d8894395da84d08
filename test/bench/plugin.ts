/**
 * The `plugin` section of `npm run bench`: what the observer plugin costs the gateway's thread
 * (infrastructure/openclaw-plugin/observer.ts, the real class, its store on its own thread),
 * against a raw baseline of the same work without it: the poll of the queue map every
 * `pollMs` (25 ms by default) for 1, 10 and 100 queues of 20 entries, the poll that finds one
 * new entry (per enqueue), and the hooks of one heartbeat run. The queue map is filled like
 * OpenClaw's (`globalThis[Symbol.for("openclaw.systemEvents.queues")]`, key → { queue }).
 */
import { Observer } from "../../infrastructure/openclaw-plugin/observer.ts"
import { QUEUE_MAP_SYMBOL } from "../../infrastructure/openclaw-plugin/queue-map-reader.ts"
import { now, type Stats, stats } from "./lib.ts"

export interface PluginFigure {
  readonly figure: string
  readonly value: Stats
  readonly raw: Stats
  readonly note: string
}

interface QueueState {
  queue: Array<Record<string, unknown>>
  lastText?: string
}

const ENTRIES = 20

let made = 0
/** One queue entry as 2026.5.12 holds it: an exec completion with its route. */
const entry = (): Record<string, unknown> => {
  made++
  return {
    text: `Exec completed (${made.toString(16).padStart(8, "0")}, code 0) :: build ok, 42 files checked`,
    ts: 1_796_000_000_000 + made,
    contextKey: `exec:${made}`,
    trusted: false,
    deliveryContext: { channel: "telegram", to: "12345", accountId: "default" },
  }
}

function queueMap(queues: number): Map<string, QueueState> {
  const map = new Map<string, QueueState>()
  for (let q = 0; q < queues; q++)
    map.set(`agent:main:chan-${q}:peer-${q}`, { queue: Array.from({ length: ENTRIES }, entry) })
  return map
}

/** What any reader of the map pays: every queue, every entry's text and time. */
function rawIteration(map: Map<string, QueueState>): number {
  let seen = 0
  for (const [key, state] of map) {
    seen += key.length
    for (const item of state.queue) if (typeof item.text === "string" && typeof item.ts === "number") seen++
  }
  return seen
}

/** Median of `runs` timings of `ops` calls of `once`, per call (ms). */
function perCall(runs: number, ops: number, once: (i: number) => void): Stats {
  for (let i = 0; i < Math.min(ops, 50); i++) once(i)
  const values: number[] = []
  for (let r = 0; r < runs; r++) {
    const start = now()
    for (let i = 0; i < ops; i++) once(i)
    values.push((now() - start) / ops)
  }
  return stats(values)
}

async function withObserver<T>(map: Map<string, QueueState>, body: (observer: Observer) => T): Promise<T> {
  const global = globalThis as Record<symbol, unknown>
  global[QUEUE_MAP_SYMBOL] = map
  // The timer never fires during a measurement: every poll is the bench's own.
  const observer = new Observer(
    {
      pluginConfig: { store: "memory:", pollMs: 1_000_000, bufferLimit: 1_000_000 },
      config: { plugins: { entries: { "heartbeat-ledger": { hooks: { allowConversationAccess: true } } } } },
    },
    () => {},
  )
  try {
    return body(observer)
  } finally {
    await observer.stop()
    delete global[QUEUE_MAP_SYMBOL]
  }
}

const HEARTBEAT_PROMPT =
  "System: [2026-12-01 10:00:00 UTC] Exec completed (0000abcd, code 0) :: build ok\n" +
  "System: [2026-12-01 10:00:01 UTC] Cron job nightly finished\n\n" +
  `Read HEARTBEAT.md if it exists. ${"Follow it strictly. ".repeat(100)}`

export async function pluginFigures(runs: number, smoke: boolean): Promise<ReadonlyArray<PluginFigure>> {
  const figures: PluginFigure[] = []
  for (const queues of [1, 10, 100]) {
    const map = queueMap(queues)
    const ops = smoke ? 5 : Math.max(50, Math.round(20_000 / queues))
    const raw = perCall(runs, ops, () => rawIteration(map))
    const value = await withObserver(map, (observer) => perCall(runs, ops, () => observer.poll()))
    figures.push({
      figure: `poll, ${queues} queue${queues === 1 ? "" : "s"} × ${ENTRIES} entries, nothing changed`,
      value,
      raw,
      note: "every pollMs (25 ms); raw: iterating the same map",
    })
  }

  const map = queueMap(10)
  const target = map.get("agent:main:chan-0:peer-0") as QueueState
  const ops = smoke ? 5 : 1_000
  const fresh = Array.from({ length: ops + 60 }, entry)
  // Raw: OpenClaw's own enqueue and drain of the entry, plus one read of the map.
  const rawEnqueue = perCall(runs, ops, (i) => {
    target.queue.push(fresh[i] as Record<string, unknown>)
    rawIteration(map)
    target.queue.pop()
  })
  const enqueue = await withObserver(map, (observer) =>
    perCall(runs, ops, (i) => {
      target.queue.push(fresh[i] as Record<string, unknown>)
      observer.poll()
      target.queue.pop()
      observer.poll()
    }),
  )
  figures.push({
    figure: "one enqueue and its removal, 10×20 map (2 polls, 2 facts buffered)",
    value: enqueue,
    raw: rawEnqueue,
    note: "raw: push, one read of the map, pop",
  })

  const runCtx = (i: number) => ({
    agentId: "main",
    sessionKey: "agent:main:main",
    runId: `run-${i}`,
    trigger: "heartbeat",
  })
  const rawRun = perCall(runs, ops, () => {
    rawIteration(map)
    HEARTBEAT_PROMPT.split("\n").length
  })
  const heartbeat = await withObserver(map, (observer) =>
    perCall(runs, ops, (i) => {
      observer.handle("before_prompt_build", { prompt: HEARTBEAT_PROMPT, messages: [] }, runCtx(i))
      observer.handle(
        "llm_input",
        { runId: `run-${i}`, prompt: HEARTBEAT_PROMPT, historyMessages: [], imagesCount: 0 },
        runCtx(i),
      )
      observer.handle(
        "agent_end",
        { runId: `run-${i}`, messages: [], success: true, durationMs: 5 },
        runCtx(i),
      )
    }),
  )
  figures.push({
    figure: "one heartbeat run's hooks (prompt, model input, run end), 10×20 map",
    value: heartbeat,
    raw: rawRun,
    note: "raw: one read of the map and of the prompt",
  })
  return figures
}
