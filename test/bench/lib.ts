/** Small timing and statistics helpers for the benchmark (no dependencies). */
import { performance } from "node:perf_hooks"

export const now = (): number => performance.now()

export interface Stats {
  readonly runs: number
  readonly median: number
  readonly min: number
  readonly max: number
}

export function stats(values: ReadonlyArray<number>): Stats {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  const mid = Math.floor(n / 2)
  const median =
    n === 0
      ? Number.NaN
      : n % 2 === 1
        ? (sorted[mid] as number)
        : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  return { runs: n, median, min: sorted[0] ?? Number.NaN, max: sorted[n - 1] ?? Number.NaN }
}

export function quantileOf(values: ReadonlyArray<number>, q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[index] as number
}

/** Runs `once` `warmup` times unmeasured, then `runs` times; returns each run's result. */
export async function repeat<T>(warmup: number, runs: number, once: () => Promise<T>): Promise<T[]> {
  for (let i = 0; i < warmup; i++) await once()
  const results: T[] = []
  for (let i = 0; i < runs; i++) results.push(await once())
  return results
}

export const fmtRate = (perSecond: number): string =>
  !Number.isFinite(perSecond)
    ? "-"
    : perSecond >= 1e6
      ? `${(perSecond / 1e6).toFixed(2)}M/s`
      : perSecond >= 1e3
        ? `${(perSecond / 1e3).toFixed(1)}k/s`
        : `${perSecond.toFixed(0)}/s`

export const fmtMs = (ms: number): string =>
  !Number.isFinite(ms)
    ? "-"
    : ms >= 100
      ? `${ms.toFixed(0)} ms`
      : ms >= 1
        ? `${ms.toFixed(2)} ms`
        : `${(ms * 1000).toFixed(1)} µs`

export const fmtMB = (bytes: number): string =>
  !Number.isFinite(bytes) ? "-" : `${(bytes / 1024 / 1024).toFixed(0)} MB`

export const fmtRatio = (ratio: number | undefined): string =>
  ratio === undefined || !Number.isFinite(ratio) ? "-" : `${(ratio * 100).toFixed(0)}%`

/** A plain-text table with aligned columns. */
export function table(header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(" | ")} |`
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n")
}
