/**
 * The fate of every system event a real gateway was observed enqueueing, from the observed
 * facts alone (domain/observed-events.ts): shown to the model by a prompt built after it left
 * its queue, removed without being shown, still pending, or stranded — pending in a queue no
 * heartbeat of the gateway was seen draining. Prompt lines that match no observed enqueue (an
 * entry queued and drained between two reads of the queue map) are listed too.
 */
import type { ObservedEntry, ObservedEvent } from "../../domain/observed-events.ts"

export type ObservedFate =
  | {
      readonly _tag: "Shown"
      readonly runId: string
      readonly trigger: string | undefined
      readonly at: number
    }
  | { readonly _tag: "RemovedUnshown"; readonly at: number; readonly how: "left-queue" | "queue-deleted" }
  | { readonly _tag: "Pending" }
  | { readonly _tag: "Stranded" }

export interface ObservedEventFate {
  readonly observationId: string
  readonly sessionKey: string
  readonly entry: ObservedEntry
  readonly fate: ObservedFate
  /** From OpenClaw's enqueue time to the prompt that showed it. */
  readonly latencyMs: number | undefined
}

export interface ObservedAccount {
  readonly fates: ReadonlyArray<ObservedEventFate>
  /** The session keys the heartbeat prompts were built for: the queues a heartbeat drains. */
  readonly heartbeatKeys: ReadonlyArray<string>
  /** Prompt lines no observed enqueue accounts for. */
  readonly shownUnobserved: ReadonlyArray<{ readonly sessionKey: string | undefined; readonly text: string }>
  readonly lost: number
  readonly observers: ReadonlyArray<{ readonly openclawVersion: string; readonly queueMapReadable: boolean }>
}

/** The first line of an entry's text: what a `System: [time] …` line starts with. */
const firstLine = (text: string): string => text.split("\n")[0] ?? ""

interface Tracked {
  readonly observationId: string
  readonly sessionKey: string
  readonly entry: ObservedEntry
  removed: { readonly at: number; readonly how: "left-queue" | "queue-deleted" } | undefined
  shown: { readonly runId: string; readonly trigger: string | undefined; readonly at: number } | undefined
}

export function accountObserved(events: Iterable<ObservedEvent>): ObservedAccount {
  const tracked = new Map<string, Tracked>()
  const heartbeatKeys = new Set<string>()
  const shownUnobserved: Array<{ sessionKey: string | undefined; text: string }> = []
  const observers: Array<{ openclawVersion: string; queueMapReadable: boolean }> = []
  let lost = 0
  for (const event of events) {
    switch (event._tag) {
      case "ObserverStarted":
        observers.push({ openclawVersion: event.openclawVersion, queueMapReadable: event.queueMapReadable })
        break
      case "ObservedEnqueued":
        tracked.set(event.observationId, {
          observationId: event.observationId,
          sessionKey: event.sessionKey,
          entry: event.entry,
          removed: undefined,
          shown: undefined,
        })
        break
      case "ObservedRemoved": {
        const item = tracked.get(event.observationId)
        if (item !== undefined) item.removed = { at: event.at, how: event.how }
        break
      }
      case "ObservedPromptBuilt": {
        if (event.trigger === "heartbeat" && event.sessionKey !== undefined)
          heartbeatKeys.add(event.sessionKey)
        for (const line of event.shown) {
          // The oldest removed, not yet shown entry of the prompt's session with this text.
          let match: Tracked | undefined
          for (const item of tracked.values()) {
            if (item.shown !== undefined || item.removed === undefined) continue
            if (event.sessionKey !== undefined && item.sessionKey !== event.sessionKey) continue
            if (firstLine(item.entry.text) !== line.text) continue
            match = item
            break
          }
          if (match === undefined) shownUnobserved.push({ sessionKey: event.sessionKey, text: line.text })
          else match.shown = { runId: event.runId, trigger: event.trigger, at: event.at }
        }
        break
      }
      case "ObservationsLost":
        lost += event.count
        break
      case "ObservedLifecycle":
        break
    }
  }
  const fates = [...tracked.values()].map((item): ObservedEventFate => {
    const fate: ObservedFate =
      item.shown !== undefined
        ? { _tag: "Shown", ...item.shown }
        : item.removed !== undefined
          ? { _tag: "RemovedUnshown", ...item.removed }
          : heartbeatKeys.has(item.sessionKey)
            ? { _tag: "Pending" }
            : { _tag: "Stranded" }
    return {
      observationId: item.observationId,
      sessionKey: item.sessionKey,
      entry: item.entry,
      fate,
      latencyMs: item.shown === undefined ? undefined : item.shown.at - item.entry.ts,
    }
  })
  return { fates, heartbeatKeys: [...heartbeatKeys], shownUnobserved, lost, observers }
}
