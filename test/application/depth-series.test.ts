import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { DepthSeries } from "../../application/projections/depth-series.ts"

/** The series as it was kept before packing: an array of points, every other one kept when full. */
const reference = (capacity: number, points: ReadonlyArray<readonly [number, number]>) => {
  let series: Array<[number, number]> = []
  for (const [at, depth] of points) {
    series.push([at, depth])
    if (series.length > capacity) series = series.filter((_, index) => index % 2 === 0)
  }
  return series
}

describe("DepthSeries", () => {
  test.prop([
    fc.integer({ min: 1, max: 40 }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: -50, max: 50 })), {
      maxLength: 400,
    }),
  ])("keeps the same points as decimating an array of points", (capacity, points) => {
    const series = new DepthSeries(capacity)
    for (const [at, depth] of points) series.push(at, depth)
    const expected = reference(capacity, points)
    expect(series.points()).toEqual(expected)
    expect(series.length).toBe(expected.length)
    expect(series.length).toBeLessThanOrEqual(capacity)
    // A checkpoint round trip restores the same series.
    expect(DepthSeries.from(capacity, series.points()).points()).toEqual(expected)
  })
})
