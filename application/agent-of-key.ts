/**
 * The agent a session key names (`agent:<agentId>:…`), normalised as config and heartbeats name
 * agents (`agent:Data Eng:…` is `data-eng`), or none for a key that names no agent. Remembered:
 * a log names the same few thousand origins and queues millions of times, and parsing one
 * (`parseAgentSessionKey`) is a split, a filter and a join: replaying a log parsed each key
 * several times per event. The memo is bounded (cleared when full), so a log of ever-new keys
 * costs a parse per key, never unbounded memory.
 *
 * One name per meaning: `agentOfKey` is this (no agent: undefined); the agent an event's fate is
 * counted under is `attributedAgent` (projections/audit.ts); the agent whose config a call uses
 * (no agent: `main`) is OpenClaw's `resolveAgentIdFromSessionKey` (domain/session-key.ts).
 */
import { normalizeAgentId, parseAgentSessionKey } from "../domain/session-key.ts"

const CACHE_SIZE = 16_384

// `null` stands for "no agent" so that it is remembered too.
const cache = new Map<string, string | null>()

export const agentOfKey = (key: string): string | undefined => {
  let value = cache.get(key)
  if (value === undefined) {
    const parsed = parseAgentSessionKey(key)?.agentId
    value = parsed === undefined ? null : normalizeAgentId(parsed)
    if (cache.size >= CACHE_SIZE) cache.clear()
    cache.set(key, value)
  }
  return value ?? undefined
}
