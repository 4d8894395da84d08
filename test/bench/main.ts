/**
 * `npm run bench`: throughput, memory and latency of heartbeat-ledger against the raw speed of
 * the store underneath, measured in the same run. See docs/performance.md.
 *
 *   node test/bench/main.ts [--events N] [--runs N] [--stores memory,sqlite,sqlite-normal]
 *                           [--memory-events 1000000,5000000] [--sections append,replay,memory,micro,latency,plugin]
 *                           [--profile] [--json] [--smoke]
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { getHeapSpaceStatistics } from "node:v8"
import { Effect, Fiber, Stream } from "effect"
import type { EventData } from "../../application/event-store.ts"
import { auditProjection } from "../../application/projections/audit.ts"
import {
  applyRecords,
  catchUpProjection,
  initial,
  type Projection,
} from "../../application/projections/projection.ts"
import { queuesProjection } from "../../application/projections/queues.ts"
import { decideEnqueue, emptyQueue, normalizeQueueKey } from "../../domain/queue.ts"
import { resolveEventSessionKey } from "../../domain/routing.ts"
import { makeLogGenerator } from "./events.ts"
import { fmtMB, fmtMs, fmtRate, fmtRatio, now, quantileOf, repeat, type Stats, stats, table } from "./lib.ts"
import { pluginFigures } from "./plugin.ts"
import {
  benchDir,
  dropPgSchema,
  openStore,
  rawPgInsert,
  rawSqliteInsert,
  rawSqliteScan,
  removeBenchDir,
  removeDb,
  rowsOf,
  type StoreKind,
  schemaOf,
  syncOf,
} from "./stores.ts"

const SELF = fileURLToPath(import.meta.url)
const NODE = process.execPath

const { values: args } = parseArgs({
  options: {
    events: { type: "string" },
    runs: { type: "string" },
    warmup: { type: "string" },
    stores: { type: "string" },
    "append-events": { type: "string" },
    "append-single-events": { type: "string" },
    "memory-events": { type: "string" },
    sections: { type: "string" },
    profile: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    smoke: { type: "boolean", default: false },
    out: { type: "string" },
    // Keep the replay logs in this folder (`replay-<events>.db`) and reuse them on later runs.
    "log-dir": { type: "string" },
    // Internal: a child process that replays a log and reports its peak memory.
    child: { type: "string" },
    db: { type: "string" },
    projection: { type: "string" },
  },
})

const smoke = args.smoke === true
const int = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value))
const config = {
  events: int(args.events, smoke ? 2_000 : 1_000_000),
  runs: int(args.runs, smoke ? 1 : 5),
  warmup: int(args.warmup, smoke ? 0 : 1),
  appendEvents: int(args["append-events"], smoke ? 400 : 5_000),
  appendSingleEvents: int(args["append-single-events"], smoke ? 40 : 2_000),
  memoryEvents: (args["memory-events"] ?? (smoke ? "2000" : "1000000")).split(",").map(Number),
  stores: (
    args.stores ?? `memory,sqlite,sqlite-normal${process.env.HEARTBEAT_LEDGER_PG_URL ? ",postgres" : ""}`
  ).split(",") as StoreKind[],
  sections: (args.sections ?? "append,replay,memory,micro,latency,plugin").split(","),
  latencySamples: smoke ? 20 : 1_000,
  microCalls: smoke ? 2_000 : 200_000,
}

// ── results ───────────────────────────────────────────────────────────────────────────────

interface Result {
  readonly section: string
  readonly figure: string
  readonly store: string
  readonly unit: "events/s" | "ms" | "bytes"
  readonly value: Stats
  readonly raw?: Stats
  /** median / raw median */
  readonly ratio?: number
  readonly note?: string
  readonly extra?: Record<string, unknown>
}
const results: Result[] = []
const log = (line: string) => {
  if (!args.json) process.stderr.write(`${line}\n`)
}
const add = (result: Result) => {
  results.push(result)
  log(`  ${result.section} ${result.figure} ${result.store}: ${format(result.unit, result.value.median)}`)
}
const format = (unit: Result["unit"], value: number) =>
  unit === "events/s" ? fmtRate(value) : unit === "ms" ? fmtMs(value) : fmtMB(value)

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

