import { describe, expect, it } from "vitest"
import { MAX_EVENT_DATA_BYTES } from "../../application/event-store.ts"
import { encodeEventData } from "../../infrastructure/stores/append-rules.ts"

const event = (data: unknown) => ({ id: "e-1", type: "T", version: 1, data })
const encode = (data: unknown) => encodeEventData("hbl-size", [event(data)])

// The limit is on UTF-8 bytes; short JSON skips the byte count, so check both sides of the
// shortcut with characters of every UTF-8 width.
describe("encodeEventData: the size limit counts UTF-8 bytes", () => {
  it("accepts JSON of exactly the limit and refuses one byte more", () => {
    const quotes = 2
    expect(encode("x".repeat(MAX_EVENT_DATA_BYTES - quotes))).toEqual([
      JSON.stringify("x".repeat(MAX_EVENT_DATA_BYTES - quotes)),
    ])
    expect(encode("x".repeat(MAX_EVENT_DATA_BYTES - quotes + 1))).toMatchObject({
      _tag: "EventTooLarge",
      eventId: "e-1",
      bytes: MAX_EVENT_DATA_BYTES + 1,
      limit: MAX_EVENT_DATA_BYTES,
    })
  })

  it("counts two-, three- and four-byte characters, not UTF-16 code units", () => {
    // 2 + 2n bytes in 2 + n code units: over the limit while far shorter than it in characters.
    const twoByte = "é".repeat(MAX_EVENT_DATA_BYTES / 2)
    expect(encode(twoByte)).toMatchObject({ _tag: "EventTooLarge", bytes: MAX_EVENT_DATA_BYTES + 2 })
    // 2 + 3n bytes in 2 + n code units: the most bytes per code unit.
    const threeByte = (n: number) => "€".repeat(n)
    const fits = Math.floor((MAX_EVENT_DATA_BYTES - 2) / 3)
    expect(encode(threeByte(fits))).toEqual([JSON.stringify(threeByte(fits))])
    expect(encode(threeByte(fits + 1))).toMatchObject({ _tag: "EventTooLarge", bytes: 2 + 3 * (fits + 1) })
    // A surrogate pair: 4 bytes in 2 code units.
    const astral = "😀".repeat(MAX_EVENT_DATA_BYTES / 4)
    expect(encode(astral)).toMatchObject({ _tag: "EventTooLarge", bytes: MAX_EVENT_DATA_BYTES + 2 })
  })

  it("refuses the batch at its first event over the limit", () => {
    const result = encodeEventData("hbl-size", [
      event({ ok: true }),
      { ...event("€".repeat(MAX_EVENT_DATA_BYTES)), id: "e-2" },
      { ...event("x".repeat(MAX_EVENT_DATA_BYTES)), id: "e-3" },
    ])
    expect(result).toMatchObject({ _tag: "EventTooLarge", eventId: "e-2" })
  })
})
