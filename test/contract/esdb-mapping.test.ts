/**
 * The pure value mapping of the ESDB adapter (no server involved: the adapter itself is only
 * tested by esdb.test.ts against a real one).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  fromEsdbCurrentRevision,
  isUuid,
  toEsdbExpectedRevision,
  toEsdbPosition,
  toGlobalPosition,
} from "../../infrastructure/stores/esdb-mapping.ts"

describe("ESDB value mapping", () => {
  it("maps expected revisions one to one", () => {
    expect(toEsdbExpectedRevision("no-stream")).toBe("no_stream")
    expect(toEsdbExpectedRevision("any")).toBe("any")
    expect(toEsdbExpectedRevision("stream-exists")).toBe("stream_exists")
    expect(toEsdbExpectedRevision(41)).toBe(41n)
    expect(fromEsdbCurrentRevision("no_stream")).toBe(-1)
    expect(fromEsdbCurrentRevision(7n)).toBe(7)
  })

  it("a global position and a commit position round-trip", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (position) => {
        expect(toGlobalPosition(toEsdbPosition(position))).toBe(position)
      }),
    )
  })

  it("refuses a commit position a JS number cannot hold exactly", () => {
    expect(toGlobalPosition({ commit: BigInt(Number.MAX_SAFE_INTEGER) + 1n, prepare: 0n })).toBeUndefined()
  })

  it("recognises the UUIDs the server requires as event ids", () => {
    expect(isUuid(crypto.randomUUID())).toBe(true)
    expect(isUuid("evt-1")).toBe(false)
  })
})
