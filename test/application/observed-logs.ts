/**
 * Observed logs for tests, built from the real observed facts (domain/observed-events.ts) the
 * way the plugin writes them — one `hbl-observed-<observer>` stream per gateway process — and
 * written to any store through its real append (in-memory, SQLite…).
 */
import { Effect, ManagedRuntime } from "effect"
import { EventStore, type EventStoreShape } from "../../application/event-store.ts"
import { encodeObservedEvent, observedStreamId } from "../../application/observed-event-codec.ts"
import type { ObservedEntry, ObservedEvent } from "../../domain/observed-events.ts"
import { layerEventStoreFromUrl } from "../../infrastructure/stores/store-layer.ts"

export const MAIN = "agent:main:main"
export const CRON_RUN = "agent:main:cron:nightly:run:r1"
export const EXEC_DONE = "Exec completed (abcd1234, code 0) :: backup done"

/** A gateway's observations as a script: each call appends one fact at the next millisecond. */
export class ObservedScript {
  readonly events: ObservedEvent[] = []
  private seq = 0
  at: number
  readonly observerId: string
  readonly openclawVersion: string

  constructor(observerId: string, openclawVersion: string, start = Date.parse("2026-12-01T12:00:00Z")) {
    this.observerId = observerId
    this.openclawVersion = openclawVersion
    this.at = start
    this.push({
      _tag: "ObserverStarted",
      observerId,
      openclawVersion,
      pluginVersion: "0.1.0",
      queueMapReadable: true,
      warnings: [],
      at: this.at,
    })
  }

  get streamId(): string {
    return observedStreamId(this.observerId)
  }

  private push(event: ObservedEvent): void {
    this.events.push(event)
  }

  /** Moves the clock on (observations of one read of the queue map share a time). */
  tick(ms = 1_000): this {
    this.at += ms
    return this
  }

  enqueue(sessionKey: string, text: string, extra: Partial<ObservedEntry> = {}): string {
    const observationId = `${this.observerId}-q${++this.seq}`
    this.push({
      _tag: "ObservedEnqueued",
      observationId,
      sessionKey,
      entry: { text, ts: this.at, ...extra },
      at: this.at,
    })
    return observationId
  }

  remove(
    observationId: string,
    sessionKey: string,
    how: "left-queue" | "queue-deleted" = "queue-deleted",
  ): this {
    this.push({ _tag: "ObservedRemoved", observationId, sessionKey, how, at: this.at })
    return this
  }

  prompt(
    sessionKey: string,
    trigger: string,
    texts: ReadonlyArray<string>,
    runId = `run-${++this.seq}`,
  ): this {
    this.push({
      _tag: "ObservedPromptBuilt",
      runId,
      agentId: "main",
      sessionKey,
      trigger,
      shown: texts.map((text) => ({ stamp: "Tue 2026-12-01 12:00 UTC", text })),
      at: this.at,
    })
    return this
  }

  lifecycle(hook: string, sessionKey: string | undefined, detail: Record<string, string> = {}): this {
    this.push({
      _tag: "ObservedLifecycle",
      hook,
      detail,
      at: this.at,
      ...(sessionKey === undefined ? {} : { sessionKey }),
    })
    return this
  }

  /** An isolated cron run that starts a background exec and ends its turn. */
  cronRunStartsExec(sessionKey = CRON_RUN): this {
    this.lifecycle("cron_changed", undefined, { action: "started", jobId: "nightly" })
    this.prompt(sessionKey, "cron", [])
    this.lifecycle("after_tool_call", sessionKey, { toolName: "exec" })
    this.lifecycle("cron_changed", undefined, { action: "finished", jobId: "nightly", status: "ok" })
    return this
  }
}

/** Appends each script's facts to its own stream, as the plugin's writer does. */
export const appendScripts = (store: EventStoreShape, scripts: ReadonlyArray<ObservedScript>) =>
  Effect.forEach(scripts, (script) =>
    store.append(
      script.streamId,
      script.events.map((event, index) => encodeObservedEvent(`${script.observerId}-${index + 1}`, event)),
      "any",
    ),
  )

/** `appendScripts` into the store at `storeUrl` (SQLite, PostgreSQL…). */
export async function writeObserved(storeUrl: string, scripts: ReadonlyArray<ObservedScript>): Promise<void> {
  const runtime = ManagedRuntime.make(layerEventStoreFromUrl(storeUrl))
  try {
    await runtime.runPromise(Effect.flatMap(EventStore, (store) => appendScripts(store, scripts)))
  } finally {
    await runtime.dispose()
  }
}

