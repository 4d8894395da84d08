/**
 * `heartbeat-ledger import FILE|-`: records gateway activity written as JSON Lines (one source
 * call per line, docs/import-format.md) or an `export`. The whole file is validated first; a
 * bad line fails the import with file:line and field, exit 2, and nothing is written.
 * Importing the same file again records nothing new.
 */
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { layerEventStoreFromUrl } from "../../stores/store-layer.ts"
import { LineIdCursor } from "../import/line-ids.ts"
import { formatLineErrors, parseImport, readImportInput } from "../import/parse-file.ts"
import { type ImportSummary, importLedgerLayer, recordImport } from "../import/record-import.ts"
import { BadInput } from "../shared/exit.ts"
import { counted, formatCount } from "../shared/format.ts"
import { writeStderr, writeStdout } from "../shared/output.ts"
import { startProgress } from "../shared/progress.ts"
import { storeFlag, storeUrlOf } from "../shared/store-flag.ts"
import { safeText } from "../shared/terminal.ts"

const describeImport = (name: string, store: string, s: ImportSummary): string => {
  const parts = [
    s.sourceCalls > 0 &&
      `${counted(s.sourceCalls, "source call")}${s.silent > 0 ? ` (${formatCount(s.silent)} silent)` : ""}`,
    s.rawCalls > 0 && counted(s.rawCalls, "raw queue call"),
    s.heartbeats > 0 && counted(s.heartbeats, "heartbeat"),
    s.sweeps > 0 && counted(s.sweeps, "retention sweep"),
    s.configs > 0 && counted(s.configs, "config line"),
    s.recordedEvents > 0 && counted(s.recordedEvents, "recorded event"),
  ].filter((part): part is string => typeof part === "string")
  const skipped =
    s.alreadyRecorded > 0
      ? `; ${counted(s.alreadyRecorded, "line was", "lines were")} already recorded and skipped`
      : ""
  return `Imported ${counted(s.lines, "line")} from ${safeText(name)} into ${safeText(store)}: ${parts.join(", ") || "nothing to record"}${skipped}\n`
}

/** Where a signal stopped the import, and that running it again finishes it. */
const describeInterruption = (name: string, reached: number, total: number): string =>
  reached === 0
    ? `heartbeat-ledger: import of ${safeText(name)} interrupted before its first line; nothing was recorded\n`
    : `heartbeat-ledger: import of ${safeText(name)} interrupted at line ${formatCount(reached)} of ${formatCount(total)} ` +
      `(the lines before it are recorded); run the same import again to resume: what is already recorded is skipped\n`

export const importCommand = Command.make(
  "import",
  {
    store: storeFlag,
    file: Argument.String("file").pipe(
      Argument.withMetavar("FILE|-"),
      Argument.withDescription("JSON Lines file to import, or - for standard input"),
    ),
  },
  (input) =>
    Effect.gen(function* () {
      const name = input.file === "-" ? "<stdin>" : input.file
      const content = yield* Effect.tryPromise({
        try: () => readImportInput(input.file),
        catch: (error) =>
          new BadInput({
            message: `cannot read ${name}: ${error instanceof Error ? error.message : String(error)}`,
          }),
      })
      const validating = startProgress("validating", undefined)
      const parsed = parseImport(name, content, validating.tick)
      validating.done()
      if (parsed.errors.length > 0) {
        return yield* new BadInput({
          message: `${name} has ${parsed.errors.length} invalid field(s); nothing was imported\n${formatLineErrors(name, parsed.errors)}`,
        })
      }
      const cursor = new LineIdCursor()
      const url = storeUrlOf(input.store)
      const progress = startProgress("importing", parsed.lines.length)
      let reached = 0
      const onLine = (line: number) => {
        reached = line
        progress.tick(line)
      }
      const summary = yield* recordImport(parsed.lines, cursor, onLine).pipe(
        Effect.ensuring(Effect.sync(progress.done)),
        Effect.onInterrupt(() => writeStderr(describeInterruption(name, reached, parsed.lines.length))),
        Effect.provide(importLedgerLayer(layerEventStoreFromUrl(url), cursor)),
      )
      yield* writeStdout(describeImport(name, url, summary))
    }),
).pipe(
  Command.withDescription(
    "Record gateway activity from JSON Lines (docs/import-format.md); all or nothing, idempotent",
  ),
  Command.withExamples([
    {
      command: "heartbeat-ledger import gateway-2025-06-02.jsonl",
      description: "Import a day of source calls",
    },
    {
      command: "heartbeat-ledger export --store sqlite:a.db | heartbeat-ledger import - --store sqlite:b.db",
      description: "Copy a log",
    },
  ]),
)
