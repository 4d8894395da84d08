/**
 * The import format (docs/import-format.md): JSON Lines, one gateway source call per line —
 * `at`, `source`, `sessionKey`, the `policy` snapshotted when the work started, and the
 * source's own fields — or a `config` line, or a recorded event as `export` writes it. Every
 * line is decoded with Schema (all errors, unknown fields refused) before anything is written.
 */
import { Cause, Exit, Schema, SchemaIssue } from "effect"
import { decodeEvent } from "../../../application/event-codec.ts"
import { decodeObservedEvent, isObservedType } from "../../../application/observed-event-codec.ts"
import { DeliveryContextSchema, SessionPolicySchema, SessionScopeSchema } from "../../../domain/events.ts"
import { ACP_PHASES, EXEC_EXIT_REASONS } from "../../../domain/sources.ts"
import { unstorableNameProblem } from "../../stores/append-rules.ts"
import { Instant } from "./instant.ts"
import {
  budgetOf,
  depthProblem,
  type FieldProblem,
  quote,
  recordedSizeProblem,
  sizeProblem,
  unstorableKeyProblem,
} from "./line-limits.ts"

const optional = Schema.optionalKey
const OptionalString = optional(Schema.String)
const OptionalBoolean = optional(Schema.Boolean)
const ExitCode = optional(Schema.NullOr(Schema.Int))
/** Where a reply about the event goes (OpenClaw's `deliveryContext`), kept on the queued event. */
const OptionalDeliveryContext = optional(DeliveryContextSchema)

/** What every source line shares. `text`, when given, is the final text the gateway emitted. */
const sourceLine = <const S extends string, F extends Schema.Struct.Fields>(source: S, fields: F) =>
  Schema.Struct({
    at: Instant,
    source: Schema.Literal(source),
    sessionKey: Schema.String,
    policy: SessionPolicySchema,
    ...fields,
  })

export const ConfigLine = Schema.Struct({
  kind: Schema.Literal("config"),
  at: Instant,
  agentId: Schema.NonEmptyString,
  mainKey: OptionalString,
  scope: optional(SessionScopeSchema),
  heartbeatSession: OptionalString,
  enabled: OptionalBoolean,
})

export const ExecExitLine = sourceLine("exec-exit", {
  processId: Schema.NonEmptyString,
  exitCode: ExitCode,
  signal: optional(Schema.NullOr(Schema.String)),
  exitReason: optional(Schema.Literals(EXEC_EXIT_REASONS)),
  output: OptionalString,
  manualCancel: OptionalBoolean,
  backgrounded: OptionalBoolean,
  notifyOnExit: OptionalBoolean,
  notifyOnEmptySuccess: OptionalBoolean,
  deliveryContext: OptionalDeliveryContext,
  text: OptionalString,
})

export const ExecNoticeLine = sourceLine("exec-notice", { text: Schema.String, contextKey: OptionalString })

export const AcpRelayLine = sourceLine("acp-relay", {
  runId: Schema.NonEmptyString,
  label: Schema.NonEmptyString,
  phase: Schema.Literals(ACP_PHASES),
  childSessionKey: OptionalString,
  snippet: OptionalString,
  seconds: optional(Schema.Finite),
  surfaceUpdates: OptionalBoolean,
  deliveryContext: OptionalDeliveryContext,
  text: OptionalString,
})

export const CliWatchdogLine = sourceLine("cli-watchdog", {
  provider: Schema.NonEmptyString,
  seconds: Schema.Finite,
  hint: OptionalString,
  text: OptionalString,
})

/** Node events may omit `sessionKey`: OpenClaw then uses `node-<nodeId>`. */
export const NodeEventLine = Schema.Struct({
  at: Instant,
  source: Schema.Literal("node-event"),
  sessionKey: OptionalString,
  policy: SessionPolicySchema,
  event: Schema.Literals(["exec.started", "exec.finished", "exec.denied"]),
  nodeId: Schema.NonEmptyString,
  runId: OptionalString,
  command: OptionalString,
  exitCode: ExitCode,
  timedOut: OptionalBoolean,
  output: OptionalString,
  reason: OptionalString,
  /** The node asked for no notification; the gateway's `tools.exec.notifyOnExit` (default on). */
  suppressNotifyOnExit: OptionalBoolean,
  notifyOnExit: OptionalBoolean,
  text: OptionalString,
})

