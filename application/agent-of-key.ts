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
import { boundedMemo } from "../domain/bounded-memo.ts"
import { normalizeAgentId, parseAgentSessionKey } from "../domain/session-key.ts"

// `null` stands for "no agent" so that it is remembered too.
const agentOrNull = boundedMemo((key): string | null => {
  const parsed = parseAgentSessionKey(key)?.agentId
  return parsed === undefined ? null : normalizeAgentId(parsed)
}, 16_384)

export const agentOfKey = (key: string): string | undefined => agentOrNull(key) ?? undefined
