/** Records import content through the real ledger on a given store, in process (no CLI). */
import { Effect, Layer } from "effect"
import { EventStore, type EventStoreShape } from "../../application/event-store.ts"
import { LineIdCursor, lineIdentities, markerOf } from "../../infrastructure/cli/import/line-ids.ts"
import { type ParsedImport, parseImport } from "../../infrastructure/cli/import/parse-file.ts"
import { importLedgerLayer, recordImport } from "../../infrastructure/cli/import/record-import.ts"

/**
 * Parses `content` and records its lines (those `keep` accepts) into `store`, with the ids the
 * import gives them. `lineOfMarker` maps each line's first event id (its marker) to the line:
 * a line's events are one atomic append, in order, its marker first.
 */
export async function importInProcess(
  store: EventStoreShape,
  content: Uint8Array,
  keep: (line: number) => boolean = () => true,
) {
  const parsed: ParsedImport = parseImport("in-process", content)
  const cursor = new LineIdCursor()
  const layer = importLedgerLayer(Layer.succeed(EventStore, store), cursor)
  const lines = parsed.lines.filter(({ line }) => keep(line))
  const identities = lineIdentities(lines.map(({ decoded }) => decoded))
  const lineOfMarker = new Map(lines.map(({ line }, index) => [markerOf(identities[index]!), line]))
  const summary = await Effect.runPromise(recordImport(lines, cursor).pipe(Effect.provide(layer)))
  return { parsed, lineOfMarker, summary }
}
