/**
 * A compact table of ids seen, for the invariants that must remember every id of a long log
 * (a doubled store id, an attempt id recorded twice, a second fate). A Set of strings would
 * keep each id (≈ 75 bytes apiece); this keeps a 64-bit fingerprint and a one-byte mark per
 * slot in typed arrays (≈ 12 bytes per id at the average load), open addressing with linear
 * probing, grown ×2 at 3/4 full.
 *
 * Two different ids share a fingerprint with probability ≈ n²/2⁶⁵ over n ids (about one in
 * a million at 5 million ids): the table may then call a new id "seen" — a false alarm, never a
 * missed repeat.
 */

let hashHi = 0
let hashLo = 0

/** Two 32-bit hashes of `id` in one pass (FNV-1a and a multiply-xorshift), finalised with murmur3's mix. */
function fingerprint(id: string): void {
  let h1 = 0x811c9dc5
  let h2 = 0x9747b28c
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193)
    h2 = Math.imul(h2 ^ c, 0x5bd1e995)
    h2 ^= h2 >>> 13
  }
  hashHi = mix(h1 ^ id.length)
  hashLo = mix(h2)
}

function mix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

export class IdTable {
  private hashes: Uint32Array
  /** 0: an empty slot; otherwise the caller's mark (1–255). */
  private marks: Uint8Array
  private mask: number
  size = 0

  constructor(capacity = 1 << 12) {
    this.hashes = new Uint32Array(capacity * 2)
    this.marks = new Uint8Array(capacity)
    this.mask = capacity - 1
  }

  /** The mark of `id`, 0 when it was never set. */
  get(id: string): number {
    fingerprint(id)
    return this.marks[this.slotOf(hashHi, hashLo)] as number
  }

  /** Sets `id`'s mark (1–255) and returns the previous one (0 when the id is new). */
  set(id: string, mark: number): number {
    fingerprint(id)
    const slot = this.slotOf(hashHi, hashLo)
    const previous = this.marks[slot] as number
    if (previous === 0) {
      this.hashes[slot * 2] = hashHi
      this.hashes[slot * 2 + 1] = hashLo
      this.size++
    }
    this.marks[slot] = mark
    if (previous === 0 && this.size * 4 > this.marks.length * 3) this.grow()
    return previous
  }

  /** The slot holding (hi, lo), or the empty slot where it would go. */
  private slotOf(hi: number, lo: number): number {
    const { hashes, marks, mask } = this
    let slot = hi & mask
    while (marks[slot] !== 0 && (hashes[slot * 2] !== hi || hashes[slot * 2 + 1] !== lo)) {
      slot = (slot + 1) & mask
    }
    return slot
  }

  private grow(): void {
    const { hashes, marks } = this
    this.hashes = new Uint32Array(hashes.length * 2)
    this.marks = new Uint8Array(marks.length * 2)
    this.mask = this.marks.length - 1
    for (let slot = 0; slot < marks.length; slot++) {
      if (marks[slot] === 0) continue
      const hi = hashes[slot * 2] as number
      const lo = hashes[slot * 2 + 1] as number
      const to = this.slotOf(hi, lo)
      this.hashes[to * 2] = hi
      this.hashes[to * 2 + 1] = lo
      this.marks[to] = marks[slot] as number
    }
  }

  toJSON(): { size: number; hashes: string; marks: string } {
    return { size: this.size, hashes: toBase64(this.hashes), marks: toBase64(this.marks) }
  }

  static fromJSON(json: { size: number; hashes: string; marks: string }): IdTable {
    const marks = fromBase64(json.marks)
    const table = new IdTable(marks.length)
    table.marks = marks
    table.hashes = new Uint32Array(fromBase64(json.hashes).buffer)
    table.size = json.size
    return table
  }
}

const toBase64 = (array: Uint8Array | Uint32Array): string => {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
  let binary = ""
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

const fromBase64 = (text: string): Uint8Array => {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
