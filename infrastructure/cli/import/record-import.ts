/**
 * Records a validated import through the ledger: source calls with the policy snapshot and
 * time they carry, config, heartbeat runs and retention sweeps; recorded events (an export)
 * are appended as they are. Ids come from the line (line-ids.ts), so lines this file already
 * wrote are recognised in the store and skipped.
 */
import { Effect, Stream } from "effect"
import { EventStore } from "../../../application/event-store.ts"
import { Ledger } from "../../../application/ledger.ts"
import { compact } from "../../../domain/compact.ts"
import {
  acpRelayEmission,
  cliWatchdogEmission,
  cronEmission,
  execExitEmission,
  execNoticeEmission,
  hookEmission,
  nodeEventEmission,
  type SourceEmission,
  taskEmission,
} from "../../../domain/sources.ts"
import { normalizeDeliveryContext, toStoredDeliveryContext } from "../../openclaw/delivery-context.ts"
import { epochOf, type ImportLine } from "./import-line.ts"
import { ImportedAcpRelays, type RelayedNotice } from "./imported-acp-relays.ts"
import { type FileNamespace, type LineIdCursor, lineOfId } from "./line-ids.ts"

export interface ImportSummary {
  readonly lines: number
  readonly sourceCalls: number
  /** Source calls the source itself stays silent on (e.g. an empty successful exec). */
  readonly silent: number
  readonly rawCalls: number
  readonly heartbeats: number
  readonly sweeps: number
  readonly configs: number
  readonly recordedEvents: number
  /** Lines skipped because this file already recorded them. */
  readonly alreadyRecorded: number
}

type SourceLine = Extract<ImportLine, { kind: "source" }>["line"]

/** Kept on the entry as the drop-in keeps it: normalized as OpenClaw's enqueue does. */
const storedContext = (context: Parameters<typeof normalizeDeliveryContext>[0]) =>
  toStoredDeliveryContext(normalizeDeliveryContext(context))

/** The emission a source line describes, or null when the source stays silent. */
export function emissionOf(line: SourceLine): SourceEmission | null | undefined {
  // A relay stream's line: the relays decide (imported-acp-relays.ts).
  if ("input" in line) return undefined
  const withText = (emission: SourceEmission | null, text: string | undefined) =>
    emission === null || text === undefined ? emission : { ...emission, text }
  const deliveryContext = "deliveryContext" in line ? storedContext(line.deliveryContext) : undefined
  switch (line.source) {
    case "exec-exit":
      return withText(execExitEmission({ ...line, deliveryContext }), line.text)
    case "exec-notice":
      return execNoticeEmission(line)
    case "acp-relay":
      return withText(
        acpRelayEmission({ ...line, parentSessionKey: line.sessionKey, deliveryContext }),
        line.text,
      )
    case "cli-watchdog":
      return withText(cliWatchdogEmission(line), line.text)
    case "node-event":
      // The line's policy is the gateway's session config: it keys the event, as it routes it.
      return withText(nodeEventEmission({ ...line, ...line.policy }), line.text)
    case "cron":
      return cronEmission(line)
    case "hook":
      return hookEmission(line)
    case "task":
      return taskEmission(line)
    default:
      return undefined
  }
}

/**
 * What the store already holds of this import: the highest line of this file it has an event
 * from (0: none), and which of the file's recorded events (an export's ids) it holds.
 */
export const alreadyRecorded = (namespace: FileNamespace, recordedIds: ReadonlySet<string>) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    let lastLine = 0
    const present = new Set<string>()
    yield* store.readAll().pipe(
      Stream.runForEachArray((records) =>
        Effect.sync(() => {
          for (const record of records) {
            const line = lineOfId(namespace, record.id)
            if (line !== undefined && line > lastLine) lastLine = line
            if (recordedIds.has(record.id)) present.add(record.id)
          }
        }),
      ),
    )
    return { lastLine, present }
  })