export const CronLine = sourceLine("cron", { jobId: Schema.NonEmptyString, text: Schema.String })
export const HookLine = sourceLine("hook", { name: Schema.NonEmptyString, text: Schema.String })
export const TaskLine = sourceLine("task", { taskId: Schema.NonEmptyString, text: Schema.String })

/** The low-level queue API: never remapped, no wake, no policy. */
export const ApiLine = Schema.Struct({
  at: Instant,
  source: Schema.Literal("api"),
  sessionKey: Schema.String,
  text: Schema.String,
  contextKey: OptionalString,
  trusted: OptionalBoolean,
})

/** A heartbeat run: unscoped, or targeted at an agent and/or a session key. */
export const HeartbeatLine = Schema.Struct({
  at: Instant,
  source: Schema.Literal("heartbeat"),
  agentId: OptionalString,
  sessionKey: OptionalString,
  reason: OptionalString,
})

/** A retention sweep: `retention` as `cron.sessionRetention` (`6h`, a number of hours, `false`). */
export const PruneLine = Schema.Struct({
  at: Instant,
  source: Schema.Literal("prune"),
  retention: optional(Schema.Union([Schema.String, Schema.Finite, Schema.Literal(false)])),
  force: OptionalBoolean,
})

/** A recorded event, as `export` writes it. */
export const RecordedLine = Schema.Struct({
  position: Schema.Int,
  streamId: Schema.NonEmptyString,
  revision: Schema.Int,
  id: Schema.NonEmptyString,
  type: Schema.NonEmptyString,
  version: Schema.Int,
  recordedAt: Schema.Finite,
  data: Schema.Unknown,
})

export const SOURCE_LINES = {
  "exec-exit": ExecExitLine,
  "exec-notice": ExecNoticeLine,
  "acp-relay": AcpRelayLine,
  "cli-watchdog": CliWatchdogLine,
  "node-event": NodeEventLine,
  cron: CronLine,
  hook: HookLine,
  task: TaskLine,
  api: ApiLine,
  heartbeat: HeartbeatLine,
  prune: PruneLine,
} as const

export type SourceName = keyof typeof SOURCE_LINES
export const SOURCE_NAMES = Object.keys(SOURCE_LINES) as ReadonlyArray<SourceName>

export type ImportLine =
  | { readonly kind: "config"; readonly line: typeof ConfigLine.Type }
  | {
      readonly kind: "source"
      readonly line: { [K in SourceName]: (typeof SOURCE_LINES)[K]["Type"] }[SourceName]
    }
  | { readonly kind: "recorded"; readonly line: typeof RecordedLine.Type }

export interface LineError {
  readonly line: number
  /** The offending field (dotted path), or "" for the whole line. */
  readonly field: string
  readonly message: string
}

const SourceTag = Schema.Struct({ source: Schema.Literals(SOURCE_NAMES) })

const describeValue = (value: unknown): string => {
  if (typeof value === "string") return quote(value)
  const json = JSON.stringify(value)
  if (json === undefined) return String(value)
  return json.length > 40 ? `${json.slice(0, 39)}…` : json
}

