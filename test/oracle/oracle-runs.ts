/**
 * How many random cases an oracle property runs: its CI default, scaled by
 * `HEARTBEAT_LEDGER_ORACLE_RUNS_SCALE` (e.g. 10 for a long local hunt, 0.1 for a quick look).
 * Each property prints its count so a CI log says how much was compared.
 */
import fc from "fast-check"

export const ORACLE_RUNS_SCALE_ENV = "HEARTBEAT_LEDGER_ORACLE_RUNS_SCALE"

export function oracleRuns(ciDefault: number): number {
  const raw = Number(process.env[ORACLE_RUNS_SCALE_ENV] ?? "1")
  const scale = Number.isFinite(raw) && raw > 0 ? raw : 1
  return Math.max(1, Math.round(ciDefault * scale))
}

/** Runs a differential property, prints its case count and seed, and fails with fast-check's report. */
export async function assertDifferential<Ts>(
  name: string,
  property: fc.IAsyncProperty<Ts> | fc.IProperty<Ts>,
  numRuns: number,
): Promise<void> {
  const started = performance.now()
  // HEARTBEAT_LEDGER_ORACLE_SEED replays a run that failed (its seed is printed).
  const seed = process.env.HEARTBEAT_LEDGER_ORACLE_SEED
  const details = await fc.check(property as fc.IAsyncProperty<Ts>, {
    numRuns,
    ...(seed === undefined || seed === "" ? {} : { seed: Number(seed) }),
  })
  const ms = Math.round(performance.now() - started)
  console.log(`oracle ${name}: ${details.numRuns} cases in ${ms} ms (seed ${details.seed})`)
  if (details.failed) {
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)
    throw new Error(`${fc.defaultReportMessage(details) ?? `${name} failed`}\n${cause}`)
  }
}

/** A call's observable outcome: its value, or the error it threw (class name and message). */
export type Outcome =
  | { readonly value: unknown }
  | { readonly threw: { readonly name: string; readonly message: string } }

export function outcome(call: () => unknown): Outcome {
  try {
    return { value: call() }
  } catch (error) {
    return error instanceof Error
      ? { threw: { name: error.name, message: error.message } }
      : { threw: { name: typeof error, message: String(error) } }
  }
}
