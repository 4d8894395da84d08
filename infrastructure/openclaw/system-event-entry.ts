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
