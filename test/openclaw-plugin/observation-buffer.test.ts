import { describe, expect, it } from "vitest"
import { ObservationBuffer } from "../../infrastructure/openclaw-plugin/observation-buffer.ts"

describe("ObservationBuffer", () => {
  it("keeps at most its limit and counts the rest as lost, once", () => {
    const buffer = new ObservationBuffer<number>(2)
    expect([1, 2, 3, 4].map((n) => buffer.offer(n, n * 10))).toEqual([true, true, false, false])
    expect(buffer.peek(10)).toEqual([1, 2])
    expect(buffer.takeLost()).toEqual({ count: 2, from: 30, to: 40 })
    expect(buffer.takeLost()).toBeUndefined()
    buffer.commit(1)
    expect(buffer.peek(10)).toEqual([2])
  })
})
