/**
 * OpenClaw's `SystemEvent` entry, as `peekSystemEventEntries` returns it, built from the ledger's
 * queued events. Each entry is a fresh copy; `eventId` is ours, so that a consumed entry names
 * the exact event even when two entries look alike.
 */
import type { DeliveryContext } from "../../domain/events.ts"
import type { QueuedSystemEvent } from "../../domain/queue.ts"

export interface SystemEvent {
  text: string
  /** When the event was enqueued, epoch ms. */
  ts: number
  /** Normalized (trimmed, lower-cased); null when none, as in OpenClaw. */
  contextKey?: string | null
  deliveryContext?: DeliveryContext
  trusted?: boolean
  /** The ledger's id of the event (not in OpenClaw). */
  eventId?: string
}

export const toSystemEvent = (event: QueuedSystemEvent): SystemEvent => ({
  text: event.text,
  ts: event.at,
  contextKey: event.contextKey ?? null,
  ...(event.deliveryContext === undefined ? {} : { deliveryContext: { ...event.deliveryContext } }),
  trusted: event.trusted,
  eventId: event.eventId,
})

const sameDeliveryContext = (a: DeliveryContext | undefined, b: DeliveryContext | undefined): boolean =>
  (a === undefined && b === undefined) ||
  (a !== undefined &&
    b !== undefined &&
    a.channel === b.channel &&
    a.to === b.to &&
    a.threadId === b.threadId)

/** OpenClaw's entry equality; an entry that carries our eventId is matched by it alone. */
export const isSameEntry = (queued: QueuedSystemEvent, entry: SystemEvent): boolean =>
  entry.eventId !== undefined
    ? entry.eventId === queued.eventId
    : queued.text === entry.text &&
      queued.at === entry.ts &&
      (queued.contextKey ?? null) === (entry.contextKey ?? null) &&
      queued.trusted === (entry.trusted ?? true) &&
      sameDeliveryContext(queued.deliveryContext, entry.deliveryContext)
