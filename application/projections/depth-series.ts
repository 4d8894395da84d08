/**
 * A queue-depth time series for the audit's charts, bounded by decimation: once full, every
 * other point is dropped, so the chart keeps its shape and memory stays flat in the log's size.
 *
 * Points live packed in one Float64Array, not as an `[at, depth]` array each: a replay adds a
 * point for almost every event, and each small array outlived the young generation (the series
 * is long-lived), so replaying 1M events left tens of MB of dead points in V8's old space.
 */
export class DepthSeries {
  /** at0, depth0, at1, depth1, … */
  private values: Float64Array
  private size = 0
  /** Decimation starts when a point would exceed this many. */
  readonly capacity: number

  constructor(capacity: number) {
    this.capacity = capacity
    this.values = new Float64Array(Math.min(capacity + 1, 64) * 2)
  }

  get length(): number {
    return this.size
  }

  push(at: number, depth: number): void {
    if (this.size * 2 === this.values.length) {
      const grown = new Float64Array(Math.min(this.values.length * 2, (this.capacity + 1) * 2))
      grown.set(this.values)
      this.values = grown
    }
    this.values[this.size * 2] = at
    this.values[this.size * 2 + 1] = depth
    this.size++
    if (this.size > this.capacity) this.decimate()
  }

  /** Keeps points 0, 2, 4, … in place. */
  private decimate(): void {
    let kept = 0
    for (let index = 0; index < this.size; index += 2) {
      this.values[kept * 2] = this.values[index * 2] as number
      this.values[kept * 2 + 1] = this.values[index * 2 + 1] as number
      kept++
    }
    this.size = kept
  }

  points(): Array<[at: number, depth: number]> {
    const out = new Array<[number, number]>(this.size)
    for (let index = 0; index < this.size; index++) {
      out[index] = [this.values[index * 2] as number, this.values[index * 2 + 1] as number]
    }
    return out
  }

  static from(capacity: number, points: Iterable<readonly [number, number]>): DepthSeries {
    const series = new DepthSeries(capacity)
    for (const [at, depth] of points) series.push(at, depth)
    return series
  }
}
