/**
 * The workload generator and runner of the property tests.
 *
 * A workload is a gateway's life in miniature: a few agents (ids spelled in random case and
 * padding, resolving to three canonical ids) with random session policies, work that starts
 * under some session key (cron runs and their descendants, durable cron jobs, hooks, main
 * sessions, all in random case) and ends later with a source's emission (every source kind),
 * config changes while work is in flight, heartbeats in between (unscoped, or targeted with
 * the wake a source sent), bursts that overflow a queue, and reaper sweeps.
 *
 * The runner replays a workload against a real Ledger on the memory store and keeps a trace
 * of what each call returned — the raw material the checkers judge.
 */
import fc from "fast-check"
import type { HeartbeatRun, PruneResult, RecordResult } from "../../application/ledger.ts"
import type { WakeRequest } from "../../domain/events.ts"
import type { RoutingName, WakeTarget } from "../../domain/routing.ts"
import type { SessionPolicy, SessionScope } from "../../domain/session-policy.ts"
import {
  ACP_PHASES,
  type AcpPhase,
  acpRelayEmission,
  cliWatchdogEmission,
  cronEmission,
  execExitEmission,
  execNoticeEmission,
  hookEmission,
  nodeEventEmission,
  type SourceEmission,
  taskEmission,
} from "../../domain/sources.ts"
import { type LedgerEnv, makeLedgerEnv, run } from "./harness.ts"

// ── agents, policies, session keys ─────────────────────────────────────────────────────────

/** The canonical agent ids. Every spelling below resolves to one of them. */
export const CANONICAL_AGENTS = ["ops", "main", "data-eng"] as const
export type AgentSlot = 0 | 1 | 2
export type CanonicalAgent = (typeof CANONICAL_AGENTS)[number]

/** Spellings of each agent id — case, padding, invalid characters — (the first is canonical). */
export const AGENT_SPELLINGS: Readonly<Record<CanonicalAgent, ReadonlyArray<string>>> = {
  ops: ["ops", "Ops", "OPS", " ops", "oPs "],
  main: ["main", "Main", "MAIN", " main ", "mAIN"],
  // Spellings outside the id pattern normalise by collapsing invalid characters to "-" (§2).
  "data-eng": ["data-eng", "Data-Eng", "DATA-ENG", " data-eng ", "Data Eng", "data  eng"],
}

export type PolicySpec = SessionPolicy

/** What a work's session key is, known to the generator (the oracle never re-parses it). */
export type OriginKind = "cron-run" | "cron-descendant" | "cron-job" | "hook" | "main"

export const isCronRunKind = (kind: OriginKind): boolean => kind === "cron-run" || kind === "cron-descendant"

// ── sources ────────────────────────────────────────────────────────────────────────────────

export type SourceSpec =
  | {
      readonly kind: "exec-exit"
      readonly processId: string
      readonly exitCode: number
      readonly signal: string | null
      readonly output: string
      readonly manualCancel: boolean
      readonly notifyOnEmptySuccess: boolean
    }
  | { readonly kind: "exec-notice"; readonly text: string; readonly contextKey: string }
  | {
      readonly kind: "acp-relay"
      readonly runId: string
      readonly label: string
      readonly phase: AcpPhase
      readonly snippet: string
      readonly seconds: number
    }
  | {
      readonly kind: "cli-watchdog"
      readonly provider: string
      readonly seconds: number
      readonly hint: string
    }
  | {
      readonly kind: "node-event"
      readonly event: "exec.started" | "exec.finished" | "exec.denied"
      readonly nodeId: string
      readonly runId: string
      readonly command: string
      readonly exitCode: number | null
      readonly timedOut: boolean
      readonly output: string
      readonly reason: string
    }
  | { readonly kind: "cron"; readonly jobId: string; readonly text: string }
  | { readonly kind: "hook"; readonly name: string; readonly text: string }
  | { readonly kind: "task"; readonly taskId: string; readonly text: string }

