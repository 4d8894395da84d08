/**
 * Reads an import file (or stdin for `-`) whole and validates every line before anything is
 * recorded: a file with any bad line is refused with all its errors, and nothing is written.
 */
import { readFileSync } from "node:fs"
import { decodeImportLine, type ImportLine, type LineError } from "./import-line.ts"

export interface ParsedImport {
  /** The name errors are reported under: the path, or `<stdin>`. */
  readonly name: string
  readonly content: Uint8Array
  readonly lines: ReadonlyArray<{ readonly line: number; readonly decoded: ImportLine }>
  readonly errors: ReadonlyArray<LineError>
}

/**
 * The file's bytes, or all of stdin for `-`. Stdin is read as a stream: a synchronous read of
 * fd 0 fails with EAGAIN when the pipe is empty for now and non-blocking (the platform layers
 * make it so), e.g. `slow-producer | heartbeat-ledger import -`.
 */
export async function readImportInput(file: string): Promise<Uint8Array> {
  if (file !== "-") return readFileSync(file)
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks)
}

export function parseImport(
  name: string,
  content: Uint8Array,
  onProgress?: (done: number) => void,
): ParsedImport {
  const text = Buffer.from(content).toString("utf8")
  const rows = text.split("\n")
  const lines: Array<{ line: number; decoded: ImportLine }> = []
  const errors: LineError[] = []
  rows.forEach((row, index) => {
    const trimmed = row.endsWith("\r") ? row.slice(0, -1) : row
    // Blank lines (a trailing newline, spacing) carry nothing.
    if (trimmed.trim() === "") return
    const decoded = decodeImportLine(trimmed, index + 1)
    if (Array.isArray(decoded)) errors.push(...decoded)
    else lines.push({ line: index + 1, decoded })
    if (index % 1000 === 0) onProgress?.(index)
  })
  return { name, content, lines, errors }
}

const MAX_REPORTED = 50

/** `file:line: field: message`, one per error, the first fifty. */
export function formatLineErrors(name: string, errors: ReadonlyArray<LineError>): string {
  const shown = errors
    .slice(0, MAX_REPORTED)
    .map((error) => `${name}:${error.line}: ${error.field || "(line)"}: ${error.message}`)
  if (errors.length > MAX_REPORTED) shown.push(`… and ${errors.length - MAX_REPORTED} more errors`)
  return shown.join("\n")
}
