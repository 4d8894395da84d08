/**
 * Generators for the differential tests of session keys, the queue and the wake scheduler:
 * every key shape OpenClaw knows (agent, cron base, cron run and its descendants, subagent,
 * acp, thread, channel/peer, sentinels, legacy, malformed), then case, whitespace and unicode
 * variants of each, plus arbitrary strings.
 */
import fc from "fast-check"

// ── session keys ───────────────────────────────────────────────────────────────────────────

/** Whitespace JS `trim()` removes, beyond the space: tabs, newlines, NBSP, em space, BOM. */
const whitespace = fc.constantFrom(" ", "  ", "\t", "\n", "\u00a0", "\u2003", "\ufeff")

/** Short tokens: plain ids, mixed case, punctuation, unicode, empty and blank. */
export const token = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("ops", "main", "nightly", "r1", "7f3a", "worker", "w", "x") },
  { weight: 2, arbitrary: fc.constantFrom("Ops", "MAIN", "Work", "a_b-1", "-lead", "trail-", "9lives") },
  { weight: 2, arbitrary: fc.constantFrom("bad id!", "a.b", "é", "agént", "日本", "Ω", "😀", "İ", "ß") },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "x".repeat(70), "A".repeat(64), "_under") },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_-]{1,8}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
)

const join = (...parts: ReadonlyArray<string>) => parts.join(":")

/** The part after `agent:<id>:` in every shape we route. */
export const restShape: fc.Arbitrary<string> = fc.oneof(
  token.map((mainKey) => mainKey),
  token.map((job) => join("cron", job)),
  fc.tuple(token, token).map(([job, run]) => join("cron", job, "run", run)),
  fc
    .tuple(token, token, fc.constantFrom("subagent", "thread", "acp", "tool"), token)
    .map(([job, run, kind, id]) => join("cron", job, "run", run, kind, id)),
  fc
    .tuple(token, token, token, token)
    .map(([job, run, a, b]) => join("cron", job, "run", run, "subagent", a, "subagent", b)),
  token.map((id) => join("subagent", id)),
  fc.tuple(token, token).map(([a, b]) => join("subagent", a, "subagent", b)),
  token.map((id) => join("acp", id)),
  fc.tuple(token, token).map(([base, id]) => join(base, "thread", id)),
  fc
    .tuple(
      fc.constantFrom("slack", "discord", "telegram", "whatsapp"),
      fc.constantFrom("channel", "group"),
      token,
    )
    .map(([channel, kind, id]) => join(channel, kind, id)),
  fc.tuple(fc.constantFrom("slack", "signal"), token).map(([channel, peer]) => join(channel, "direct", peer)),
  fc
    .tuple(fc.constantFrom("slack", "signal"), token, token)
    .map(([channel, account, peer]) => join(channel, account, "direct", peer)),
  fc.constantFrom(
    "hook:webhook:42",
    "slack:cron:j:run:x",
    "slack:channel:general:run:42",
    "cron:j:run",
    "cron::run:x",
    "cron:j:run:",
    "cron:j:RUN:x",
    "Cron:J:Run:X",
    " cron:j:run:x",
    "cron :j:run:x",
    " subagent:w",
    " acp:x",
    "main:subagent:w",
  ),
)

const agentKey = fc.tuple(token, restShape).map(([agentId, rest]) => join("agent", agentId, rest))

/** Keys that are not agent keys: sentinels, legacy and un-prefixed shapes, malformed agent keys. */
const otherKey = fc.oneof(
  fc.constantFrom("global", "GLOBAL", " Global ", "unknown", "Unknown", "main", "Incident-42", "node-n1"),
  fc.constantFrom("cron:j:run:x", "subagent:w", "SUBAGENT:w", "acp:x", "Acp:X", "hook:x"),
  fc.constantFrom(
    "agent",
    "agent:",
    "agent:main",
    "agent::",
    "agent: :x",
    "agent:x: ",
    "agent:::x",
    "AGENT:ops",
  ),
  fc.constantFrom("", " ", "\t\n", ":", "::", "a:b:c", "agents:ops:main", "xagent:ops:main"),
  restShape,
)