/** The emission a source makes when its work (run under `origin`) ends; null when silent. */
export function emissionOf(source: SourceSpec, origin: string): SourceEmission | null {
  switch (source.kind) {
    case "exec-exit":
      return execExitEmission({
        sessionKey: origin,
        processId: source.processId,
        exitCode: source.exitCode,
        signal: source.signal,
        output: source.output,
        manualCancel: source.manualCancel,
        notifyOnExit: true,
        notifyOnEmptySuccess: source.notifyOnEmptySuccess,
      })
    case "exec-notice":
      return execNoticeEmission({ sessionKey: origin, text: source.text, contextKey: source.contextKey })
    case "acp-relay":
      return acpRelayEmission({
        parentSessionKey: origin,
        runId: source.runId,
        label: source.label,
        phase: source.phase,
        snippet: source.snippet,
        seconds: source.seconds,
      })
    case "cli-watchdog":
      return cliWatchdogEmission({
        sessionKey: origin,
        provider: source.provider,
        seconds: source.seconds,
        hint: source.hint,
      })
    case "node-event":
      return nodeEventEmission({
        event: source.event,
        nodeId: source.nodeId,
        // Node events in these workloads carry an agent session key (otherwise `node-<id>`).
        sessionKey: origin,
        runId: source.runId || undefined,
        command: source.command || undefined,
        exitCode: source.exitCode,
        timedOut: source.timedOut,
        output: source.output,
        reason: source.reason || undefined,
      })
    case "cron":
      return cronEmission({ sessionKey: origin, jobId: source.jobId, text: source.text })
    case "hook":
      return hookEmission({ sessionKey: origin, name: source.name, text: source.text })
    case "task":
      return taskEmission({ sessionKey: origin, taskId: source.taskId, text: source.text })
  }
}

// ── steps ──────────────────────────────────────────────────────────────────────────────────

export interface StartStep {
  readonly op: "start"
  readonly agent: AgentSlot
  readonly originKind: OriginKind
  /** The session key the work runs under, as the gateway spells it. */
  readonly origin: string
  readonly source: SourceSpec
  /** Where the start-time policy snapshot comes from. */
  readonly snapshot: "ledger" | "config"
}

export interface EndStep {
  readonly op: "end"
  /** Which in-flight work ends (modulo how many are in flight). */
  readonly pick: number
  /** A heartbeat right after: none, unscoped, or targeted with the wake the source sent. */
  readonly afterwards: "none" | "unscoped" | "targeted"
}

export interface ConfigStep {
  readonly op: "config"
  readonly agent: AgentSlot
  readonly spelling: string
  readonly policy: PolicySpec
}

export interface HeartbeatStep {
  readonly op: "heartbeat"
  /** `unscoped`, or the index (modulo) of a wake sent so far. */
  readonly target: "unscoped" | number
}

export interface BurstStep {
  readonly op: "burst"
  readonly agent: AgentSlot
  readonly originKind: OriginKind
  readonly origin: string
  /** Distinct task notices from one work, started and ended back to back: enough to overflow. */
  readonly count: number
}

export interface PruneStep {
  readonly op: "prune"
  readonly force: boolean
}

export type Step = StartStep | EndStep | ConfigStep | HeartbeatStep | BurstStep | PruneStep

export interface InitialAgent {
  readonly spelling: string
  readonly policy: PolicySpec
}

export interface Workload {
  /** The config in force before anything runs: every agent enabled, one entry per canonical agent. */
  readonly initial: readonly [InitialAgent, InitialAgent, InitialAgent]
  readonly steps: ReadonlyArray<Step>
}

// ── arbitraries ────────────────────────────────────────────────────────────────────────────

const slotArb: fc.Arbitrary<AgentSlot> = fc.constantFrom(0, 1, 2)

const spellingArb = (slot: AgentSlot) => fc.constantFrom(...AGENT_SPELLINGS[CANONICAL_AGENTS[slot]])

export const policyArb: fc.Arbitrary<PolicySpec> = fc
  .record({
    mainKey: fc.option(fc.constantFrom("main", "Main", " work ", "WORK", "ops-room", ""), { nil: undefined }),
    scope: fc.option(fc.constantFrom<SessionScope>("per-sender", "global"), { nil: undefined }),
  })
  .map(({ mainKey, scope }) => ({
    ...(mainKey === undefined ? {} : { mainKey }),
    ...(scope === undefined ? {} : { scope }),
  }))

