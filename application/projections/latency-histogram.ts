/**
 * A latency histogram with log-spaced buckets (about 2% relative error), so that percentiles
 * over millions of events cost a few hundred counters, not a list of every latency.
 */
const GROWTH = 1.02
const LOG_GROWTH = Math.log(GROWTH)

export interface LatencyHistogram {
  count: number
  max: number
  sum: number
  /** bucket index → count; bucket i holds latencies in [GROWTH^(i-1), GROWTH^i) ms. */
  readonly buckets: Map<number, number>
}

export const emptyHistogram = (): LatencyHistogram => ({ count: 0, max: 0, sum: 0, buckets: new Map() })

const bucketOf = (ms: number): number => (ms < 1 ? 0 : Math.ceil(Math.log(ms + 1e-9) / LOG_GROWTH))
const upperBoundOf = (bucket: number): number => (bucket === 0 ? 0 : GROWTH ** bucket)

export function recordLatency(histogram: LatencyHistogram, ms: number): void {
  const value = Math.max(0, ms)
  histogram.count++
  histogram.sum += value
  if (value > histogram.max) histogram.max = value
  const bucket = bucketOf(value)
  histogram.buckets.set(bucket, (histogram.buckets.get(bucket) ?? 0) + 1)
}

/** The q-quantile (0..1), never above the exact maximum. */
export function quantile(histogram: LatencyHistogram, q: number): number {
  if (histogram.count === 0) return 0
  const rank = Math.max(1, Math.ceil(q * histogram.count))
  let seen = 0
  for (const bucket of [...histogram.buckets.keys()].sort((a, b) => a - b)) {
    seen += histogram.buckets.get(bucket) ?? 0
    if (seen >= rank) return Math.min(Math.round(upperBoundOf(bucket)), histogram.max)
  }
  return histogram.max
}

export const histogramToJSON = (histogram: LatencyHistogram) => ({
  count: histogram.count,
  max: histogram.max,
  sum: histogram.sum,
  buckets: [...histogram.buckets],
})

export const histogramFromJSON = (json: ReturnType<typeof histogramToJSON>): LatencyHistogram => ({
  count: json.count,
  max: json.max,
  sum: json.sum,
  buckets: new Map(json.buckets),
})
