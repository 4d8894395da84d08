/**
 * Records a validated import through the ledger: source calls with the policy snapshot and
 * time they carry, config, heartbeat runs and retention sweeps; recorded events (an export)
 * are appended as they are. Ids come from what each line is (line-ids.ts), so a line already
 * recorded — by this file, a longer one, or a concurrent import — is recognised and skipped.
 */
import { Effect, Layer } from "effect"
import { foldLog, type LogFold } from "../../../application/decoded-log.ts"
import { EventStore } from "../../../application/event-store.ts"
import { Ids } from "../../../application/ids.ts"
import { Ledger, layerLedger } from "../../../application/ledger.ts"
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
import { storedDeliveryContext } from "../../openclaw/delivery-context.ts"
import { epochOf, type ImportLine } from "./import-line.ts"
import { importIds, type LineIdCursor, type LineIdentity, lineIdentities, markerOf } from "./line-ids.ts"

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
  /** Lines skipped because the store already holds them (recorded before, or by another import). */
  readonly alreadyRecorded: number
}

type SourceLine = Extract<ImportLine, { kind: "source" }>["line"]

/** The emission a source line describes, or null when the source stays silent. */
export function emissionOf(line: SourceLine): SourceEmission | null | undefined {
  const withText = (emission: SourceEmission | null, text: string | undefined) =>
    emission === null || text === undefined ? emission : { ...emission, text }
  const deliveryContext = "deliveryContext" in line ? storedDeliveryContext(line.deliveryContext) : undefined
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
 * Records the lines in file order, each as ONE ledger decision (one atomic append across every
 * stream it writes) with ids derived from the line (line-ids.ts), so that:
 * - a line whose marker (its first event's id) is stored is already recorded and skipped, as is
 *   a line before a recorded one: an import commits line k only after every line before it is
 *   present (recorded by it, or found recorded), so the store holds a prefix of the file's
 *   lines, and a line before the last stored one produced nothing when it was recorded;
 * - several imports of one file at once converge: each decides line k against a view holding
 *   exactly the lines before it (it catches up and re-reads the markers when the store moved),
 *   so all decide the same events with the same ids, and the store keeps the first commit and
 *   answers the others "already written" (or DuplicateEventId, also taken as recorded);
 * - an interrupted import leaves a prefix of whole lines, and the next run resumes after it.
 */
/** The ledger an import records through: on `store`, every id drawn from the import's cursor. */
export const importLedgerLayer = <E, R>(store: Layer.Layer<EventStore, E, R>, cursor: LineIdCursor) =>
  Layer.provideMerge(layerLedger, Layer.merge(store, Layer.succeed(Ids, importIds(cursor))))

export const recordImport = (
  lines: ReadonlyArray<{ readonly line: number; readonly decoded: ImportLine }>,
  cursor: LineIdCursor,
  onProgress?: (done: number) => void,
) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const ledger = yield* Ledger
    const identities = lineIdentities(lines.map(({ decoded }) => decoded))
    // Each line's marker: an export's line keeps its own id; any other line its first event's.
    const lineOfMarker = new Map<string, number>()
    lines.forEach(({ decoded }, index) => {
      const marker =
        decoded.kind === "recorded" ? decoded.line.id : markerOf(identities[index] as LineIdentity)
      lineOfMarker.set(marker, index)
    })
    type StoredLines = { readonly lines: Set<number>; last: number }
    const note = (seen: StoredLines, index: number) => {
      seen.lines.add(index)
      if (index > seen.last) seen.last = index
    }
    // The lines whose markers the store holds, as a fold of the log read so far.
    const storedLines: LogFold<StoredLines> = {
      init: () => ({ lines: new Set(), last: -1 }),
      ledger: (seen, _, record) => {
        const index = lineOfMarker.get(record.id)
        // An export's event stored in another stream is not this line: its append is
        // refused (DuplicateEventId), never skipped as recorded.
        const decoded = index === undefined ? undefined : lines[index]?.decoded
        if (
          index !== undefined &&
          (decoded?.kind !== "recorded" || decoded.line.streamId === record.streamId)
        ) {
          seen.lines.add(index)
          if (index > seen.last) seen.last = index
        }
        return seen
      },
    }
    const stored = storedLines.init()
    let scanned = 0
    /** Reads what the store gained since the last scan, noting the markers it holds. */
    const scan = Effect.suspend(() =>
      foldLog(store, storedLines, { fromPosition: scanned, positions: "as-stored" }, stored),
    ).pipe(
      Effect.tap((folded) =>
        Effect.sync(() => {
          scanned = folded.position
        }),
      ),
    )
    yield* scan
    const viewPosition = Effect.map(ledger.view, (view) => view.position)

    /** True when line `index` is recorded; otherwise the view holds exactly what the scan saw. */
    const isRecorded = (index: number) =>
      Effect.gen(function* () {
        for (;;) {
          if ((yield* viewPosition) > scanned) yield* scan
          if (stored.lines.has(index) || index < stored.last) return true
          if ((yield* viewPosition) === scanned) return false
          yield* ledger.sync
        }
      })

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
    let done = 0
    for (const [index, { decoded }] of lines.entries()) {
      done++
      onProgress?.(done)
      if (yield* isRecorded(index)) {
        counts.alreadyRecorded++
        continue
      }
      if (decoded.kind === "recorded") {
        const { id, type, version, data, streamId } = decoded.line
        const appended = yield* store.append(streamId, [{ id, type, version, data }], "any")
        counts.recordedEvents++
        // Not in the view yet: the next line's check catches the view up first. When the store
        // put it right after what we scanned, nobody else wrote: it is this line, no read needed.
        if (store.densePositions === true && appended.position === scanned + 1) {
          scanned = appended.position
          note(stored, index)
        } else yield* scan
        continue
      }
      const before = yield* viewPosition
      const eventId = cursor.startLine(identities[index] as LineIdentity)
      const recorded = yield* recordLine(decoded, eventId, counts).pipe(
        Effect.as(true),
        // Another import committed this line first, from a view we had not caught up with.
        Effect.catchTag("DuplicateEventId", () => Effect.succeed(false)),
      )
      if (!recorded) {
        counts.alreadyRecorded++
        yield* scan
        continue
      }
      // Cheap bookkeeping when the view gained exactly this line's events: they are ours (or
      // the same decision committed by another import); anything else is read back.
      const appended = cursor.singleAttemptEvents()
      const after = yield* viewPosition
      if (
        store.densePositions === true &&
        appended !== undefined &&
        before === scanned &&
        after === before + appended
      ) {
        scanned = after
        if (appended > 0) note(stored, index)
      }
    }
    yield* ledger.sync
    return counts satisfies ImportSummary
  })

/** Records one line through the ledger: one decision. */
const recordLine = (
  decoded: Exclude<ImportLine, { kind: "recorded" }>,
  eventId: string,
  counts: {
    sourceCalls: number
    silent: number
    rawCalls: number
    heartbeats: number
    sweeps: number
    configs: number
  },
) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    if (decoded.kind === "config") {
      const { kind: _kind, at, ...config } = decoded.line
      counts.configs++
      yield* ledger.configureAgent({ ...config, at: epochOf(at) })
      return
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
        return
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
        return
      case "prune": {
        const swept = yield* ledger.prune(compact({ retention: source.retention, force: source.force, at }))
        if (swept.outcome === "swept") counts.sweeps++
        return
      }
      default: {
        counts.sourceCalls++
        const emission = emissionOf(source)
        if (emission === null || emission === undefined) {
          counts.silent++
          return
        }
        const recorded = yield* ledger.record(emission, { policy: source.policy, at, eventId })
        // A node's repeated report of a run: dropped unrecorded, as the gateway drops it.
        if (recorded.rejectedBecause === "repeated-run") counts.silent++
      }
    }
  })
