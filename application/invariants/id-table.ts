/**
 * A compact table of ids seen, for the invariants that must remember every id of a long log
 * (a doubled store id, an attempt id recorded twice). A Set of strings would keep each id
 * (≈ 75 bytes apiece); this keeps, per slot, a 56-bit fingerprint and a small mark packed in
 * two 32-bit words of one typed array (8 bytes a slot, ≈ 11–21 bytes per id with the load
 * between 3/8 and 3/4): open addressing with linear probing, grown ×2 at 3/4 full, or sized
 * once for the log's length when it is known.
 *
 * Two different ids share a fingerprint with probability ≈ n²/2⁵⁷ over n ids (about one in
 * 2,000 at ten million ids): the table then calls a new id "seen" — a false alarm the audit
 * reports, never a repeat it misses.
 */

const MARK_BITS = 0xff
const MAX_LOAD = 0.75

/** The fingerprint `find` computed last, [hi, lo]: read by `set` to write the slot. */
const hash = new Int32Array(2)

const capacityFor = (ids: number): number => {
  let capacity = 1 << 12
  while (capacity * MAX_LOAD < ids) capacity *= 2
  return capacity
}

export class IdTable {
  /** Slot i: words 2i (hash) and 2i + 1 (hash, low byte the mark; 0 = empty). */
  private words: Int32Array
  private mask: number
  size = 0

  /** `expected`: how many ids will come, when known (the log's length): sized once, never grown. */
  constructor(expected = 0) {
    const capacity = capacityFor(expected)
    this.words = new Int32Array(capacity * 2)
    this.mask = capacity - 1
  }

  /** The mark of `id`, 0 when it was never set. */
  get(id: string): number {
    return this.words[this.find(id) * 2 + 1]! & MARK_BITS
  }

  /** Sets `id`'s mark (1–255) and returns the previous one (0 when the id is new). */
  set(id: string, mark: number): number {
    const slot = this.find(id)
    const previous = this.words[slot * 2 + 1]! & MARK_BITS
    this.words[slot * 2] = hash[0]!
    this.words[slot * 2 + 1] = hash[1]! | mark
    if (previous === 0 && ++this.size > (this.mask + 1) * MAX_LOAD) this.grow()
    return previous
  }

  /**
   * The slot holding `id`'s fingerprint, or the empty slot where it would go. Hashing and probing
   * are one function on purpose: a 32-bit hash passed to or returned from another function is
   * boxed as a heap number once it leaves the small-integer range — two allocations per id,
   * which in the audit (4 MB young generation) tipped V8 into promoting every page of records
   * (measured: +2 s and +130 MB on 1M events). Four characters a step, each folded to its low
   * byte (exact for the ASCII ids stores hold, a hash still for others), FNV-1a and a
   * multiply-xorshift, finalised with murmur3's mix.
   */
  private find(id: string): number {
    const n = id.length
    let h1 = 0x811c9dc5 ^ n
    let h2 = 0x9747b28c
    let i = 0
    for (; i + 3 < n; i += 4) {
      const c =
        id.charCodeAt(i) ^
        (id.charCodeAt(i + 1) << 8) ^
        (id.charCodeAt(i + 2) << 16) ^
        (id.charCodeAt(i + 3) << 24)
      h1 = Math.imul(h1 ^ c, 0x01000193)
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15)
    }
    for (; i < n; i++) {
      const c = id.charCodeAt(i)
      h1 = Math.imul(h1 ^ c, 0x01000193)
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15)
    }
    h1 ^= h1 >>> 16
    h1 = Math.imul(h1, 0x85ebca6b)
    h1 ^= h1 >>> 13
    h1 = Math.imul(h1, 0xc2b2ae35)
    h1 ^= h1 >>> 16
    h2 ^= h1
    h2 ^= h2 >>> 16
    h2 = Math.imul(h2, 0x85ebca6b)
    h2 ^= h2 >>> 13
    h2 = Math.imul(h2, 0xc2b2ae35)
    h2 ^= h2 >>> 16
    // The low byte of the second word holds the mark: 56 bits of fingerprint remain.
    const hi = h1 | 0
    const lo = h2 & ~MARK_BITS
    hash[0] = hi
    hash[1] = lo
    const { words, mask } = this
    let slot = hi & mask
    for (;;) {
      const low = words[slot * 2 + 1]!
      if ((low & MARK_BITS) === 0 || ((low & ~MARK_BITS) === lo && words[slot * 2] === hi)) return slot
      slot = (slot + 1) & mask
    }
  }

  private grow(): void {
    const old = this.words
    const words = new Int32Array(old.length * 2)
    const mask = words.length / 2 - 1
    for (let from = 0; from < old.length / 2; from++) {
      const low = old[from * 2 + 1]!
      if ((low & MARK_BITS) === 0) continue
      const hi = old[from * 2]!
      let slot = hi & mask
      while ((words[slot * 2 + 1]! & MARK_BITS) !== 0) slot = (slot + 1) & mask
      words[slot * 2] = hi
      words[slot * 2 + 1] = low
    }
    this.words = words
    this.mask = mask
  }

  toJSON(): { size: number; words: string } {
    return { size: this.size, words: toBase64(new Uint8Array(this.words.buffer)) }
  }

  static fromJSON(json: { size: number; words: string }): IdTable {
    const table = new IdTable()
    table.words = new Int32Array(fromBase64(json.words).buffer)
    table.mask = table.words.length / 2 - 1
    table.size = json.size
    return table
  }
}

const toBase64 = (bytes: Uint8Array): string => {
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
