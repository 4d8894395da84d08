/** Id sources: random UUIDs in production, a seeded sequence for reproducible demos and tests. */
import { randomUUID } from "node:crypto"
import { Effect, Layer } from "effect"
import { Ids } from "../application/ids.ts"

export const layerRandomIds = Layer.succeed(Ids, Ids.of({ next: Effect.sync(() => randomUUID()) }))

/** UUID-shaped (version 4 bits set) ids from a 32-bit seed: the same seed, the same ids. */
export function seededUuids(seed: number): () => string {
  let state = seed >>> 0 || 0x9e3779b9
  const word = () => {
    // xorshift32: small, fast, and good enough for unique-looking ids.
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state.toString(16).padStart(8, "0")
  }
  let counter = 0
  return () => {
    counter++
    const a = word()
    const b = word()
    const c = word()
    const d = (counter >>> 0).toString(16).padStart(8, "0")
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${(8 | (Number.parseInt(c[0] as string, 16) & 3)).toString(16)}${c.slice(1, 4)}-${c.slice(4)}${d}`
  }
}

export const layerSeededIds = (seed: number) =>
  Layer.sync(Ids, () => {
    const next = seededUuids(seed)
    return Ids.of({ next: Effect.sync(next) })
  })
