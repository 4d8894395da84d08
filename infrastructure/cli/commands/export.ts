/**
 * `heartbeat-ledger export`: the whole log, in order, as JSON Lines — one recorded event per
 * line (position, stream, revision, id, type, version, recordedAt, data). `import` of an
 * export into an empty store reproduces the same log, and so the same audit.
 */
import { Effect, Stream } from "effect"
import { Command, Flag } from "effect/cli"
import { EventStore } from "../../../application/event-store.ts"
import { layerEventStoreFromUrl } from "../../stores/store-layer.ts"
import { startProgress } from "../shared/progress.ts"
import { storeFlag, storeUrlOf } from "../shared/store-flag.ts"

export const exportCommand = Command.make(
  "export",
  {
    store: storeFlag,
    format: Flag.Literals("format", ["jsonl"]).pipe(
      Flag.withDescription("Output format (JSON Lines)"),
      Flag.withDefault("jsonl" as const),
    ),
  },
  (input) =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const progress = startProgress("exporting", yield* store.headPosition)
      let done = 0
      yield* store.readAll().pipe(
        Stream.runForEachArray((records) =>
          Effect.sync(() => {
            let chunk = ""
            for (const r of records) {
              chunk += `${JSON.stringify({
                position: r.position,
                streamId: r.streamId,
                revision: r.revision,
                id: r.id,
                type: r.type,
                version: r.version,
                recordedAt: r.recordedAt,
                data: r.data,
              })}\n`
            }
            process.stdout.write(chunk)
            done += records.length
            progress.tick(done)
          }),
        ),
        Effect.ensuring(Effect.sync(progress.done)),
      )
    }).pipe(Effect.provide(layerEventStoreFromUrl(storeUrlOf(input.store), { access: "read" }))),
).pipe(
  Command.withDescription("Print the whole log, in order, as JSON Lines (re-importable)"),
  Command.withExamples([
    { command: "heartbeat-ledger export > ledger.jsonl", description: "Back up the log" },
  ]),
)