// ── 1. append throughput ──────────────────────────────────────────────────────────────────

async function appendOnce(kind: StoreKind, batchSize: number, writers: number, total: number) {
  const generator = makeLogGenerator(batchSize * 31 + writers)
  const perWriter = Math.max(1, Math.floor(total / writers / batchSize))
  // Each writer its own stream; batches generated before the clock starts.
  const plans = Array.from({ length: writers }, (_, w) => ({
    streamId: `hbl-queue-agent:main:bench-writer-${w}`,
    batches: Array.from({ length: perWriter }, () => generator.batch(batchSize).events),
  }))
  const opened = await openStore(kind)
  let seconds: number
  try {
    const start = now()
    await run(
      Effect.all(
        plans.map((plan) =>
          Effect.gen(function* () {
            let revision = -1
            for (const batch of plan.batches) {
              const result = yield* opened.store.append(
                plan.streamId,
                batch,
                revision < 0 ? "no-stream" : revision,
              )
              revision = result.nextExpectedRevision
            }
          }),
        ),
        { concurrency: "unbounded", discard: true },
      ),
    )
    seconds = (now() - start) / 1000
  } finally {
    await opened.close()
  }
  const count = writers * perWriter * batchSize
  let raw: number
  if (opened.path !== undefined) {
    const rows = rowsOf(opened.path)
    raw = rawSqliteInsert(rows, batchSize, syncOf(kind), schemaOf(opened.path))
    removeDb(opened.path)
  } else if (opened.pgSchema !== undefined) {
    raw = await rawPgInsert(opened.pgSchema, batchSize)
    await dropPgSchema(opened.pgSchema)
  } else {
    raw = rawMemoryAppend(plans.flatMap((plan) => plan.batches))
  }
  return { rate: count / seconds, raw }
}

/** The memory store's raw work: JSON round trip of each event's data and a push to an array. */
function rawMemoryAppend(batches: ReadonlyArray<ReadonlyArray<EventData>>): number {
  const all: unknown[] = []
  const start = now()
  let count = 0
  for (const batch of batches) {
    for (const event of batch) {
      all.push({ ...event, data: JSON.parse(JSON.stringify(event.data)) })
      count++
    }
  }
  return count / ((now() - start) / 1000)
}

async function appendSection() {
  log("append throughput")
  for (const kind of config.stores) {
    if (kind === "postgres" && !process.env.HEARTBEAT_LEDGER_PG_URL) {
      log("  postgres: HEARTBEAT_LEDGER_PG_URL not set, skipped")
      continue
    }
    for (const batchSize of [1, 100]) {
      for (const writers of [1, 4]) {
        const total = batchSize === 1 ? config.appendSingleEvents : config.appendEvents
        const runs = await repeat(config.warmup, config.runs, () =>
          appendOnce(kind, batchSize, writers, total),
        )
        const value = stats(runs.map((r) => r.rate))
        const raw = stats(runs.map((r) => r.raw))
        add({
          section: "append",
          figure: `batch ${batchSize}, ${writers} writer${writers > 1 ? "s" : ""}`,
          store: kind,
          unit: "events/s",
          value,
          raw,
          ratio: value.median / raw.median,
          extra: { eventsPerRun: total },
        })
      }
    }
  }
}

// ── 2. replay throughput ──────────────────────────────────────────────────────────────────

