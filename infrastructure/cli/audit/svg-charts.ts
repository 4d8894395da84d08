/**
 * Inline SVG charts for the HTML report: stacked fate bars, queue-depth step charts and
 * latency histograms. Plain markup, no script; every label goes through `escapeHtml`.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
}

/** Text and attribute values: nothing in them can open a tag, end an attribute or a style. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char)

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))

export interface Segment {
  readonly label: string
  readonly value: number
  readonly colour: string
}

/** One horizontal bar per row, split into segments proportional to the row's total. */
export function stackedBars(
  rows: ReadonlyArray<{ readonly label: string; readonly segments: ReadonlyArray<Segment> }>,
  options: { readonly width?: number } = {},
): string {
  const width = options.width ?? 760
  const labelWidth = 130
  const barHeight = 22
  const gap = 10
  const height = rows.length * (barHeight + gap) + gap
  const max = Math.max(1, ...rows.map((row) => row.segments.reduce((sum, s) => sum + s.value, 0)))
  const scale = (width - labelWidth - 70) / max
  const body = rows
    .map((row, index) => {
      const y = gap + index * (barHeight + gap)
      let x = labelWidth
      const total = row.segments.reduce((sum, s) => sum + s.value, 0)
      const rects = row.segments
        .filter((segment) => segment.value > 0)
        .map((segment) => {
          const w = Math.max(1, segment.value * scale)
          const rect = `<rect x="${num(x)}" y="${y}" width="${num(w)}" height="${barHeight}" fill="${segment.colour}"><title>${escapeHtml(`${row.label}: ${segment.value} ${segment.label}`)}</title></rect>`
          x += w
          return rect
        })
        .join("")
      return (
        `<text x="${labelWidth - 8}" y="${y + barHeight / 2 + 4}" text-anchor="end" class="label">${escapeHtml(row.label)}</text>` +
        rects +
        `<text x="${num(x + 6)}" y="${y + barHeight / 2 + 4}" class="value">${total}</text>`
      )
    })
    .join("")
  return `<svg class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`
}

export interface Series {
  readonly label: string
  readonly colour: string
  readonly points: ReadonlyArray<readonly [number, number]>
}

/** A step chart of queue depth over time (one or more series on shared axes). */
export function depthChart(
  title: string,
  series: ReadonlyArray<Series>,
  range: { readonly from: number; readonly to: number },
  formatTime: (at: number) => string,
): string {
  const width = 340
  const height = 150
  const left = 34
  const right = 10
  const top = 22
  const bottom = 22
  const span = Math.max(1, range.to - range.from)
  const maxDepth = Math.max(1, ...series.flatMap((s) => s.points.map(([, depth]) => depth)))
  const x = (at: number) => left + ((at - range.from) / span) * (width - left - right)
  const y = (depth: number) => top + (1 - depth / maxDepth) * (height - top - bottom)
  const paths = series
    .filter((s) => s.points.length > 0)
    .map((s) => {
      let d = `M${num(x(range.from))},${num(y(0))}`
      // In time order: an import may have appended older events after newer ones.
      const points = [...s.points].sort((a, b) => a[0] - b[0])
      for (const [at, depth] of points) d += `H${num(x(at))}V${num(y(depth))}`
      d += `H${num(x(range.to))}`
      return `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.5"><title>${escapeHtml(s.label)}</title></path>`
    })
    .join("")
  const axes =
    `<line x1="${left}" y1="${y(0)}" x2="${width - right}" y2="${y(0)}" class="axis"/>` +
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${y(0)}" class="axis"/>` +
    `<text x="${left - 4}" y="${top + 4}" text-anchor="end" class="tick">${maxDepth}</text>` +
    `<text x="${left - 4}" y="${num(y(0))}" text-anchor="end" class="tick">0</text>` +
    `<text x="${left}" y="${height - 6}" class="tick">${escapeHtml(formatTime(range.from))}</text>` +
    `<text x="${width - right}" y="${height - 6}" text-anchor="end" class="tick">${escapeHtml(formatTime(range.to))}</text>`
  return (
    `<figure class="small"><svg class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<text x="${left}" y="14" class="label">${escapeHtml(title)}</text>${axes}${paths}</svg></figure>`
  )
}

/** Columns of counts per latency bin (bins already chosen by the caller). */
export function histogramChart(
  title: string,
  bins: ReadonlyArray<{ readonly label: string; readonly count: number }>,
  summary: string,
  colour: string,
): string {
  const width = 340
  const height = 150
  const left = 10
  const top = 22
  const bottom = 30
  const max = Math.max(1, ...bins.map((bin) => bin.count))
  const slot = (width - left * 2) / Math.max(1, bins.length)
  const columns = bins
    .map((bin, index) => {
      const h = (bin.count / max) * (height - top - bottom)
      const xPos = left + index * slot
      const label =
        index % 2 === 0
          ? `<text x="${num(xPos + slot / 2)}" y="${height - 16}" text-anchor="middle" class="tick">${escapeHtml(bin.label)}</text>`
          : ""
      return `<rect x="${num(xPos + 1)}" y="${num(height - bottom - h)}" width="${num(slot - 2)}" height="${num(h)}" fill="${colour}"><title>${escapeHtml(`${bin.label}: ${bin.count}`)}</title></rect>${label}`
    })
    .join("")
  return (
    `<figure class="small"><svg class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<text x="${left}" y="14" class="label">${escapeHtml(title)}</text>` +
    `<line x1="${left}" y1="${height - bottom}" x2="${width - left}" y2="${height - bottom}" class="axis"/>${columns}` +
    `<text x="${left}" y="${height - 3}" class="tick">${escapeHtml(summary)}</text></svg></figure>`
  )
}
