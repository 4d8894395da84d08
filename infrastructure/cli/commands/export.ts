/**
 * `heartbeat-ledger export`: the whole log, in order, as JSON Lines — one recorded event per
 * line (position, stream, revision, id, type, version, recordedAt, data). `import` of an
 * export into an empty store reproduces the same log, and so the same audit.
 *
 * Every record is decoded on the way out, so that a backup never carries a row that `import`
 * (or the audit) would refuse: the first undecodable one stops the export (exit 3), unless
 * `--skip-undecodable` salvages the rest — each skipped row listed on stderr, exit 3 still.
 */
import { Effect, Stream } from "effect"
import { Command, Flag } from "effect/cli"
import { type LogFold, stepFold } from "../../../application/decoded-log.ts"
import { EventStore } from "../../../application/event-store.ts"
import { UndecodableEvent } from "../../../application/event-store-errors.ts"
import { layerEventStoreFromUrl } from "../../stores/store-layer.ts"
import { redactData } from "../export/redact-record.ts"
import { RecordsSkipped } from "../shared/exit.ts"
import { startProgress } from "../shared/progress.ts"
import { storeFlag, storeUrlOf } from "../shared/store-flag.ts"
import { safeText } from "../shared/terminal.ts"

/** Decodes a record of either family through the one read path: only whether it decodes matters here. */
const decodes: LogFold<undefined> = {
  init: () => undefined,
  ledger: () => undefined,
  observed: () => undefined,
}

export const exportCommand = Command.make(
  "export",
  {
    store: storeFlag,
    format: Flag.Literals("format", ["jsonl"]).pipe(
      Flag.withDescription("Output format (JSON Lines)"),
      Flag.withDefault("jsonl" as const),
    ),
    skipUndecodable: Flag.Boolean("skip-undecodable").pipe(
      Flag.withDescription(
        "Write every record that decodes, list each one that does not on stderr, and exit 3 if any was skipped",
      ),
      Flag.withDefault(false),
    ),
    redact: Flag.Boolean("redact").pipe(
      Flag.withDescription(
        "Replace every text (event texts, observed entries, shown prompt lines) by a fingerprint, sha256:<16 hex> per line",
      ),
      Flag.withDefault(false),
    ),
  },
  (input) =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const progress = startProgress("exporting", yield* store.headPosition)
      let done = 0
      let written = 0
      let skipped = 0
      yield* store.readAll().pipe(
        Stream.runForEachArray((records) =>
          Effect.suspend(() => {
            let chunk = ""
            let failure: UndecodableEvent | undefined
            for (const r of records) {
              const event = stepFold(decodes, undefined, r)
              if (event instanceof UndecodableEvent) {
                if (!input.skipUndecodable) {
                  failure = event
                  break
                }
                skipped++
                process.stderr.write(`heartbeat-ledger: skipped: ${safeText(event.message)}\n`)
                continue
              }
              written++
              chunk += `${JSON.stringify({
                position: r.position,
                streamId: r.streamId,
                revision: r.revision,
                id: r.id,
                type: r.type,
                version: r.version,
                recordedAt: r.recordedAt,
                data: input.redact ? redactData(r) : r.data,
              })}\n`
            }
            process.stdout.write(chunk)
            done += records.length
            progress.tick(done)
            return failure === undefined ? Effect.void : Effect.fail(failure)
          }),
        ),
        Effect.ensuring(Effect.sync(progress.done)),
      )
      if (skipped > 0) return yield* new RecordsSkipped({ skipped, written })
    }).pipe(Effect.provide(layerEventStoreFromUrl(storeUrlOf(input.store), { access: "read" }))),
).pipe(
  Command.withDescription("Print the whole log, in order, as JSON Lines (re-importable)"),
  Command.withExamples([
    { command: "heartbeat-ledger export > ledger.jsonl", description: "Back up the log" },
    {
      command: "heartbeat-ledger export --redact > shareable.jsonl",
      description: "Share a log without its texts: each line of text becomes sha256:<16 hex>",
    },
    {
      command: "heartbeat-ledger export --skip-undecodable > salvaged.jsonl",
      description: "Salvage a damaged log: every readable record, the others listed on stderr",
    },
  ]),
)