const JOBS = ["nightly", "backup-db"] as const
const RUNS = ["r1", "7f3a"] as const
const DESCENDANT_TAILS = ["subagent:w", "thread:t", "subagent:w:subagent:x", "thread:t:subagent:w"] as const

const shapeArb = (kind: OriginKind): fc.Arbitrary<string> => {
  switch (kind) {
    case "cron-run":
      return fc
        .tuple(fc.constantFrom(...JOBS), fc.constantFrom(...RUNS))
        .map(([j, r]) => `cron:${j}:run:${r}`)
    case "cron-descendant":
      return fc
        .tuple(fc.constantFrom(...JOBS), fc.constantFrom(...RUNS), fc.constantFrom(...DESCENDANT_TAILS))
        .map(([j, r, t]) => `cron:${j}:run:${r}:${t}`)
    case "cron-job":
      return fc.constantFrom(...JOBS).map((j) => `cron:${j}`)
    case "hook":
      return fc.constantFrom("hook:webhook:42", "hook:gmail")
    case "main":
      return fc.constant("main")
  }
}

/** Upper-cases the characters whose flag is set: shrinks towards the all-lower-case key. */
const withCase = (key: string, flags: ReadonlyArray<boolean>): string =>
  [...key].map((ch, index) => (flags[index] ? ch.toUpperCase() : ch)).join("")

const originArb = (slot: AgentSlot, kind: OriginKind): fc.Arbitrary<string> =>
  fc
    .record({
      spelling: spellingArb(slot),
      shape: shapeArb(kind),
      flags: fc.array(fc.boolean(), { maxLength: 48 }),
      pad: fc.constantFrom("", " ", "  "),
    })
    .map(({ spelling, shape, flags, pad }) => `${pad}${withCase(`agent:${spelling}:${shape}`, flags)}${pad}`)

export const CRON_KINDS: ReadonlyArray<OriginKind> = ["cron-run", "cron-descendant"]
export const ALL_KINDS: ReadonlyArray<OriginKind> = [
  "cron-run",
  "cron-descendant",
  "cron-job",
  "hook",
  "main",
]

const kindArb = (kinds: ReadonlyArray<OriginKind>): fc.Arbitrary<OriginKind> =>
  fc.oneof(...kinds.map((kind) => ({ weight: isCronRunKind(kind) ? 3 : 1, arbitrary: fc.constant(kind) })))

const TEXTS = [
  "report ready",
  "backup finished",
  "Backup finished",
  "disk at 91%",
  "HEARTBEAT_OK",
  "heartbeat poll",
  "Exec finished (node=n1, code 1)",
  "Exec completed (abc12345, code 0) :: ok",
  "Exec finished weekly backup checks",
  "  ",
  "",
] as const

const textArb = fc.constantFrom(...TEXTS)

export const sourceArb: fc.Arbitrary<SourceSpec> = fc.oneof(
  fc.record({
    kind: fc.constant("exec-exit" as const),
    processId: fc.constantFrom("a1b2c3d4e5f6", "proc-77"),
    exitCode: fc.integer({ min: -1, max: 2 }),
    signal: fc.option(fc.constantFrom("SIGTERM", "SIGKILL"), { nil: null }),
    output: fc.constantFrom("", "ok", "error: disk full\n   at step 3", "x".repeat(500)),
    manualCancel: fc.boolean(),
    notifyOnEmptySuccess: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("exec-notice" as const),
    text: textArb,
    contextKey: fc.constantFrom("exec:r9", "Exec:R9", " ", ""),
  }),
  fc.record({
    kind: fc.constant("acp-relay" as const),
    runId: fc.constantFrom("run1", "run2"),
    label: fc.constantFrom("codex", "Claude Code"),
    phase: fc.constantFrom(...ACP_PHASES),
    snippet: fc.constantFrom("", "compiling…", "needs   approval"),
    seconds: fc.nat({ max: 120 }),
  }),
  fc.record({
    kind: fc.constant("cli-watchdog" as const),
    provider: fc.constantFrom("claude", "codex"),
    seconds: fc.integer({ min: 1, max: 300 }),
    hint: fc.constantFrom("", "Run with --yes."),
  }),
  fc.record({
    kind: fc.constant("node-event" as const),
    event: fc.constantFrom("exec.started" as const, "exec.finished" as const, "exec.denied" as const),
    nodeId: fc.constantFrom("n1", "mac-mini"),
    runId: fc.constantFrom("", "r9"),
    command: fc.constantFrom("", "make test"),
    exitCode: fc.option(fc.integer({ min: -1, max: 2 }), { nil: null }),
    timedOut: fc.boolean(),
    output: fc.constantFrom("", "done"),
    reason: fc.constantFrom("", "policy"),
  }),
  fc.record({ kind: fc.constant("cron" as const), jobId: fc.constantFrom(...JOBS), text: textArb }),
  fc.record({ kind: fc.constant("hook" as const), name: fc.constantFrom("webhook", "gmail"), text: textArb }),
  fc.record({ kind: fc.constant("task" as const), taskId: fc.constantFrom("t1", "t2"), text: textArb }),
)

