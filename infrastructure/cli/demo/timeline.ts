/**
 * The demo's timeline: actions ordered by time (ties in insertion order), in a binary heap so
 * that wakes and retries can be scheduled while the day plays out.
 */
export interface Timed<A> {
  readonly at: number
  readonly action: A
}

export class Timeline<A> {
  private readonly heap: Array<{ readonly at: number; readonly seq: number; readonly action: A }> = []
  private seq = 0

  get size(): number {
    return this.heap.length
  }

  add(at: number, action: A): void {
    this.heap.push({ at, seq: this.seq++, action })
    let index = this.heap.length - 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!this.before(index, parent)) break
      this.swap(index, parent)
      index = parent
    }
  }

  /** The earliest action, removed; undefined when empty. */
  take(): Timed<A> | undefined {
    const top = this.heap[0]
    if (top === undefined) return undefined
    const last = this.heap.pop()
    if (last !== undefined && this.heap.length > 0) {
      this.heap[0] = last
      let index = 0
      for (;;) {
        const left = index * 2 + 1
        const right = left + 1
        let smallest = index
        if (left < this.heap.length && this.before(left, smallest)) smallest = left
        if (right < this.heap.length && this.before(right, smallest)) smallest = right
        if (smallest === index) break
        this.swap(index, smallest)
        index = smallest
      }
    }
    return { at: top.at, action: top.action }
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a]!
    const y = this.heap[b]!
    return x.at < y.at || (x.at === y.at && x.seq < y.seq)
  }

  private swap(a: number, b: number): void {
    const x = this.heap[a]!
    this.heap[a] = this.heap[b]!
    this.heap[b] = x
  }
}