interface AllState {
  audit: ReturnType<typeof auditProjection.init>
  queues: ReturnType<typeof queuesProjection.init>
}
/** Every projection in one pass: one decode per event, each projection folds it. */
const allProjections: Projection<AllState> = {
  name: "all",
  init: () => ({ audit: auditProjection.init(), queues: queuesProjection.init() }),
  evolve: (state, event, record) => {
    state.audit = auditProjection.evolve(state.audit, event, record)
    state.queues = queuesProjection.evolve(state.queues, event, record)
    return state
  },
  toJSON: (state) => ({
    audit: auditProjection.toJSON(state.audit),
    queues: queuesProjection.toJSON(state.queues),
  }),
  fromJSON: (json) => {
    const j = json as { audit: unknown; queues: unknown }
    return { audit: auditProjection.fromJSON(j.audit), queues: queuesProjection.fromJSON(j.queues) }
  },
}
/** No projection: what reading and decoding alone cost (the floor under every projection). */
const decodeOnly: Projection<number> = {
  name: "decode",
  init: () => 0,
  evolve: (count) => count + 1,
  toJSON: (count) => count,
  fromJSON: (json) => json as number,
}
/**
 * The least a projection can do that still follows the log: each accepted event's id in one Map
 * until a fate names it. Not a product projection: a floor, so that the table shows what one
 * Map operation per event id costs on top of reading and decoding (docs/performance.md).
 */
const pendingIdsOnly: Projection<Map<string, number>> = {
  name: "pending-ids",
  init: () => new Map(),
  evolve: (pending, event) => {
    if (event._tag === "SystemEventEnqueued") pending.set(event.eventId, event.at)
    else if (event._tag === "HeartbeatRan") for (const id of event.consumed) pending.delete(id)
    return pending
  },
  toJSON: (pending) => [...pending],
  fromJSON: (json) => new Map(json as Array<[string, number]>),
}
const projections: Record<string, Projection<unknown>> = {
  all: allProjections as Projection<unknown>,
  decode: decodeOnly as Projection<unknown>,
  "pending-ids": pendingIdsOnly as Projection<unknown>,
  audit: auditProjection as Projection<unknown>,
  queues: queuesProjection as Projection<unknown>,
}

/** The table's name for a replay row (default: "<projection> alone"). */
const FIGURE_OF: Readonly<Record<string, string>> = {
  all: "all projections",
  decode: "read + decode, no projection",
  "pending-ids": "read + decode + pending ids only (floor)",
}

/** Writes `count` events through the SQLite store's append, 5,000 per batch. */
async function buildLog(count: number): Promise<string> {
  const kept = args["log-dir"] === undefined ? undefined : join(args["log-dir"], `replay-${count}.db`)
  if (kept !== undefined && existsSync(kept)) {
    log(`  reusing the log of ${count} events in ${kept}`)
    return kept
  }
  if (kept !== undefined) mkdirSync(args["log-dir"] as string, { recursive: true })
  const opened = await openStore("sqlite-normal", kept)
  const generator = makeLogGenerator(1)
  const start = now()
  await run(
    Effect.gen(function* () {
      const cfg = generator.config()
      yield* opened.store.append(cfg.streamId, cfg.events, "any")
      let written = cfg.events.length
      while (written < count) {
        // Each batch on its queue's own stream: 64 long streams (≈78k events each at 5M).
        const batch = generator.batch(Math.min(5_000, count - written))
        yield* opened.store.append(batch.streamId, batch.events, "any")
        written += batch.events.length
      }
    }),
  )
  await opened.close()
  log(`  built a log of ${count} events in ${((now() - start) / 1000).toFixed(1)} s`)
  return opened.path as string
}

async function replayOnce(path: string, projection: Projection<unknown>) {
  const opened = await openStore("sqlite-normal", path)
  try {
    const start = now()
    const done = await run(catchUpProjection(projection, opened.store))
    return { rate: done.checkpoint / ((now() - start) / 1000), events: done.checkpoint }
  } finally {
    await opened.close()
  }
}

let replayLog: { path: string; events: number } | undefined
async function replayLogOf(count: number) {
  if (replayLog?.events !== count) replayLog = { path: await buildLog(count), events: count }
  return replayLog.path
}