const startArb = (kinds: ReadonlyArray<OriginKind>): fc.Arbitrary<StartStep> =>
  fc.record({ agent: slotArb, originKind: kindArb(kinds) }).chain(({ agent, originKind }) =>
    fc.record({
      op: fc.constant("start" as const),
      agent: fc.constant(agent),
      originKind: fc.constant(originKind),
      origin: originArb(agent, originKind),
      source: sourceArb,
      snapshot: fc.constantFrom("ledger" as const, "config" as const),
    }),
  )

const endArb: fc.Arbitrary<EndStep> = fc.record({
  op: fc.constant("end" as const),
  pick: fc.nat({ max: 7 }),
  afterwards: fc.constantFrom("none" as const, "unscoped" as const, "targeted" as const),
})

const configArb: fc.Arbitrary<ConfigStep> = slotArb.chain((agent) =>
  fc.record({
    op: fc.constant("config" as const),
    agent: fc.constant(agent),
    spelling: spellingArb(agent),
    policy: policyArb,
  }),
)

const heartbeatArb: fc.Arbitrary<HeartbeatStep> = fc.record({
  op: fc.constant("heartbeat" as const),
  target: fc.oneof(fc.constant("unscoped" as const), fc.nat({ max: 15 })),
})

const burstArb = (kinds: ReadonlyArray<OriginKind>): fc.Arbitrary<BurstStep> =>
  fc
    .record({ agent: slotArb, originKind: kindArb(kinds) })
    .chain(({ agent, originKind }) =>
      fc.record({
        op: fc.constant("burst" as const),
        agent: fc.constant(agent),
        originKind: fc.constant(originKind),
        origin: originArb(agent, originKind),
        // Half the bursts overflow a queue (18–24 items); the flag lets a burst shrink to one item.
        overflow: fc.boolean(),
        extra: fc.nat({ max: 6 }),
      }),
    )
    .map(({ overflow, extra, ...step }) => ({ ...step, count: (overflow ? 18 : 1) + extra }))

const pruneArb: fc.Arbitrary<PruneStep> = fc.record({
  op: fc.constant("prune" as const),
  force: fc.boolean(),
})

export interface WorkloadConstraints {
  /** Which session keys work runs under; defaults to all kinds. */
  readonly kinds?: ReadonlyArray<OriginKind>
  readonly maxSteps?: number
}

export const workloadArb = (constraints: WorkloadConstraints = {}): fc.Arbitrary<Workload> => {
  const kinds = constraints.kinds ?? ALL_KINDS
  const initialAgent = (slot: AgentSlot) => fc.record({ spelling: spellingArb(slot), policy: policyArb })
  return fc.record({
    initial: fc.tuple(initialAgent(0), initialAgent(1), initialAgent(2)),
    steps: fc.array(
      fc.oneof(
        { weight: 6, arbitrary: startArb(kinds) },
        { weight: 4, arbitrary: endArb },
        { weight: 2, arbitrary: configArb },
        { weight: 2, arbitrary: heartbeatArb },
        { weight: 1, arbitrary: burstArb(kinds) },
        { weight: 1, arbitrary: pruneArb },
      ),
      { maxLength: constraints.maxSteps ?? 30, size: "max" },
    ),
  })
}