/**
 * 2026.5.7 with every fate: an injected event shown by a heartbeat, one consumed by a reply turn
 * that did not show it, one evicted at the cap, one deleted with its session, and
 * the cron run's exec completion stranded under the cron-run key (the seed's bug); then the
 * gateway restarts, losing what its process still held (the 20 entries of a full queue and one
 * on the main key), and its next process queues one more, pending.
 */
export function everyFateOn2026_5_7(): {
  script: ObservedScript
  /** The same gateway's next process (after the restart). */
  next: ObservedScript
  ids: Record<string, string>
} {
  const s = new ObservedScript("gw57-1", "2026.5.7")
  s.tick()
  const shown = s.enqueue(MAIN, "injected first")
  s.tick().remove(shown, MAIN).prompt(MAIN, "heartbeat", ["injected first"])
  s.tick().cronRunStartsExec()
  s.tick(2_000)
  const stranded = s.enqueue(CRON_RUN, EXEC_DONE, { trusted: false })
  const chat = "agent:main:slack:channel:ops"
  s.tick()
  const unshown = s.enqueue(chat, "taken by a reply turn")
  s.tick().remove(unshown, chat, "queue-deleted").prompt(chat, "user", [])
  // A heartbeat configured onto this key (heartbeat.session) drains it: what stays is pending.
  const burst = "agent:main:hook:burst"
  s.prompt(burst, "heartbeat", [])
  const first = s.enqueue(burst, "burst 0")
  for (let i = 1; i < 20; i++) s.enqueue(burst, `burst ${i}`)
  s.tick()
  s.remove(first, burst, "left-queue")
  s.enqueue(burst, "burst 20")
  const doomed = "agent:main:subagent:w1"
  const deleted = s.enqueue(doomed, "subagent note")
  s.tick().remove(deleted, doomed, "queue-deleted").lifecycle("session_end", doomed, { reason: "deleted" })
  s.tick()
  const lost = s.enqueue(MAIN, "injected later")
  // The gateway restarts: what its first process still held is gone with it, but what sat where
  // no heartbeat drains was stranded all the same.
  s.tick().lifecycle("gateway_stop", undefined)
  const next = new ObservedScript("gw57-1b", "2026.5.7", s.at + 1_000)
  const pending = next.tick().enqueue(MAIN, "queued after the restart")
  return { script: s, next, ids: { shown, stranded, unshown, evicted: first, deleted, lost, pending } }
}

/** 2026.5.12: the cron run's exec completion queued under the main key and shown by its heartbeat. */
export function consumedOn2026_5_12(): { script: ObservedScript; id: string } {
  const s = new ObservedScript("gw512-1", "2026.5.12")
  s.tick().cronRunStartsExec()
  s.tick(2_000)
  const id = s.enqueue(MAIN, EXEC_DONE, { trusted: false })
  s.tick(300).remove(id, MAIN).prompt(MAIN, "heartbeat", [EXEC_DONE])
  return { script: s, id }
}

/**
 * A gateway that claims to be 2026.5.7 but routes like the fix: the cron run's exec completion
 * is queued under the main key (our legacy model queues it under the cron-run key), and an
 * entry leaves a queue with no turn to take it.
 */
export function divergingOn2026_5_7(): { script: ObservedScript; misrouted: string; vanished: string } {
  const s = new ObservedScript("gw57-2", "2026.5.7")
  s.tick().cronRunStartsExec()
  s.tick(2_000)
  const misrouted = s.enqueue(MAIN, EXEC_DONE, { trusted: false })
  s.tick(300).remove(misrouted, MAIN).prompt(MAIN, "heartbeat", [EXEC_DONE])
  const quiet = "agent:main:slack:channel:quiet"
  s.tick()
  const vanished = s.enqueue(quiet, "left with nobody to take it")
  s.tick(10_000).remove(vanished, quiet, "left-queue")
  return { script: s, misrouted, vanished }
}

/**
 * As real gateways do it (test/e2e, helper "cron"): exec completions are never `System:` lines;
 * the heartbeat's exec prompt takes them. 2026.5.12 per-sender: under the main key, taken by the
 * main heartbeat. 2026.5.7 per-sender: under the cron-run key, and the heartbeat honours the
 * wake's forced cron-run key — taken by a heartbeat there, which our legacy model does not do.
 * 2026.5.12 in global scope: under `global`, taken by the heartbeat of `global`.
 */
export function execPromptOn(
  version: "2026.5.7" | "2026.5.12",
  queueKey: string,
): { script: ObservedScript; id: string } {
  const s = new ObservedScript(`exec-${version}-${queueKey}`, version)
  s.tick().cronRunStartsExec()
  s.tick(2_000)
  const id = s.enqueue(queueKey, EXEC_DONE, { trusted: false })
  s.tick(300).remove(id, queueKey).prompt(queueKey, "heartbeat", [])
  return { script: s, id }
}
