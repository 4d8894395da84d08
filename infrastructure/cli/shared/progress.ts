/**
 * A progress bar on stderr for long work (seeding, replay, import): done/total, rate and ETA.
 * Drawn only when stderr is a TTY, at most ten times a second, and erased when done.
 */
import { colourWanted } from "./terminal.ts"

export interface Progress {
  readonly tick: (done: number) => void
  readonly done: () => void
}

const noProgress: Progress = { tick: () => {}, done: () => {} }

const WIDTH = 24
const REDRAW_MS = 100

const compactNumber = (n: number): string =>
  n >= 1_000_000
    ? `${(n / 1_000_000).toFixed(1)}M`
    : n >= 10_000
      ? `${(n / 1000).toFixed(1)}k`
      : `${Math.round(n)}`

const duration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return "?"
  if (seconds < 60) return `${Math.ceil(seconds)}s`
  const minutes = Math.floor(seconds / 60)
  return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, "0")}s`
}

/** One line of a progress bar (exported for tests). */
export function progressLine(
  label: string,
  done: number,
  total: number | undefined,
  elapsedMs: number,
): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0
  const rateText = `${compactNumber(rate)}/s`
  if (total === undefined || total <= 0) return `${label} ${compactNumber(done)} ${rateText}`
  const fraction = Math.min(1, done / total)
  const filled = Math.round(fraction * WIDTH)
  const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY
  return (
    `${label} [${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ` +
    `${compactNumber(done)}/${compactNumber(total)} ${rateText} ETA ${duration(eta)}`
  )
}

export function startProgress(
  label: string,
  total: number | undefined,
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
): Progress {
  if (stream.isTTY !== true) return noProgress
  const started = now()
  let lastDraw = 0
  let drawn = false
  const dim = colourWanted(stream)
  const draw = (done: number) => {
    const line = progressLine(label, done, total, now() - started)
    const columns = stream.columns ?? 100
    stream.write(`\r${dim ? "\u001b[2m" : ""}${line.slice(0, columns - 1)}${dim ? "\u001b[22m" : ""}\u001b[K`)
    drawn = true
  }
  return {
    tick: (done) => {
      const t = now()
      if (t - lastDraw < REDRAW_MS) return
      lastDraw = t
      draw(done)
    },
    done: () => {
      if (drawn) stream.write("\r\u001b[K")
    },
  }
}