// ── the runner ─────────────────────────────────────────────────────────────────────────────

/** One source call: the work, the policy it captured at its start, and what the ledger returned. */
export interface AttemptTrace {
  readonly kind: "attempt"
  readonly agent: CanonicalAgent
  readonly originKind: OriginKind
  readonly origin: string
  readonly emission: SourceEmission
  /** The policy the work captured at its start and passed to `record`. */
  readonly snapshot: SessionPolicy
  /** The generated config's policy for the agent at the work's start (the independent oracle). */
  readonly configAtStart: SessionPolicy
  readonly routing: RoutingName
  readonly result: RecordResult
  readonly at: number
}

export interface HeartbeatTrace {
  readonly kind: "heartbeat"
  /** The run's target, and the source and reason that decide what it selects. */
  readonly wake: WakeTarget & { readonly source: string; readonly reason: string }
  readonly runs: ReadonlyArray<HeartbeatRun>
}

export interface PruneTrace {
  readonly kind: "prune"
  readonly routing: RoutingName
  readonly at: number
  readonly result: PruneResult
}

export interface ConfigTrace {
  readonly kind: "config"
  readonly agent: CanonicalAgent
  readonly policy: SessionPolicy
}

export type TraceItem = AttemptTrace | HeartbeatTrace | PruneTrace | ConfigTrace

export interface Trace {
  readonly env: LedgerEnv
  readonly items: ReadonlyArray<TraceItem>
  readonly attempts: ReadonlyArray<AttemptTrace>
  /** Every wake a source sent, in order. */
  readonly wakes: ReadonlyArray<WakeRequest>
  /** The config in force at the end (canonical agent → policy); every agent enabled. */
  readonly finalConfig: ReadonlyMap<CanonicalAgent, SessionPolicy>
  /** Works whose source stayed silent (no emission, so no source call). */
  readonly silent: number
}

export interface RunOptions {
  readonly routing: RoutingName
  /**
   * After the steps: heartbeat every agent under every policy it captured (an interval run and
   * an exec-event run), replaying every kind of wake sent to each target, until the queues stop
   * shrinking (the "final heartbeat of every agent" of P1).
   */
  readonly finalDrain: boolean
  /**
   * A deliberately wrong source (for showing P1 can fail): it records without its start-time
   * snapshot, so the ledger routes by the config in force when the work ends.
   */
  readonly policyAtEnd?: boolean
  readonly seed?: number
}

interface InFlight {
  readonly step: StartStep
  readonly snapshot: SessionPolicy
  readonly configAtStart: SessionPolicy
}

const START_AT = 1_700_000_000_000
const STEP_MS = 60_000
const PRUNE_GAP_MS = 2 * 3_600_000

const copyPolicy = (policy: PolicySpec | undefined): SessionPolicy => ({
  ...(policy?.mainKey === undefined ? {} : { mainKey: policy.mainKey }),
  ...(policy?.scope === undefined ? {} : { scope: policy.scope }),
})

export const policyKey = (policy: SessionPolicy): string =>
  JSON.stringify([policy.mainKey ?? null, policy.scope ?? null])