/** A variant of a key as a user might type it: case changed, whitespace around it or its parts. */
const variant = (key: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(key) },
    { weight: 1, arbitrary: fc.constant(key.toUpperCase()) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.boolean(), { minLength: key.length, maxLength: key.length })
        .map((flips) => [...key].map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase())).join("")),
    },
    { weight: 1, arbitrary: fc.tuple(whitespace, whitespace).map(([a, b]) => `${a}${key}${b}`) },
    {
      weight: 1,
      arbitrary: fc.tuple(whitespace, fc.nat()).map(([ws, at]) => {
        const parts = key.split(":")
        const index = parts.length === 0 ? 0 : at % parts.length
        return parts.map((part, i) => (i === index ? `${ws}${part}` : part)).join(":")
      }),
    },
    { weight: 1, arbitrary: fc.constant(key.replaceAll(":", "::")) },
    { weight: 1, arbitrary: fc.constant(`${key}:`) },
  )

/** Any session key: every routed shape and its variants, non-agent keys, arbitrary strings. */
export const sessionKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: agentKey.chain(variant) },
  { weight: 3, arbitrary: otherKey.chain(variant) },
  { weight: 1, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
)

/** A key or nothing at all: our functions and OpenClaw's take `undefined` and `null` alike. */
export const maybeSessionKey: fc.Arbitrary<string | undefined | null> = fc.oneof(
  { weight: 12, arbitrary: sessionKey },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null) },
)

/** `session.mainKey` as configured (or not). */
export const mainKey: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom("", " ", "main", "Main", "work", " Work ", "a:b", "Ω", "x".repeat(70)),
  token,
)

export const sessionScope = fc.constantFrom(undefined, "per-sender" as const, "global" as const)

/** Agent ids as a config or a caller may give them. */
export const agentId: fc.Arbitrary<string> = fc.oneof(token, sessionKey, token.chain(variant))

// ── the queue ──────────────────────────────────────────────────────────────────────────────

/** Spellings of queue keys: the first three trim to one queue; blanks are refused. */
export const QUEUE_KEYS = [
  "agent:ops:main",
  "  agent:ops:main ",
  "agent:ops:main\t",
  "Agent:Ops:Main",
  "global",
  "",
  " ",
]
/** The contextKeys every queue is asked about after each step. */
export const PROBED_CONTEXT_KEYS = [undefined, null, "", "ctx:a", "ctx:b", "exec:r1"]

const queueKey = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...QUEUE_KEYS.slice(0, 5)) },
  { weight: 1, arbitrary: fc.constantFrom("", " ") },
)

/** Texts that repeat often (duplicates), padded variants, blanks and unicode. */
const queueText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("A", "B", "C", "Exec completed (abc12345, code 0)") },
  { weight: 2, arbitrary: fc.constantFrom(" A ", "A\n", "\tB", "a", "Ω résumé 😀", "line 1\nline 2") },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "\n\t", "\u00a0") },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
)

const contextKey = fc.constantFrom(undefined, null, "", " ", "ctx:a", "CTX:A", " ctx:a ", "ctx:b", "exec:r1")

/**
 * Delivery contexts in OpenClaw's normalized form (what `normalizeDeliveryContext` returns and
 * the queue keeps); a numeric thread id stays a number and equals its string for duplicates.
 */
export const deliveryContext: fc.Arbitrary<DeliveryContextLike | undefined> = fc.constantFrom(
  undefined,
  { channel: "slack", to: "C1" },
  { channel: "slack", to: "C1", accountId: "work" },
  { channel: "slack", to: "C2" },
  { channel: "telegram", to: "42", threadId: 7 },
  { channel: "telegram", to: "42", threadId: "7" },
  { channel: "discord" },
)

export interface DeliveryContextLike {
  readonly channel?: string
  readonly to?: string
  readonly accountId?: string
  readonly threadId?: string | number
}

const advanceMs = fc.constantFrom(0, 0, 0, 1, 1, 7)

export type QueueOp = { readonly advanceMs: number } & (
  | {
      readonly kind: "enqueue"
      readonly text: string
      readonly options: {
        readonly sessionKey: string
        readonly contextKey?: string | null | undefined
        readonly deliveryContext?: DeliveryContextLike | undefined
        readonly trusted?: boolean | undefined
      }
    }
  | { readonly kind: "peek" | "drain" | "has"; readonly sessionKey: string }
  | {
      readonly kind: "consume"
      readonly sessionKey: string
      /** Which earlier peek to hand back (stale or not), unless `current`. */
      readonly inspection: number
      readonly current: boolean
      /** Hand back only this many of its entries (a prefix), or all. */
      readonly take?: number | undefined
    }
  | { readonly kind: "context"; readonly sessionKey: string; readonly contextKey: string | null | undefined }
  /** `count` distinct texts into one queue: reaches the cap of 20 often. */
  | { readonly kind: "fill"; readonly sessionKey: string; readonly count: number; readonly trusted: boolean }
)

