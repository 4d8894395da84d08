/**
 * Reads an import file (or stdin for `-`) whole and validates every line before anything is
 * recorded: a file with any bad line is refused with all its errors, and nothing is written.
 * Lines are found and checked as bytes first, so a huge or non-UTF-8 line is reported, not decoded.
 */
import { isUtf8 } from "node:buffer"
import { readFileSync } from "node:fs"
import { formatCount } from "../shared/format.ts"
import { decodeImportLine, epochOf, type ImportLine, type LineError } from "./import-line.ts"

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

/** A line longer than this is refused without being decoded (a 30 MB line never becomes a string). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf])

/** The offset of the first byte of `bytes` that is not part of well-formed UTF-8. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    // Sequence length and the range of its second byte (no overlongs, surrogates or > U+10FFFF).
    const [length, low, high] =
      b >= 0xc2 && b <= 0xdf
        ? [2, 0x80, 0xbf]
        : b === 0xe0
          ? [3, 0xa0, 0xbf]
          : b === 0xed
            ? [3, 0x80, 0x9f]
            : b >= 0xe1 && b <= 0xef
              ? [3, 0x80, 0xbf]
              : b === 0xf0
                ? [4, 0x90, 0xbf]
                : b >= 0xf1 && b <= 0xf3
                  ? [4, 0x80, 0xbf]
                  : b === 0xf4
                    ? [4, 0x80, 0x8f]
                    : [0, 0, 0]
    if (length === 0) return i
    const second = bytes[i + 1]
    if (second === undefined || second < low || second > high) return i
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k]
      if (next === undefined || next < 0x80 || next > 0xbf) return i
    }
    i += length
  }
  return -1
}

/** Why a line's bytes cannot be read as text, or undefined. `offset` is its first byte in the file. */
function lineBytesProblem(bytes: Buffer, offset: number): string | undefined {
  if (bytes.length > MAX_LINE_BYTES)
    return `line is ${formatCount(bytes.length)} bytes; the limit is ${formatCount(MAX_LINE_BYTES)}`
  if (isUtf8(bytes)) return undefined
  const at = firstInvalidUtf8(bytes)
  const shown = [...bytes.subarray(at, at + 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ")
  return `not valid UTF-8 at byte ${formatCount(at + 1)} of the line (byte ${formatCount(offset + at + 1)} of the file: ${shown}); the file must be UTF-8`
}

/**
 * Splits the bytes into lines (LF, or CRLF) and decodes each; lines are numbered from 1. A
 * UTF-8 byte order mark opening the file is skipped (editors add it); anywhere else it is an
 * error, as are invalid UTF-8, over-long lines and time running backwards (docs/import-format.md).
 */
export function parseImport(
  name: string,
  content: Uint8Array,
  onProgress?: (done: number) => void,
): ParsedImport {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength)
  const lines: Array<{ line: number; decoded: ImportLine }> = []
  const errors: LineError[] = []
  const order = new TimeOrder()
  let start = bytes.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0
  for (let index = 1; start < bytes.length; index++) {
    const newline = bytes.indexOf(0x0a, start)
    const end = newline === -1 ? bytes.length : newline
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end
    const row = bytes.subarray(start, stop)
    const offset = start
    start = end + 1
    if (index % 1000 === 0) onProgress?.(index)
    const unreadable = lineBytesProblem(row, offset)
    if (unreadable !== undefined) {
      errors.push({ line: index, field: "", message: unreadable })
      continue
    }
    const text = row.toString("utf8")
    // Blank lines (a trailing newline, spacing) carry nothing.
    if (text.trim() === "") continue
    if (text.charCodeAt(0) === 0xfeff) {
      errors.push({
        line: index,
        field: "",
        message:
          "starts with a byte order mark (U+FEFF, invisible); only the very start of the file may have one",
      })
      continue
    }
    const decoded = decodeImportLine(text, index, row.length)
    if (Array.isArray(decoded)) {
      errors.push(...decoded)
      continue
    }
    const backwards = order.check(index, decoded)
    if (backwards !== undefined) errors.push(backwards)
    lines.push({ line: index, decoded })
  }
  return { name, content, lines, errors }
}

/**
 * Lines are in the order things happened: an `at` earlier than a previous line's would make
 * latencies negative (shown as 0ms) and throttle sweeps, so it is refused, naming both lines.
 * Recorded events (an export) keep their own times and are not checked.
 */
class TimeOrder {
  private latest: { readonly line: number; readonly at: string; readonly epoch: number } | undefined

  check(line: number, decoded: ImportLine): LineError | undefined {
    if (decoded.kind === "recorded") return undefined
    const at = decoded.line.at
    const epoch = epochOf(at)
    const latest = this.latest
    if (latest !== undefined && epoch < latest.epoch) {
      return {
        line,
        field: "at",
        message: `${at} is earlier than line ${latest.line} (${latest.at}); lines must be in the order they happened`,
      }
    }
    this.latest = { line, at, epoch }
    return undefined
  }
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
