/**
 * `heartbeat-ledger inspect queue KEY [--at POSITION]`: a queue as it stood at any position of
 * the log (the queues projection folded up to there). `inspect event ID`: one event's whole
 * history — attempt, routing decision, wake, consumption or other fate.
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { combineFolds, foldLog, type LogFold } from "../../../application/decoded-log.ts"
import { EventStore, type EventStoreShape } from "../../../application/event-store.ts"
import { projectionFold } from "../../../application/projections/projection.ts"
import { queuesProjection } from "../../../application/projections/queues.ts"
import { drainedQueues } from "../../../domain/gateway-config.ts"
import { layerEventStoreFromUrl } from "../../stores/store-layer.ts"
import { EventHistoryFold } from "../inspect/event-history.ts"
import { BadInput } from "../shared/exit.ts"
import { clip, counted, formatCount, formatDuration, formatInstant } from "../shared/format.ts"
import { writeStdout } from "../shared/output.ts"
import { storeFlag, storeUrlOf } from "../shared/store-flag.ts"
import { renderTable } from "../shared/table.ts"
import { safeText, stdoutColours } from "../shared/terminal.ts"

const jsonFlag = Flag.Boolean("json").pipe(Flag.withDescription("Print JSON"), Flag.withDefault(false))

/** A queue as the ledger's view holds it, and the time of the last event folded. */
const queueAtFold = combineFolds({
  view: projectionFold(queuesProjection),
  lastAt: {
    init: (): number | undefined => undefined,
    ledger: (lastAt, event) => ("at" in event ? event.at : lastAt),
  } satisfies LogFold<number | undefined>,
})

/** The ids of the system events (accepted or rejected) that start with `prefix`. */
const idsStartingWith = (prefix: string): LogFold<Set<string>> => ({
  init: () => new Set(),
  ledger: (matches, event) => {
    if (
      (event._tag === "SystemEventEnqueued" || event._tag === "SystemEventRejected") &&
      event.eventId.toLowerCase().startsWith(prefix)
    )
      matches.add(event.eventId)
    return matches
  },
})

/** One event's history (event-history.ts) as a fold of the log. */
const historyFold = (eventId: string): LogFold<EventHistoryFold> => ({
  init: () => new EventHistoryFold(eventId),
  ledger: (history, event, record) => {
    history.apply(record, event)
    return history
  },
})

const queueCommand = Command.make(
  "queue",
  {
    store: storeFlag,
    key: Argument.String("key").pipe(
      Argument.withMetavar("KEY"),
      Argument.withDescription("The queue (session) key"),
    ),
    at: Flag.Int("at").pipe(
      Flag.withMetavar("POSITION"),
      Flag.withDescription("Global log position to look at (default: the end of the log)"),
      Flag.optional,
    ),
    json: jsonFlag,
  },
  (input) =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const head = yield* store.headPosition
      const at = Option.getOrElse(input.at, () => head)
      if (at < 0)
        return yield* new BadInput({
          message: `--at must be a log position from 0 to ${formatCount(head)}, not ${formatCount(at)}`,
        })
      const key = input.key.trim()
      // Every record up to `at` (inclusive), in the order stored; an undecodable one stops the read.
      const {
        state: { view, lastAt },
      } = yield* foldLog(store, queueAtFold, { toPosition: at, positions: "as-stored" })
      const queue = view.queue(key)
      const drainedBy = drainedQueues(view.config).get(key) ?? []
      const document = {
        queueKey: key,
        position: Math.min(at, head),
        head,
        at: lastAt === undefined ? null : new Date(lastAt).toISOString(),
        drainedBy,
        lastText: queue.lastText ?? null,
        lastContextKey: queue.lastContextKey ?? null,
        events: queue.events.map((event) => ({
          eventId: event.eventId,
          at: new Date(event.at).toISOString(),
          source: event.provenance.source,
          origin: event.provenance.origin,
          contextKey: event.contextKey ?? null,
          trusted: event.trusted,
          text: event.text,
        })),
      }
      if (input.json) return yield* writeStdout(`${JSON.stringify(document, null, 2)}\n`)
      const c = stdoutColours()
      const lines = [
        c.bold(`Queue ${safeText(key)}`) +
          c.dim(
            ` at position ${formatCount(document.position)} of ${formatCount(head)}${lastAt === undefined ? "" : ` (${formatInstant(lastAt)})`}`,
          ),
        drainedBy.length > 0
          ? `  drained by the scheduled heartbeat of ${drainedBy.map(safeText).join(", ")}`
          : `  ${c.yellow("no enabled agent's scheduled heartbeat drains it")}: only a wake forced to it empties it`,
        `  last accepted text: ${queue.lastText === undefined ? c.dim("none") : safeText(clip(queue.lastText, 80))}`,
        `  last context key: ${queue.lastContextKey === undefined ? c.dim("none") : safeText(queue.lastContextKey)}`,
        `  ${counted(queue.events.length, "event")} queued${queue.events.length === 0 ? "" : ":"}`,
      ]
      if (queue.events.length > 0) {
        lines.push(
          renderTable(
            ["enqueued", "event id", "source", "origin", "context key", "text"],
            document.events.map((event) => [
              formatInstant(Date.parse(event.at)),
              event.eventId,
              event.source,
              safeText(event.origin),
              safeText(event.contextKey ?? "—"),
              safeText(clip(event.text, 60)),
            ]),
            ["left", "left", "left", "left", "left", "left"],
            "    ",
          ),
        )
      }
      yield* writeStdout(`${lines.join("\n")}\n`)
    }).pipe(Effect.provide(layerEventStoreFromUrl(storeUrlOf(input.store), { access: "read" }))),
).pipe(Command.withDescription("Show a queue as it stood at a log position"))

