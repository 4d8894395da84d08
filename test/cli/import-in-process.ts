/** Records import content through the real ledger on a given store, in process (no CLI). */
import { Effect, Layer } from "effect"
import { EventStore, type EventStoreShape } from "../../application/event-store.ts"
import { Ids } from "../../application/ids.ts"
import { layerLedger } from "../../application/ledger.ts"
import { fileNamespace, LineIdCursor } from "../../infrastructure/cli/import/line-ids.ts"
import { type ParsedImport, parseImport } from "../../infrastructure/cli/import/parse-file.ts"
import { recordImport } from "../../infrastructure/cli/import/record-import.ts"

/** Parses `content` and records its lines (those `keep` accepts) into `store`, with the file's ids. */
export async function importInProcess(
  store: EventStoreShape,
  content: Uint8Array,
  keep: (line: number) => boolean = () => true,
) {
  const parsed: ParsedImport = parseImport("in-process", content)
  const namespace = fileNamespace(content)
  const cursor = new LineIdCursor(namespace)
  const layer = Layer.provideMerge(
    layerLedger,
    Layer.merge(
      Layer.succeed(EventStore, store),
      Layer.succeed(Ids, Ids.of({ next: Effect.sync(() => cursor.next()) })),
    ),
  )
  const lines = parsed.lines.filter(({ line }) => keep(line))
  const summary = await Effect.runPromise(recordImport(lines, namespace, cursor).pipe(Effect.provide(layer)))
  return { parsed, namespace, summary }
}
