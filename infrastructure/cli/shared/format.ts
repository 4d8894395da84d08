/** Number, time and duration formats shared by the text and HTML reports. */

/** Every count the CLI prints, one way: `13,559`. */
export const formatCount = (n: number): string => n.toLocaleString("en-US")

/** A count and its noun, pluralised: `1 line`, `13,559 lines`, `2 heartbeat runs`. */
export const counted = (n: number, singular: string, plural = `${singular}s`): string =>
  `${formatCount(n)} ${n === 1 ? singular : plural}`

/** A latency: `850ms`, `2.4s`, `3m05s`, `2h10m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`
  if (ms < 3_600_000) {
    const seconds = Math.round(ms / 1000)
    return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`
  }
  const minutes = Math.round(ms / 60_000)
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`
}

/** `2025-06-02 13:30:04Z`: ISO-8601 in UTC, readable in a table. */
export const formatInstant = (at: number): string =>
  new Date(at)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z")

export const isoInstant = (at: number): string => new Date(at).toISOString()

/** Cuts untrusted text for a table cell. */
export const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`