/**
 * Each run in a fresh Node process (same flags, same start), raw and projections interleaved
 * round by round: measured in one long-lived process, a run's speed depended on what ran before
 * it (heap sizing, a GC mode that sometimes promoted whole pages), and the raw scan's spread was
 * 245k–333k/s.
 */
async function replaySection() {
  log(`replay throughput (${config.events} events, SQLite; each run a fresh process)`)
  const path = await replayLogOf(config.events)
  const kinds = ["raw", "port-read", ...Object.keys(projections)]
  const rates = new Map<string, number[]>(kinds.map((kind) => [kind, []]))
  for (let round = 0; round < config.warmup + config.runs; round++) {
    for (const kind of kinds) {
      const rate =
        kind === "raw"
          ? spawnRawScan(path)
          : kind === "port-read"
            ? spawnPortRead(path)
            : spawnReplay(path, kind).rate
      if (round >= config.warmup) rates.get(kind)?.push(rate)
    }
  }
  const rawStats = stats(rates.get("raw") ?? [])
  add({
    section: "replay",
    figure: "raw scan + JSON.parse",
    store: "sqlite",
    unit: "events/s",
    value: rawStats,
  })
  const portRead = stats(rates.get("port-read") ?? [])
  add({
    section: "replay",
    figure: "port read, no decode",
    store: "sqlite",
    unit: "events/s",
    value: portRead,
    raw: rawStats,
    ratio: portRead.median / rawStats.median,
    note: "the store's readAll stream of RecordedEvents, nothing decoded: the ceiling of any replay",
  })
  for (const name of Object.keys(projections)) {
    const value = stats(rates.get(name) ?? [])
    add({
      section: "replay",
      figure: FIGURE_OF[name] ?? `${name} alone`,
      store: "sqlite",
      unit: "events/s",
      value,
      raw: rawStats,
      ratio: value.median / rawStats.median,
    })
  }
}

/** Runs this file as a `--child` process and returns the JSON of its last line of output. */
function spawnChild<A>(args: ReadonlyArray<string>): A {
  const child = spawnSync(NODE, [...args], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 })
  if (child.status !== 0) throw new Error(`bench child ${args.join(" ")} failed: ${child.stderr}`)
  return JSON.parse(child.stdout.trim().split("\n").pop() as string) as A
}

const spawnRawScan = (path: string): number =>
  spawnChild<{ rate: number }>([SELF, "--child", "raw-scan", "--db", path]).rate

const spawnPortRead = (path: string): number =>
  spawnChild<{ rate: number }>([SELF, "--child", "port-read", "--db", path]).rate

/** The store's own read, through the port, with nothing decoded or folded. */
async function childPortRead() {
  const opened = await openStore("sqlite-normal", args.db as string)
  try {
    let records = 0
    let sink = 0
    const start = now()
    await run(
      opened.store.readAll().pipe(
        Stream.runForEachArray((page) =>
          Effect.sync(() => {
            for (const record of page) {
              records++
              sink += record.position
            }
          }),
        ),
      ),
    )
    const rate = records / ((now() - start) / 1000)
    if (sink < 0) console.log(sink)
    process.stdout.write(`${JSON.stringify({ rate, records })}\n`)
  } finally {
    await opened.close()
  }
}

// ── 3. peak memory of a replay (child process) ────────────────────────────────────────────

async function childReplay() {
  const path = args.db as string
  const projection = projections[args.projection ?? "all"] as Projection<unknown>
  let peakSampled = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    peakSampled = Math.max(peakSampled, process.memoryUsage.rss())
  }, 10)
  const before = process.memoryUsage.rss()
  const { rate, events } = await replayOnce(path, projection)
  clearInterval(sampler)
  peakSampled = Math.max(peakSampled, process.memoryUsage.rss())
  // Where the heap went: the young generation's reserved size vs what survives (old space).
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space]))
  process.stdout.write(
    `${JSON.stringify({
      events,
      rate,
      rssBefore: before,
      peakSampled,
      maxRss: process.resourceUsage().maxRSS * 1024,
      newSpaceSize: spaces.new_space?.space_size ?? 0,
      oldSpaceUsed: spaces.old_space?.space_used_size ?? 0,
    })}\n`,
  )
}

