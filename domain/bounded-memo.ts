/**
 * A function of a key, remembered. Replays call the same few functions of session keys
 * (the agent a key names, its canonical form) millions of times over a few thousand distinct
 * keys, each read afresh from JSON: the memo computes each once and hands back a value whose
 * own strings are already hashed. Bounded (cleared when full), so a log of ever-new keys costs
 * one computation per key, never unbounded memory. Pure to its callers: the same key always
 * gives the same value.
 *
 * `undefined` cannot be remembered (it means "not seen"): a function with no answer for some
 * keys returns `null` for them.
 */
export function boundedMemo<A extends NonNullable<unknown> | null>(
  compute: (key: string) => A,
  size: number,
): (key: string) => A {
  const memo = new Map<string, A>()
  return (key) => {
    let value = memo.get(key)
    if (value === undefined) {
      value = compute(key)
      if (memo.size >= size) memo.clear()
      memo.set(key, value)
    }
    return value
  }
}