/** Messages quote what they got, never all of it (a 1 MB key must not make a 1 MB message). */
const MAX_MESSAGE = 400
const bounded = (message: string): string =>
  message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE)}… (message cut)`

const problemAt = (line: number, problem: FieldProblem): LineError[] => [
  { line, field: problem.field, message: problem.message },
]

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    input,
  )

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

function decodeWith<S extends Schema.ConstraintDecoder<unknown>>(
  schema: S,
  input: unknown,
  line: number,
): S["Type"] | LineError[] {
  const exit = Schema.decodeUnknownExit(schema)(input, {
    errors: "all",
    onExcessProperty: "error",
  })
  if (Exit.isSuccess(exit)) return exit.value
  const error = Cause.squash(exit.cause)
  if (!Schema.isSchemaError(error)) return [{ line, field: "", message: String(error) }]
  return formatter(error.issue).issues.map((issue) => {
    const path = (issue.path ?? []).map((segment) =>
      typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment,
    )
    const value = valueAt(input, path)
    const missing = value === undefined
    return {
      line,
      field: bounded(path.map(String).join(".")),
      message: bounded(missing ? issue.message : `${bounded(issue.message)} (got ${describeValue(value)})`),
    }
  })
}

/** A recorded event's names, which stores keep as text (its data they keep as JSON). */
function recordedNameProblem(recorded: typeof RecordedLine.Type): FieldProblem | undefined {
  for (const field of ["streamId", "id", "type"] as const) {
    const problem = unstorableNameProblem(recorded[field])
    if (problem !== undefined) return { field, message: `${problem} (got ${quote(recorded[field])})` }
  }
  return undefined
}

/**
 * Decodes one line of text (1-based `line`) into an import line, or the errors in it. `bytes`
 * is the line's length in UTF-8, for the size bound (line-limits.ts).
 */
export function decodeImportLine(
  text: string,
  line: number,
  bytes: number = Buffer.byteLength(text, "utf8"),
): ImportLine | LineError[] {
  let input: unknown
  try {
    input = JSON.parse(text)
  } catch (error) {
    const reason = bounded(error instanceof Error ? error.message : String(error))
    return [{ line, field: "", message: `not valid JSON (${reason})` }]
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return [{ line, field: "", message: "Expected a JSON object" }]
  }
  // Before Schema or JSON.stringify walk it: both recurse, and 10,000 levels overflow the stack.
  const deep = depthProblem(input)
  if (deep !== undefined) return problemAt(line, deep)
  if ("type" in input && "data" in input && !("source" in input) && !("kind" in input)) {
    const recorded = decodeWith(RecordedLine, input, line)
    if (Array.isArray(recorded)) return recorded
    const limit = recordedNameProblem(recorded) ?? recordedSizeProblem(recorded.data)
    if (limit !== undefined) return problemAt(line, limit)
    // Keys in the data (a queueKey, a session key) name streams the ledger appends to later.
    const key =
      typeof recorded.data === "object" && recorded.data !== null
        ? unstorableKeyProblem(text, recorded.data)
        : undefined
    if (key !== undefined) return problemAt(line, { ...key, field: `data.${key.field}` })
    const event = (isObservedType(recorded.type) ? decodeObservedEvent : decodeEvent)({
      ...recorded,
      data: recorded.data,
    })
    if (event._tag === "UndecodableEvent") return [{ line, field: "data", message: bounded(event.reason) }]
    return { kind: "recorded", line: recorded }
  }
  const unstorable = unstorableKeyProblem(text, input)
  if (unstorable !== undefined) return problemAt(line, unstorable)
  if ("kind" in input) {
    const config = decodeWith(ConfigLine, input, line)
    if (Array.isArray(config)) return config
    const size = sizeProblem(bytes, input, budgetOf("config"))
    return size !== undefined ? problemAt(line, size) : { kind: "config", line: config }
  }
  const tag = decodeWith(SourceTag, { source: (input as { source?: unknown }).source }, line)
  if (Array.isArray(tag)) return tag
  // A relay's stream (`input` lines) drives the relay's timers across lines: what one line
  // produces would then depend on later lines' times, which cannot be committed atomically per
  // line, so the import takes the relay's notices (`phase` lines) only. The drop-in runs the
  // relay model live (startAcpSpawnParentStreamRelay).
  if (tag.source === "acp-relay" && "input" in input)
    return problemAt(line, {
      field: "input",
      message:
        "acp-relay stream lines are not importable: give the relay's notices as `phase` lines (docs/import-format.md)",
    })
  const decoded = decodeWith(SOURCE_LINES[tag.source], input, line)
  if (Array.isArray(decoded)) return decoded
  const size = sizeProblem(bytes, input, budgetOf(tag.source === "heartbeat" ? "heartbeat" : "source"))
  return size !== undefined ? problemAt(line, size) : ({ kind: "source", line: decoded } as ImportLine)
}

export { epochOf } from "./instant.ts"
