/**
 * A source's call as a gateway makes it: the ledger records the event and the wake it sends in
 * one decision, then the wake scheduler runs that wake — already recorded, so it only schedules
 * it. A rejected event whose source wakes only on acceptance sent no wake: nothing is scheduled.
 */
import { Effect } from "effect"
import type { RecordResult } from "../domain/ledger-decision.ts"
import type { SourceEmission } from "../domain/sources.ts"
import type { LedgerShape, RecordOptions } from "./ledger.ts"
import type { LedgerError } from "./ledger-errors.ts"
import type { WakeSchedulerShape } from "./wake-scheduler.ts"

export const recordSourceEvent =
  (ledger: LedgerShape, scheduler: Pick<WakeSchedulerShape, "scheduleRecorded">) =>
  (emission: SourceEmission, options?: RecordOptions): Effect.Effect<RecordResult, LedgerError> =>
    Effect.tap(ledger.record(emission, options), (result) =>
      result.wake !== undefined && result.wakeId !== undefined
        ? scheduler.scheduleRecorded(result.wake, result.wakeId)
        : Effect.void,
    )
