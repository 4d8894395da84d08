/**
 * OpenClaw's `SystemEvent` entry, as `peekSystemEventEntries` returns it, built from the ledger's
 * queued events: the same keys with the same values (a `deliveryContext` key even when it is
 * undefined, as OpenClaw's entries have), so a caller comparing whole entries with deep strict
 * equality sees no difference. The ledger's event id is kept off the object, in a WeakMap read
 * by `systemEventIdOf`, so that no enumeration, spread, clone or comparison ever meets it.
 */
import type { QueuedSystemEvent } from "../../domain/queue.ts"
import { type DeliveryContext, normalizeDeliveryContext, sameDeliveryRoute } from "./delivery-context.ts"

/** OpenClaw's type, exactly (its optional fields take no explicit undefined). */
export interface SystemEvent {
  text: string
  /** When the event was enqueued, epoch ms. */
  ts: number
  /** Normalized (trimmed, lower-cased); null when none, as in OpenClaw. */
  contextKey?: string | null
  deliveryContext?: DeliveryContext
  trusted?: boolean
}

const eventIds = new WeakMap<object, string>()

/** The ledger's id of an entry this module returned (undefined for an entry built elsewhere). */
export const systemEventIdOf = (entry: SystemEvent): string | undefined => eventIds.get(entry)

export const toSystemEvent = (event: QueuedSystemEvent): SystemEvent => {
  // OpenClaw's entries carry the key even when no context was given; so do ours.
  const entry = {
    text: event.text,
    ts: event.at,
    contextKey: event.contextKey ?? null,
    deliveryContext: normalizeDeliveryContext(event.deliveryContext),
    trusted: event.trusted,
  } as SystemEvent
  eventIds.set(entry, event.eventId)
  return entry
}

/** OpenClaw's entry equality (text, time, contextKey, trust, route); never our event id. */
export const isSameEntry = (queued: QueuedSystemEvent, entry: SystemEvent): boolean =>
  queued.text === entry.text &&
  queued.at === entry.ts &&
  (queued.contextKey ?? null) === (entry.contextKey ?? null) &&
  queued.trusted === (entry.trusted ?? true) &&
  sameDeliveryRoute(queued.deliveryContext, entry.deliveryContext)

/**
 * The ledger's ids of the queued events `inspected` names, by OpenClaw's entry equality; undefined
 * when OpenClaw would remove nothing without looking further. `prefix`: the entries must head the
 * queue, in order. `selected`: each entry takes the first equal event not yet taken, wherever it
 * is; a selection that matches nothing on a non-empty queue is still a call (it settles the last
 * contextKey).
 */
export function inspectedEventIds(
  queued: ReadonlyArray<QueuedSystemEvent>,
  inspected: ReadonlyArray<SystemEvent>,
  mode: "prefix" | "selected",
): string[] | undefined {
  if (inspected.length === 0 || queued.length === 0) return undefined
  if (mode === "prefix") {
    if (inspected.length > queued.length) return undefined
    const heads = inspected.every((entry, index) => isSameEntry(queued[index] as QueuedSystemEvent, entry))
    return heads ? queued.slice(0, inspected.length).map((event) => event.eventId) : undefined
  }
  const left = [...queued]
  const ids: string[] = []
  for (const entry of inspected) {
    const index = left.findIndex((event) => isSameEntry(event, entry))
    if (index === -1) continue
    ids.push((left[index] as QueuedSystemEvent).eventId)
    left.splice(index, 1)
  }
  return ids
}
