/** Plain-text tables for the terminal: columns padded to their widest cell (colour-aware). */
import { visibleLength } from "./terminal.ts"

export type Align = "left" | "right"

export function renderTable(
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  align: ReadonlyArray<Align>,
  indent = "  ",
): string {
  const widths = headers.map((header, column) =>
    Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[column] ?? ""))),
  )
  const line = (cells: ReadonlyArray<string>) =>
    indent +
    cells
      .map((cell, column) => {
        const pad = " ".repeat(Math.max(0, (widths[column] ?? 0) - visibleLength(cell)))
        return align[column] === "right" ? pad + cell : cell + pad
      })
      .join("  ")
      .trimEnd()
  return [line(headers), ...rows.map(line)].join("\n")
}
