/**
 * Deterministic ids for an import, so that importing the same file twice records it once.
 * Every id the ledger takes while recording line L of a file — the system event's id, wake and
 * run ids, the store's event ids — is an RFC 9562 version-8 (custom) UUID made of 60 bits of
 * the file's SHA-256, a 14-bit counter within the line, and the 48-bit line number. A store
 * record's id thus says which line of which file wrote it: a re-import skips those lines.
 */
import { createHash } from "node:crypto"

export interface FileNamespace {
  /** 8 bytes of the content hash (60 of its bits are used). */
  readonly bytes: Uint8Array
  /** The id prefix every id of this file starts with (the first 15 hex digits and dashes). */
  readonly prefix: string
}

export const MAX_IDS_PER_LINE = 1 << 14

export function fileNamespace(content: Uint8Array): FileNamespace {
  const bytes = createHash("sha256").update(content).digest().subarray(0, 8)
  const id = lineId({ bytes }, 0, 0)
  return { bytes, prefix: id.slice(0, 18) }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")

/** The `k`-th id of line `line` (1-based) of the file. */
export function lineId(namespace: Pick<FileNamespace, "bytes">, line: number, k: number): string {
  if (k < 0 || k >= MAX_IDS_PER_LINE)
    throw new RangeError(`line ${line} needs more than ${MAX_IDS_PER_LINE} ids`)
  const ns = namespace.bytes
  const b = new Uint8Array(16)
  b.set(ns.subarray(0, 6), 0)
  b[6] = 0x80 | ((ns[6] ?? 0) & 0x0f)
  b[7] = ns[7] ?? 0
  b[8] = 0x80 | ((k >> 8) & 0x3f)
  b[9] = k & 0xff
  for (let i = 0; i < 6; i++) b[15 - i] = Math.floor(line / 2 ** (8 * i)) & 0xff
  const h = hex(b)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** The line (1-based) an id of this file was made for, or undefined for any other id. */
export function lineOfId(namespace: FileNamespace, id: string): number | undefined {
  if (id.length !== 36 || !id.startsWith(namespace.prefix)) return undefined
  const line = Number.parseInt(id.slice(24), 16)
  return Number.isSafeInteger(line) ? line : undefined
}

/** Hands out the ids of one line after another (what the ledger's Ids service reads). */
export class LineIdCursor {
  private line = 0
  private k = 0
  private readonly namespace: FileNamespace

  constructor(namespace: FileNamespace) {
    this.namespace = namespace
  }

  /** Starts line `line`; id 0 of the line is its system event's id, the ledger takes 1, 2, … */
  startLine(line: number): string {
    this.line = line
    this.k = 1
    return lineId(this.namespace, line, 0)
  }

  next(): string {
    return lineId(this.namespace, this.line, this.k++)
  }
}