export async function runWorkload(workload: Workload, options: RunOptions): Promise<Trace> {
  const env = await makeLedgerEnv(options.seed ?? 1)
  const { ledger } = env
  const items: TraceItem[] = []
  const attempts: AttemptTrace[] = []
  const wakes: WakeRequest[] = []
  const config = new Map<CanonicalAgent, SessionPolicy>()
  const inFlight: InFlight[] = []
  let silent = 0
  let at = START_AT

  const configure = async (slot: AgentSlot, spelling: string, policy: PolicySpec) => {
    const agent = CANONICAL_AGENTS[slot]
    await run(ledger.configureAgent({ agentId: spelling, ...policy, enabled: true, at }))
    config.set(agent, copyPolicy(policy))
    items.push({ kind: "config", agent, policy: copyPolicy(policy) })
  }

  /** A run for a wake a source sent (its source and reason decide what the run selects), or an interval run. */
  const heartbeat = async (wake: WakeTarget & { readonly source?: string; readonly reason?: string }) => {
    const target: WakeTarget = {
      ...(wake.agentId === undefined ? {} : { agentId: wake.agentId }),
      ...(wake.sessionKey === undefined ? {} : { sessionKey: wake.sessionKey }),
    }
    const kind = { source: wake.source ?? "interval", reason: wake.reason ?? "interval" }
    const runs = await run(ledger.runHeartbeat({ ...target, ...kind, at }))
    items.push({ kind: "heartbeat", wake: { ...target, ...kind }, runs })
  }

  const start = async (step: StartStep): Promise<InFlight> => {
    const configAtStart = config.get(CANONICAL_AGENTS[step.agent]) ?? {}
    const snapshot =
      step.snapshot === "ledger" ? await run(ledger.snapshotPolicy(step.origin)) : configAtStart
    return { step, snapshot, configAtStart }
  }

  const end = async (work: InFlight): Promise<RecordResult | undefined> => {
    const emission = emissionOf(work.step.source, work.step.origin)
    if (emission === null) {
      silent++
      return undefined
    }
    const policy = options.policyAtEnd === true ? undefined : work.snapshot
    const result = await run(ledger.record(emission, { policy, routing: options.routing, at }))
    const attempt: AttemptTrace = {
      kind: "attempt",
      agent: CANONICAL_AGENTS[work.step.agent],
      originKind: work.step.originKind,
      origin: work.step.origin,
      emission,
      snapshot: work.snapshot,
      configAtStart: work.configAtStart,
      routing: options.routing,
      result,
      at,
    }
    items.push(attempt)
    attempts.push(attempt)
    if (result.wake !== undefined) wakes.push(result.wake)
    return result
  }

  for (const [slot, agent] of workload.initial.entries()) {
    await configure(slot as AgentSlot, agent.spelling, agent.policy)
  }

  for (const step of workload.steps) {
    at += STEP_MS
    switch (step.op) {
      case "start":
        inFlight.push(await start(step))
        break
      case "end": {
        if (inFlight.length === 0) break
        const [work] = inFlight.splice(step.pick % inFlight.length, 1)
        if (work === undefined) break
        const result = await end(work)
        if (step.afterwards === "unscoped") await heartbeat({})
        if (step.afterwards === "targeted" && result?.wake !== undefined) await heartbeat(result.wake)
        break
      }
      case "config":
        await configure(step.agent, step.spelling, step.policy)
        break
      case "heartbeat": {
        if (step.target === "unscoped") await heartbeat({})
        else {
          const wake = wakes[step.target % Math.max(1, wakes.length)]
          if (wake !== undefined) await heartbeat(wake)
        }
        break
      }
      case "burst":
        for (let index = 0; index < step.count; index++) {
          const work = await start({
            op: "start",
            agent: step.agent,
            originKind: step.originKind,
            origin: step.origin,
            source: { kind: "task", taskId: "burst", text: `burst item ${index + 1}` },
            snapshot: "config",
          })
          await end(work)
        }
        break
      case "prune": {
        at += PRUNE_GAP_MS
        const result = await run(
          ledger.prune({ retention: "1h", force: step.force, routing: options.routing, at }),
        )
        items.push({ kind: "prune", routing: options.routing, at, result })
        break
      }
    }
  }
  // Work still in flight ends now, in the order it started.
  for (const work of inFlight.splice(0)) {
    at += STEP_MS
    await end(work)
  }

  if (options.finalDrain) {
    // Every policy each agent captured, in the order first used.
    const captured = new Map<CanonicalAgent, SessionPolicy[]>()
    for (const attempt of attempts) {
      const list = captured.get(attempt.agent) ?? []
      if (!list.some((policy) => policyKey(policy) === policyKey(attempt.snapshot)))
        list.push(attempt.snapshot)
      captured.set(attempt.agent, list)
    }
    const rounds = Math.max(0, ...[...captured.values()].map((list) => list.length))
    // Per target and kind of wake: an exec completion waits for an exec-event wake's run.
    const distinctWakes = [
      ...new Map(
        wakes.map((wake) => [
          JSON.stringify([wake.agentId, wake.sessionKey, wake.source, wake.reason]),
          wake,
        ]),
      ).values(),
    ]
    const queued = async () => {
      const view = await run(ledger.view)
      let total = 0
      for (const queue of view.queues.values()) total += queue.events.length
      return total
    }
    for (let round = 0; round < rounds; round++) {
      for (const [slot, agent] of CANONICAL_AGENTS.entries()) {
        const list = captured.get(agent)
        const policy = list?.[Math.min(round, list.length - 1)]
        if (policy !== undefined) await configure(slot as AgentSlot, agent, policy)
      }
      for (let before = await queued(); ; ) {
        at += STEP_MS
        await heartbeat({})
        // An interval run leaves exec-completion texts queued (OpenClaw's runner looks at them
        // only on an inspecting wake): the final round also runs one, as a later exec's exit would.
        await heartbeat({ source: "exec-event", reason: "exec-event" })
        for (const wake of distinctWakes) await heartbeat(wake)
        const after = await queued()
        if (after === 0 || after >= before) break
        before = after
      }
    }
  }

  return { env, items, attempts, wakes, finalConfig: config, silent }
}

