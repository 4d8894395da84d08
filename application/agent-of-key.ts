/**
 * A session key's agent, remembered. A log names the same few thousand origins and queues
 * millions of times, and parsing one (`parseAgentSessionKey`) is a split, a filter and a join:
 * replaying a log parsed each key several times per event. The memo is bounded (cleared when
 * full), so a log of ever-new keys costs a parse per key, never unbounded memory.
 */
import { normalizeAgentId, parseAgentSessionKey } from "../domain/session-key.ts"

const CACHE_SIZE = 16_384

/** A bounded memo of `f` over strings; `null` stands for "no agent" so that it is remembered too. */
const memoOf = (f: (key: string) => string | undefined) => {
  const cache = new Map<string, string | null>()
  return (key: string): string | undefined => {
    let value = cache.get(key)
    if (value === undefined) {
      value = f(key) ?? null
      if (cache.size >= CACHE_SIZE) cache.clear()
      cache.set(key, value)
    }
    return value ?? undefined
  }
}

/** The agent id as written in the key (lower-cased, trimmed), as `parseAgentSessionKey` gives it. */
export const agentIdOfKey: (key: string) => string | undefined = memoOf(
  (key) => parseAgentSessionKey(key)?.agentId,
)

/** The agent id normalised (`agent:Data Eng:…` is `data-eng`), as config and heartbeats name agents. */
export const normalizedAgentOfKey: (key: string) => string | undefined = memoOf((key) => {
  const parsed = agentIdOfKey(key)
  return parsed === undefined ? undefined : normalizeAgentId(parsed)
})
