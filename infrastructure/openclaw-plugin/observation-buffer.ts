/**
 * The bounded buffer observations wait in until the store takes them. It never grows past its
 * limit: what does not fit is counted (with the time span it covers) and reported as lost by
 * the next write, never dropped silently.
 */
export interface LostSpan {
  readonly count: number
  readonly from: number
  readonly to: number
}

export class ObservationBuffer<T> {
  private readonly items: T[] = []
  private lost: { count: number; from: number; to: number } | undefined

  readonly limit: number

  constructor(limit: number) {
    this.limit = limit
  }

  /** False (and counted as lost) when the buffer is full. */
  offer(item: T, at: number): boolean {
    if (this.items.length < this.limit) {
      this.items.push(item)
      return true
    }
    if (this.lost === undefined) this.lost = { count: 1, from: at, to: at }
    else {
      this.lost.count++
      this.lost.to = at
    }
    return false
  }

  get size(): number {
    return this.items.length
  }

  /** The oldest `max` items, still in the buffer until `commit` removes them. */
  peek(max: number): ReadonlyArray<T> {
    return this.items.slice(0, max)
  }

  commit(count: number): void {
    this.items.splice(0, count)
  }

  /** The loss counted since the last call, handed to the writer once. */
  takeLost(): LostSpan | undefined {
    const lost = this.lost
    this.lost = undefined
    return lost
  }
}
