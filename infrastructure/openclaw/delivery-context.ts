/**
 * OpenClaw's delivery contexts (src/utils/delivery-context.shared.ts at 2026.5.12), as the queue
 * keeps them: normalized on enqueue, compared by route, merged newest-first. Written from the
 * release's behaviour, not its code. One difference: OpenClaw maps channel aliases (`lark`,
 * `teams`, …) through its channel catalog; we keep the trimmed, lower-cased name
 * (docs/domain-choices.md).
 */
import type { DeliveryContext as StoredDeliveryContext } from "../../domain/events.ts"
import { sameDeliveryContext } from "../../domain/queue.ts"

/** OpenClaw's `DeliveryContext` (delivery-context.types.d.ts). */
export interface DeliveryContext {
  channel?: string
  to?: string
  accountId?: string
  threadId?: string | number
  /** Accepted and dropped by normalization, as in OpenClaw. */
  deliveryIntent?: {
    id: string
    kind: "outbound_queue"
    queuePolicy?: "required" | "best_effort"
  }
}

/** What callers may pass: OpenClaw's type, with explicit undefined fields allowed too. */
export type DeliveryContextInput = {
  [K in keyof DeliveryContext]?: DeliveryContext[K] | undefined
}

/**
 * The normalized form, with OpenClaw's exact keys: `channel`, `to` and `accountId` always
 * present (possibly undefined, which deep strict equality sees), `threadId` only when set.
 */
export interface NormalizedDeliveryContext {
  channel: string | undefined
  to: string | undefined
  accountId: string | undefined
  threadId?: string | number
}

const trimmed = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined
  const text = value.trim()
  return text === "" ? undefined : text
}

const VALID_ACCOUNT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/i
const BLOCKED_KEYS = new Set(["__proto__", "prototype", "constructor"])

/** OpenClaw's optional account id: lower-cased, runs of other characters become one dash. */
const normalizeAccountId = (value: unknown): string | undefined => {
  const text = trimmed(value)
  if (text === undefined) return undefined
  const lower = text.toLowerCase()
  const canonical = VALID_ACCOUNT_ID.test(text)
    ? lower
    : lower
        .replace(/[^a-z0-9_-]+/g, "-")
        .replace(/^-+/, "")
        .replace(/-+$/, "")
        .slice(0, 64)
  return canonical === "" || BLOCKED_KEYS.has(canonical) ? undefined : canonical
}

/** A numeric thread id stays a number (truncated); a string one is trimmed. */
const normalizeThreadId = (value: unknown): string | number | undefined => {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined
  return trimmed(value)
}

export function normalizeDeliveryContext(
  context: DeliveryContextInput | StoredDeliveryContext | undefined | null,
): NormalizedDeliveryContext | undefined {
  if (context === undefined || context === null) return undefined
  const channel = trimmed(context.channel)?.toLowerCase()
  const to = trimmed(context.to)
  const accountId = normalizeAccountId(context.accountId)
  const threadId = normalizeThreadId(context.threadId)
  if (channel === undefined && to === undefined && accountId === undefined && threadId === undefined)
    return undefined
  return { channel, to, accountId, ...(threadId === undefined ? {} : { threadId }) }
}

/**
 * OpenClaw's route identity (`channelRouteDedupeKey`): equal routes dedupe, whatever the thread
 * id's type. The queue's own rule (domain/queue.ts) on the two contexts normalized.
 */
export const sameDeliveryRoute = (
  left: DeliveryContextInput | StoredDeliveryContext | undefined,
  right: DeliveryContextInput | StoredDeliveryContext | undefined,
): boolean =>
  left === undefined || right === undefined
    ? left === right
    : sameDeliveryContext(storedDeliveryContext(left) ?? {}, storedDeliveryContext(right) ?? {})

/** OpenClaw's merge: the primary wins field by field, unless the two name different channels. */
export function mergeDeliveryContext(
  primary: DeliveryContextInput | undefined,
  fallback: DeliveryContextInput | undefined,
): DeliveryContext | undefined {
  const first = normalizeDeliveryContext(primary)
  const second = normalizeDeliveryContext(fallback)
  if (first === undefined && second === undefined) return undefined
  const conflict =
    first?.channel !== undefined && second?.channel !== undefined && first.channel !== second.channel
  const pick = <K extends "to" | "accountId" | "threadId">(key: K) =>
    conflict ? first?.[key] : (first?.[key] ?? second?.[key])
  return normalizeDeliveryContext({
    channel: first?.channel ?? second?.channel,
    to: pick("to"),
    accountId: pick("accountId"),
    threadId: pick("threadId"),
  }) as DeliveryContext | undefined
}

/** OpenClaw's `resolveSystemEventDeliveryContext`: the newest event's route, filled in by older ones. */
export function resolveSystemEventDeliveryContext(
  events: ReadonlyArray<{ readonly deliveryContext?: DeliveryContext | undefined }>,
): DeliveryContext | undefined {
  let resolved: DeliveryContext | undefined
  for (const event of events) resolved = mergeDeliveryContext(event.deliveryContext, resolved)
  return resolved
}

/** What the ledger records of a caller's context: normalized, without its undefined fields. */
export const storedDeliveryContext = (
  context: DeliveryContextInput | StoredDeliveryContext | undefined,
): StoredDeliveryContext | undefined => toStoredDeliveryContext(normalizeDeliveryContext(context))

const toStoredDeliveryContext = (
  context: NormalizedDeliveryContext | undefined,
): StoredDeliveryContext | undefined => {
  if (context === undefined) return undefined
  const stored: { -readonly [K in keyof StoredDeliveryContext]: StoredDeliveryContext[K] } = {}
  if (context.channel !== undefined) stored.channel = context.channel
  if (context.to !== undefined) stored.to = context.to
  if (context.accountId !== undefined) stored.accountId = context.accountId
  if (context.threadId !== undefined) stored.threadId = context.threadId
  return stored
}