export const recordImport = (
  lines: ReadonlyArray<{ readonly line: number; readonly decoded: ImportLine }>,
  namespace: FileNamespace,
  cursor: LineIdCursor,
  onProgress?: (done: number) => void,
) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const ledger = yield* Ledger
    const recordedIds = new Set(
      lines.flatMap(({ decoded }) => (decoded.kind === "recorded" ? [decoded.line.id] : [])),
    )
    const { lastLine: skipThrough, present } = yield* alreadyRecorded(namespace, recordedIds)
    const counts = {
      lines: lines.length,
      sourceCalls: 0,
      silent: 0,
      rawCalls: 0,
      heartbeats: 0,
      sweeps: 0,
      configs: 0,
      recordedEvents: 0,
      alreadyRecorded: 0,
    }
    // After appending recorded events directly, the ledger's view must catch up before it decides.
    let viewBehind = false
    const relays = new ImportedAcpRelays()
    const recordRelayed = (notices: ReadonlyArray<RelayedNotice>, firstId?: string) =>
      Effect.forEach(
        notices,
        ({ emission, at, policy }, index) =>
          ledger.record(emission, { policy, at, eventId: index === 0 && firstId ? firstId : cursor.next() }),
        { discard: true },
      )
    let done = 0
    for (const { line, decoded } of lines) {
      done++
      onProgress?.(done)
      if (decoded.kind === "recorded") {
        const { id, type, version, data, streamId } = decoded.line
        if (present.has(id)) {
          counts.alreadyRecorded++
          continue
        }
        yield* store.append(streamId, [{ id, type, version, data }], "any")
        counts.recordedEvents++
        viewBehind = true
        continue
      }
      // The relays' timers due by this line's time fire first, then a relay line feeds its relay;
      // for skipped lines too, so that a re-import's relays are where the first import's were.
      const lineAt = epochOf(decoded.line.at)
      const due = relays.advance(lineAt)
      const relayLine = decoded.kind === "source" && "input" in decoded.line ? decoded.line : undefined
      const own =
        relayLine === undefined
          ? []
          : relays.feed(relayLine, lineAt, storedContext(relayLine.deliveryContext))
      if (line <= skipThrough) {
        counts.alreadyRecorded++
        continue
      }
      if (viewBehind) {
        yield* ledger.sync
        viewBehind = false
      }
      const eventId = cursor.startLine(line)
      yield* recordRelayed(due)
      if (relayLine !== undefined) {
        counts.sourceCalls++
        if (own.length === 0) counts.silent++
        yield* recordRelayed(own, eventId)
        continue
      }
      if (decoded.kind === "config") {
        const { kind: _kind, at, ...config } = decoded.line
        counts.configs++
        yield* ledger.configureAgent({ ...config, at: epochOf(at) })
        continue
      }
      const source = decoded.line
      const at = epochOf(source.at)
      switch (source.source) {
        case "api":
          counts.rawCalls++
          yield* ledger
            .enqueue(
              source.text,
              compact({
                sessionKey: source.sessionKey,
                contextKey: source.contextKey,
                trusted: source.trusted,
              }),
              { at, eventId },
            )
            .pipe(Effect.catchTag("MissingSessionKey", () => Effect.void))
          break
        case "heartbeat":
          counts.heartbeats++
          yield* ledger.runHeartbeat(
            compact({
              agentId: source.agentId,
              sessionKey: source.sessionKey,
              reason: source.reason ?? "interval",
              at,
            }),
          )
          break
        case "prune": {
          const swept = yield* ledger.prune(compact({ retention: source.retention, force: source.force, at }))
          if (swept.outcome === "swept") counts.sweeps++
          break
        }
        default: {
          counts.sourceCalls++
          const emission = emissionOf(source)
          if (emission === null || emission === undefined) {
            counts.silent++
            break
          }
          const recorded = yield* ledger.record(emission, { policy: source.policy, at, eventId })
          // A node's repeated report of a run: dropped unrecorded, as the gateway drops it.
          if (recorded.rejectedBecause === "repeated-run") counts.silent++
        }
      }
    }
    if (viewBehind) yield* ledger.sync
    return counts satisfies ImportSummary
  })