const spawnReplay = (path: string, projection: string, nodeArgs: ReadonlyArray<string> = []) =>
  spawnChild<{
    events: number
    rate: number
    rssBefore: number
    peakSampled: number
    maxRss: number
    newSpaceSize: number
    oldSpaceUsed: number
  }>([...nodeArgs, SELF, "--child", "replay", "--db", path, "--projection", projection])

/** The built CLI, as `npm install` links it: the launcher, which caps V8's young generation. */
const LAUNCHER = fileURLToPath(new URL("../../dist/infrastructure/cli/launcher.js", import.meta.url))
const REPORT_RSS = new URL("./report-rss.mjs", import.meta.url).href

/**
 * `heartbeat-ledger audit --json` of a log: peak RSS of the CLI's process (the launcher execs
 * into it, same pid: one process, whose peak covers both).
 */
function spawnCliAudit(path: string) {
  const file = join(benchDir(), `rss-${process.pid}-${Date.now()}.jsonl`)
  const start = now()
  const child = spawnSync(
    NODE,
    ["--import", REPORT_RSS, LAUNCHER, "audit", "--store", `sqlite:${path}`, "--json"],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HBL_BENCH_RSS_FILE: file } },
  )
  const seconds = (now() - start) / 1000
  // Exit 1 is "audit findings" (the generated log strands one event on purpose).
  if (child.status !== 0 && child.status !== 1) throw new Error(`audit failed: ${child.stderr}`)
  const events = (JSON.parse(child.stdout) as { events: number }).events
  const reports = readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { execArgv: string[]; maxRss: number })
  const cli = reports.find((r) => r.execArgv.some((arg) => arg.startsWith("--max-semi-space-size")))
  if (cli === undefined) throw new Error(`no RSS report of the capped CLI in ${file}`)
  return { events, rate: events / seconds, maxRss: cli.maxRss, processes: reports.length }
}

async function memorySection() {
  log(
    "peak memory of a replay: the CLI's audit (dist/, as installed), and the library's replay on default V8 flags",
  )
  if (!existsSync(LAUNCHER)) throw new Error(`${LAUNCHER} is missing: run npm run build first`)
  for (const count of config.memoryEvents) {
    const path = count === replayLog?.events ? replayLog.path : await buildLog(count)
    // Three runs at every size: a run sometimes lands in V8's bad promotion mode (docs/performance.md).
    const runs = Math.min(config.runs, 3)
    const audits = Array.from({ length: runs }, () => spawnCliAudit(path))
    add({
      section: "memory",
      figure: `peak RSS, heartbeat-ledger audit of ${count} events`,
      store: "sqlite",
      unit: "bytes",
      value: stats(audits.map((m) => m.maxRss)),
      note:
        `the whole command (${Math.max(...audits.map((m) => m.processes))} process, execve); ` +
        `whole command ${fmtRate(stats(audits.map((m) => m.rate)).median)} incl. start-up and report`,
      extra: { measured: audits },
    })
    const measured = Array.from({ length: runs }, () => spawnReplay(path, "all"))
    add({
      section: "memory",
      figure: `peak RSS, library replay of ${count} events`,
      store: "sqlite",
      unit: "bytes",
      value: stats(measured.map((m) => m.maxRss)),
      note:
        `all projections, Node's default V8 flags, run from .ts; RSS before replay ${fmtMB(stats(measured.map((m) => m.rssBefore)).median)}; ` +
        `young generation ${fmtMB(stats(measured.map((m) => m.newSpaceSize)).median)}, ` +
        `old space used ${fmtMB(stats(measured.map((m) => m.oldSpaceUsed)).median)} at the end; ` +
        `replay ${fmtRate(stats(measured.map((m) => m.rate)).median)}`,
      extra: { measured },
    })
    if (path !== replayLog?.path && args["log-dir"] === undefined) removeDb(path)
  }
}