// ── reading a workload ─────────────────────────────────────────────────────────────────────

const showPolicy = (policy: PolicySpec): string => {
  const parts = [
    ...(policy.mainKey === undefined ? [] : [`mainKey ${JSON.stringify(policy.mainKey)}`]),
    ...(policy.scope === undefined ? [] : [`scope ${policy.scope}`]),
  ]
  return parts.length === 0 ? "{} (defaults: main, per-sender)" : `{ ${parts.join(", ")} }`
}

const showSource = (source: SourceSpec): string => {
  const { kind, ...fields } = source
  return `${kind} ${JSON.stringify(fields)}`
}

/** A workload as numbered lines a person can follow. */
export function describeWorkload(workload: Workload): string {
  const lines: string[] = []
  workload.initial.forEach((agent, slot) => {
    lines.push(
      `config  ${JSON.stringify(agent.spelling)} (${CANONICAL_AGENTS[slot]}) ← ${showPolicy(agent.policy)}`,
    )
  })
  let works = 0
  const open: number[] = []
  workload.steps.forEach((step, index) => {
    const n = `${index + 1}.`.padEnd(4)
    switch (step.op) {
      case "start":
        works++
        open.push(works)
        lines.push(
          `${n}start work #${works} under ${JSON.stringify(step.origin)} (${step.originKind}), source ${showSource(step.source)}, policy snapshot from ${step.snapshot}`,
        )
        break
      case "end": {
        if (open.length === 0) {
          lines.push(`${n}end (nothing in flight)`)
          break
        }
        const [work] = open.splice(step.pick % open.length, 1)
        lines.push(`${n}end work #${work}: record its emission; then heartbeat: ${step.afterwards}`)
        break
      }
      case "config":
        lines.push(
          `${n}config ${JSON.stringify(step.spelling)} (${CANONICAL_AGENTS[step.agent]}) ← ${showPolicy(step.policy)}`,
        )
        break
      case "heartbeat":
        lines.push(`${n}heartbeat ${step.target === "unscoped" ? "unscoped" : `with wake #${step.target}`}`)
        break
      case "burst":
        lines.push(`${n}burst of ${step.count} task notices under ${JSON.stringify(step.origin)}`)
        break
      case "prune":
        lines.push(`${n}2 h later: reaper sweep (retention 1h${step.force ? ", forced" : ""})`)
        break
    }
  })
  for (const work of open) lines.push(`end of workload: work #${work} ends, its emission is recorded`)
  return lines.join("\n")
}

/** The source calls of a trace, one line each: origin, captured policy, queue, wake. */
export function describeAttempts(trace: Trace): string {
  return trace.attempts
    .map(
      (attempt, index) =>
        `call ${index + 1}: ${attempt.emission.source} from ${JSON.stringify(attempt.origin)} ` +
        `text ${JSON.stringify(attempt.emission.text)}, policy ${showPolicy(attempt.snapshot)}, routing ${attempt.routing} → ` +
        `queue ${JSON.stringify(attempt.result.queueKey)} (${attempt.result.accepted ? "accepted" : `rejected: ${attempt.result.rejectedBecause ?? "?"}`}), ` +
        `wake ${JSON.stringify(attempt.result.wake ?? null)}`,
    )
    .join("\n")
}