export const queueOp: fc.Arbitrary<QueueOp> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant("enqueue" as const),
      text: queueText,
      options: fc.record(
        {
          sessionKey: queueKey,
          contextKey,
          deliveryContext,
          trusted: fc.constantFrom(undefined, true, false),
        },
        { requiredKeys: ["sessionKey"] },
      ),
      advanceMs,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("peek" as const), sessionKey: queueKey, advanceMs }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("drain" as const), sessionKey: queueKey, advanceMs }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("has" as const), sessionKey: queueKey, advanceMs }) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        kind: fc.constant("consume" as const),
        sessionKey: queueKey,
        inspection: fc.nat(),
        current: fc.boolean(),
        take: fc.nat({ max: 22 }),
        advanceMs,
      },
      { requiredKeys: ["kind", "sessionKey", "inspection", "current", "advanceMs"] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("context" as const),
      sessionKey: queueKey,
      contextKey,
      advanceMs,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("fill" as const),
      sessionKey: queueKey,
      count: fc.integer({ min: 1, max: 24 }),
      trusted: fc.boolean(),
      advanceMs,
    }),
  },
)

// ── the wake scheduler ─────────────────────────────────────────────────────────────────────

export interface WakeRequestOptions {
  readonly source: string
  readonly intent?: string | undefined
  readonly reason?: string | undefined
  readonly coalesceMs?: number | undefined
  readonly agentId?: string | undefined
  readonly sessionKey?: string | undefined
  readonly heartbeat?:
    | { readonly target?: string; readonly to?: string; readonly accountId?: string }
    | undefined
}

/** One answer of a scripted heartbeat runner, after `durationMs` of work. */
export interface HandlerAnswer {
  readonly kind: "ran" | "skipped" | "failed" | "throw"
  readonly reason: string
  readonly durationMs: number
}

export type WakeStep =
  | { readonly kind: "request"; readonly options: WakeRequestOptions }
  /** Installs a handler answering from its script (then `ran` at once). */
  | { readonly kind: "setHandler"; readonly answers: ReadonlyArray<HandlerAnswer> }
  | { readonly kind: "clearHandler" }
  /** Calls the disposer of an earlier registration (stale ones must do nothing). */
  | { readonly kind: "dispose"; readonly registration: number }
  | { readonly kind: "advance"; readonly ms: number }

/** Wake sources the scheduler and the runner tell apart, and one they do not know. */
export const WAKE_SOURCES = [
  "interval",
  "manual",
  "exec-event",
  "cron",
  "hook",
  "acp-spawn",
  "cli-watchdog",
  "retry",
  "other",
] as const

export const wakeRequest: fc.Arbitrary<WakeRequestOptions> = fc.record(
  {
    source: fc.constantFrom(...WAKE_SOURCES),
    intent: fc.constantFrom(undefined, "scheduled", "event", "event", "immediate", "manual"),
    reason: fc.constantFrom(
      undefined,
      "",
      " ",
      "interval",
      "retry",
      "manual",
      "exec-event",
      "hook:gmail",
      " cron:nightly ",
      "acp:spawn:stream",
    ),
    // Whole milliseconds (setTimeout rounds fractions its own way); odd and huge ones included.
    coalesceMs: fc.constantFrom(
      undefined,
      0,
      0,
      1,
      5,
      100,
      250,
      300,
      1000,
      -5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      3e9,
    ),
    agentId: fc.constantFrom(undefined, undefined, "", " ", "ops", "Ops", " ops "),
    sessionKey: fc.constantFrom(
      undefined,
      "",
      "agent:ops:main",
      " agent:ops:main ",
      "agent:ops:work",
      "global",
    ),
    heartbeat: fc.constantFrom(
      undefined,
      undefined,
      { target: "slack", to: "C1" },
      { target: "none" },
      { accountId: "work" },
    ),
  },
  { requiredKeys: ["source"] },
)

const handlerAnswer: fc.Arbitrary<HandlerAnswer> = fc.record({
  kind: fc.constantFrom("ran", "ran", "skipped", "skipped", "failed", "throw"),
  reason: fc.constantFrom("requests-in-flight", "cron-in-progress", "lanes-busy", "quiet-hours", "disabled"),
  durationMs: fc.constantFrom(0, 0, 0, 1, 100, 250, 1000, 1500),
})

export const wakeStep: fc.Arbitrary<WakeStep> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("request" as const), options: wakeRequest }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("setHandler" as const),
      answers: fc.array(handlerAnswer, { maxLength: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("clearHandler" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("dispose" as const), registration: fc.nat() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.constantFrom(0, 1, 50, 100, 249, 250, 251, 500, 999, 1000, 1001, 3000),
    }),
  },
)