// ── the OpenClaw observer plugin's cost to the gateway's thread (test/bench/plugin.ts) ────────

async function pluginSection() {
  log("the observer plugin, per poll / enqueue / heartbeat run")
  for (const figure of await pluginFigures(config.runs, smoke))
    add({
      section: "plugin",
      figure: figure.figure,
      store: "-",
      unit: "ms",
      value: figure.value,
      raw: figure.raw,
      ratio: figure.value.median / figure.raw.median,
      note: figure.note,
    })
}

// ── 4. routing + deciding, and append-to-visible latency ──────────────────────────────────

function microSection() {
  log("routing + deciding one source call")
  const origins = Array.from({ length: 64 }, (_, i) =>
    i % 2 === 0 ? `agent:ops:cron:job-${i}:run:${i.toString(16)}` : `agent:main:chan-${i}:peer-${i}`,
  )
  const queue = emptyQueue("agent:main:main")
  const provenance = { source: "cron", origin: "", policy: { mainKey: "main" }, routing: "fixed" } as const
  const once = () => {
    const start = now()
    let accepted = 0
    for (let i = 0; i < config.microCalls; i++) {
      const origin = origins[i & 63] as string
      const queueKey = normalizeQueueKey(resolveEventSessionKey(origin, "main", "per-sender")) as string
      const events = decideEnqueue(queueKey === queue.queueKey ? queue : emptyQueue(queueKey), {
        eventId: "00000000-0000-4000-8000-000000000000",
        text: `Cron job ${i} finished`,
        at: 1_700_000_000_000 + i,
        provenance: { ...provenance, origin },
      })
      accepted += events.length
    }
    if (accepted === 0) throw new Error("nothing decided")
    return ((now() - start) / config.microCalls) as number
  }
  once()
  const perCall = Array.from({ length: config.runs }, once)
  add({
    section: "decide",
    figure: "resolveEventSessionKey + decideEnqueue, per call",
    store: "-",
    unit: "ms",
    value: stats(perCall),
    extra: { callsPerRun: config.microCalls },
  })
}

async function latencyOnce(kind: StoreKind) {
  const opened = await openStore(kind)
  const generator = makeLogGenerator(99)
  const samples: number[] = []
  try {
    await run(
      Effect.gen(function* () {
        let seen = 0
        let waiter: { position: number; start: number; resolve: () => void } | undefined
        let state = initial(queuesProjection)
        const subscriber = yield* opened.store.subscribeToAll().pipe(
          Stream.runForEachArray((records) =>
            Effect.sync(() => {
              const next = applyRecords(queuesProjection, state, records)
              if ("_tag" in next) throw next
              state = next
              seen = state.checkpoint
              if (waiter !== undefined && seen >= waiter.position) {
                samples.push(now() - waiter.start)
                const { resolve } = waiter
                waiter = undefined
                resolve()
              }
            }),
          ),
          Effect.forkChild,
        )
        let revision = -1
        const streamId = "hbl-queue-agent:main:latency"
        for (let i = 0; i < config.latencySamples; i++) {
          const event = generator.batch(1).events
          const start = now()
          const result = yield* opened.store.append(streamId, event, revision < 0 ? "no-stream" : revision)
          revision = result.nextExpectedRevision
          if (seen >= result.position) samples.push(now() - start)
          else
            yield* Effect.promise(
              () =>
                new Promise<void>((resolve) => {
                  waiter = { position: result.position, start, resolve }
                }),
            )
        }
        yield* Fiber.interrupt(subscriber)
      }),
    )
  } finally {
    await opened.close()
    if (opened.path !== undefined) removeDb(opened.path)
  }
  return samples.slice(Math.min(samples.length - 1, 10))
}

