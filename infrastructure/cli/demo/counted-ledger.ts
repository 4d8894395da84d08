/**
 * The ledger the demo hands the wake scheduler, counting what the scheduler records through it:
 * heartbeat runs and wake skips, for the day's summary line.
 */
import { Effect } from "effect"
import type { LedgerShape } from "../../../application/ledger.ts"

export interface RecordedWakeOutcomes {
  heartbeatRuns: number
  wakeSkips: number
}

export const countedLedger = (ledger: LedgerShape, counts: RecordedWakeOutcomes): LedgerShape => ({
  ...ledger,
  runHeartbeat: (wake) =>
    ledger.runHeartbeat(wake).pipe(
      Effect.tap((runs) =>
        Effect.sync(() => {
          counts.heartbeatRuns += runs.length
        }),
      ),
    ),
  recordWakeSkipped: (skip) =>
    ledger.recordWakeSkipped(skip).pipe(
      Effect.tap(() =>
        Effect.sync(() => {
          counts.wakeSkips++
        }),
      ),
    ),
})
