/**
 * A small seeded PRNG (mulberry32) for the demo: the same seed gives the same gateway day,
 * byte for byte. Not for anything security-related.
 */
export interface Prng {
  /** A float in [0, 1). */
  readonly next: () => number
  /** An integer in [min, max], both included. */
  readonly int: (min: number, max: number) => number
  readonly chance: (probability: number) => boolean
  readonly pick: <T>(items: ReadonlyArray<T>) => T
  /** `length` lower-case hex digits. */
  readonly hex: (length: number) => string
}

export function makePrng(seed: number): Prng {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: <T>(items: ReadonlyArray<T>): T => {
      if (items.length === 0) throw new Error("pick from an empty list")
      return items[int(0, items.length - 1)] as T
    },
    hex: (length) => Array.from({ length }, () => int(0, 15).toString(16)).join(""),
  }
}