async function latencySection() {
  log("append-to-projection-visible latency (subscribeToAll + queues projection)")
  for (const kind of config.stores) {
    if (kind === "postgres") continue
    const runs = await repeat(config.warmup, Math.min(config.runs, 3), () => latencyOnce(kind))
    for (const [q, label] of [
      [0.5, "p50"],
      [0.99, "p99"],
    ] as const) {
      add({
        section: "latency",
        figure: `append → visible, ${label}`,
        store: kind,
        unit: "ms",
        value: stats(runs.map((samples) => quantileOf(samples, q))),
        extra: { samplesPerRun: runs[0]?.length },
      })
    }
  }
}

// ── profile ───────────────────────────────────────────────────────────────────────────────

async function profileSection() {
  log("CPU profile of one replay (all projections)")
  const path = await replayLogOf(config.events)
  const dir = join(process.cwd(), ".bench-profile")
  spawnReplay(path, "all", ["--cpu-prof", `--cpu-prof-dir=${dir}`])
  const file = readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .sort()
    .pop() as string
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
    nodes: Array<{
      id: number
      hitCount?: number
      callFrame: { functionName: string; url: string; lineNumber: number }
    }>
  }
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0)
  const bySite = new Map<string, number>()
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame
    const site = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(node_modules\/|work\/main\/)/, "")}:${lineNumber + 1}`
    bySite.set(site, (bySite.get(site) ?? 0) + (node.hitCount ?? 0))
  }
  const top = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 20)
  profileTop = top.map(([site, hits]) => `${((hits / total) * 100).toFixed(1).padStart(5)}%  ${site}`)
  log(profileTop.join("\n"))
  log(`  profile: ${join(dir, file)}`)
}
let profileTop: string[] | undefined

// ── main ──────────────────────────────────────────────────────────────────────────────────

async function main() {
  if (args.child === "replay") return childReplay()
  if (args.child === "port-read") return childPortRead()
  if (args.child === "raw-scan") {
    process.stdout.write(`${JSON.stringify(rawSqliteScan(args.db as string))}\n`)
    return
  }
  const started = now()
  log(
    `heartbeat-ledger bench: node ${process.version}, ${config.events} events, ${config.runs} runs after ${config.warmup} warm-up, stores ${config.stores.join(",")}`,
  )
  try {
    if (config.sections.includes("micro")) microSection()
    if (config.sections.includes("append")) await appendSection()
    if (config.sections.includes("latency")) await latencySection()
    if (config.sections.includes("replay")) await replaySection()
    if (config.sections.includes("memory")) await memorySection()
    if (config.sections.includes("plugin")) await pluginSection()
    if (args.profile) await profileSection()
  } finally {
    removeBenchDir()
  }
  const rows = results.map((r) => [
    r.section,
    r.figure,
    r.store,
    format(r.unit, r.value.median),
    `${format(r.unit, r.value.min)} – ${format(r.unit, r.value.max)}`,
    r.raw === undefined ? "-" : format(r.unit, r.raw.median),
    fmtRatio(r.ratio),
    String(r.value.runs),
    r.note ?? "",
  ])
  const output = {
    machine: { node: process.version, platform: process.platform, arch: process.arch },
    config,
    seconds: (now() - started) / 1000,
    results,
    profileTop,
  }
  const text = table(
    ["section", "figure", "store", "median", "spread (min – max)", "raw", "vs raw", "runs", "note"],
    rows,
  )
  if (args.json) process.stdout.write(`${JSON.stringify(output, null, 2)}\n`)
  else {
    process.stdout.write(`${text}\n`)
    process.stdout.write(`(${output.seconds.toFixed(0)} s)\n`)
  }
  writeFileSync(
    args.out ?? (smoke ? join(tmpdir(), "hbl-bench-smoke.json") : "bench-results.json"),
    `${JSON.stringify(output, null, 2)}\n`,
  )
}

await main()