/** Resolves an event id or a unique prefix of one (at least 6 characters). */
const resolveEventId = (store: EventStoreShape, wanted: string) =>
  Effect.gen(function* () {
    const id = wanted.trim().toLowerCase()
    if (id.length < 6)
      return yield* new BadInput({ message: "give the event id, or at least its first 6 characters" })
    // Only the id is looked for here: a record that does not decode is left to the history's
    // read, which reports it.
    const { state: matches } = yield* foldLog(store, idsStartingWith(id), {
      positions: "as-stored",
      onUndecodable: () => {},
    })
    const exact = [...matches].find((eventId) => eventId.toLowerCase() === id)
    if (exact !== undefined) return exact
    if (matches.size === 0)
      return yield* new BadInput({ message: `no system event with id ${wanted} in the log` })
    if (matches.size > 1) {
      return yield* new BadInput({
        message: `${wanted} is ambiguous: ${[...matches].slice(0, 5).join(", ")}…`,
      })
    }
    return [...matches][0] as string
  })

const eventCommand = Command.make(
  "event",
  {
    store: storeFlag,
    id: Argument.String("id").pipe(
      Argument.withMetavar("ID"),
      Argument.withDescription("System event id (or a unique prefix)"),
    ),
    json: jsonFlag,
  },
  (input) =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const eventId = yield* resolveEventId(store, input.id)
      const { state: fold } = yield* foldLog(store, historyFold(eventId), { positions: "as-stored" })
      const history = fold.result()
      if (history === undefined)
        return yield* new BadInput({ message: `no system event with id ${input.id} in the log` })
      if (input.json) return yield* writeStdout(`${JSON.stringify(history, null, 2)}\n`)
      const c = stdoutColours()
      const fate =
        history.fate === "stranded" || history.fate === "pruned"
          ? c.red(history.fate)
          : history.fate === "consumed"
            ? c.green(history.fate)
            : c.yellow(history.fate)
      const lines = [
        c.bold(`Event ${history.eventId}`) +
          c.dim(` (${history.provenance.source} from ${safeText(history.provenance.origin)})`),
        `  text: ${safeText(clip(history.text, 200))}`,
        renderTable(
          ["when", "position", "step", "detail"],
          history.steps.map((step) => [
            formatInstant(step.at),
            `#${formatCount(step.position)}`,
            step.kind,
            safeText(step.detail),
          ]),
          ["left", "right", "left", "left"],
        ),
        `  fate: ${fate}${history.settledAfterMs === undefined ? "" : ` after ${formatDuration(history.settledAfterMs)}`}` +
          (history.fate === "stranded"
            ? c.dim(` — still in ${safeText(history.queueKey)}, which no heartbeat drains`)
            : "") +
          (history.fate === "pending"
            ? c.dim(` — in ${safeText(history.queueKey)}, waiting for its agent's heartbeat`)
            : ""),
      ]
      yield* writeStdout(`${lines.join("\n")}\n`)
    }).pipe(Effect.provide(layerEventStoreFromUrl(storeUrlOf(input.store), { access: "read" }))),
).pipe(
  Command.withDescription("Show one system event's history: attempt, routing, wake, consumption or fate"),
)

export const inspectCommand = Command.make("inspect").pipe(
  Command.withDescription("Look into the log: a queue at any position, or one event's history"),
  Command.withSubcommands([queueCommand, eventCommand]),
  Command.withExamples([
    {
      command: "heartbeat-ledger inspect queue agent:ops:main --at 1200",
      description: "A queue at position 1200",
    },
    { command: "heartbeat-ledger inspect event 3f9a1c2e", description: "One event's history" },
  ]),
)
