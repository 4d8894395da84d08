/**
 * Watching a release's source sites from the outside, through the release's own modules: the
 * queues are read from its system-events module (their process-global map), the wakes are
 * what its heartbeat-wake scheduler hands the handler we register. Nothing is mocked: the
 * source code runs against the real queue and the real scheduler.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, vi } from "vitest"
import { type RoutingName, routingByName } from "../../domain/routing.ts"
import type { SessionScope } from "../../domain/session-policy.ts"
import type { SourceEmission } from "../../domain/sources.ts"
import { loadOracleModule } from "./load.ts"
import type { OracleEntry, OracleSystemEvents as SystemEvents } from "./release-modules.ts"

export type { OracleEntry } from "./release-modules.ts"
export interface OracleWake {
  readonly source?: string
  readonly intent?: string
  readonly reason?: string
  readonly agentId?: string
  readonly sessionKey?: string
}
interface HeartbeatWake {
  setHeartbeatWakeHandler(handler: ((wake: OracleWake) => Promise<{ status: string }>) | null): () => void
}

const QUEUES = Symbol.for("openclaw.systemEvents.queues")

export interface Capture {
  readonly events: SystemEvents
  /** Every queue and its entries, as the release holds them now. */
  readonly queues: () => Map<string, OracleEntry[]>
  /** Lets the scheduler's timers run (fake timers) and returns the wakes delivered meanwhile. */
  readonly flushWakes: (ms?: number) => Promise<OracleWake[]>
  /** The same with real timers: waits `ms`. */
  readonly waitForWakes: (ms: number) => Promise<OracleWake[]>
  readonly reset: () => void
  readonly dispose: () => void
  /**
   * Would the release's queue accept what our model expected, now? Asked when a step added
   * nothing: the queue is as it was, so a refusal now is the refusal then (a duplicate), and an
   * acceptance means the release's source never enqueued it. (It enqueues: only use it when that
   * already fails the case.)
   */
  readonly probe: (expected: ReturnType<typeof expectedOf>) => boolean
}

export async function captureRelease(version: string): Promise<Capture> {
  const events = await loadOracleModule<SystemEvents>(version, "src/infra/system-events.ts")
  const wake = await loadOracleModule<HeartbeatWake>(version, "src/infra/heartbeat-wake.ts")
  let delivered: OracleWake[] = []
  const dispose = wake.setHeartbeatWakeHandler(async (options) => {
    delivered.push(options)
    return { status: "ran" }
  })
  const queues = () => {
    const map = (globalThis as Record<symbol, Map<string, unknown> | undefined>)[QUEUES] ?? new Map()
    return new Map([...map.keys()].map((key) => [key, events.peekSystemEventEntries(key)] as const))
  }
  return {
    events,
    queues,
    flushWakes: async (ms = 300) => {
      await vi.advanceTimersByTimeAsync(ms)
      const out = delivered
      delivered = []
      return out
    },
    waitForWakes: async (ms) => {
      await new Promise((resolve) => setTimeout(resolve, ms))
      const out = delivered
      delivered = []
      return out
    },
    reset: () => {
      events.resetSystemEventsForTest()
      delivered = []
    },
    dispose,
    probe: ({ queueKey, entry, deliveryContext }) =>
      events.enqueueSystemEvent(entry.text, {
        sessionKey: queueKey,
        ...(entry.contextKey === null ? {} : { contextKey: entry.contextKey }),
        trusted: entry.trusted,
        ...(deliveryContext === undefined ? {} : { deliveryContext }),
      }),
  }
}

/** The entries a step added: per queue, those past what it held before (a capped queue shifts). */
export function addedEntries(
  before: Map<string, OracleEntry[]>,
  after: Map<string, OracleEntry[]>,
): Array<{ readonly queueKey: string; readonly entry: OracleEntry }> {
  const added: Array<{ queueKey: string; entry: OracleEntry }> = []
  for (const [queueKey, entries] of after) {
    const old = before.get(queueKey) ?? []
    const known = new Set(old.map((entry) => JSON.stringify(entry)))
    for (const entry of entries) if (!known.has(JSON.stringify(entry))) added.push({ queueKey, entry })
  }
  return added
}

/** What our model says a source's emission enqueues and whom it wakes, under a policy. */
export function expectedOf(
  emission: SourceEmission,
  mainKey?: string,
  scope?: SessionScope,
  deliveryContext?: unknown,
  routing: RoutingName = "fixed",
) {
  const { coalesceMs: _coalesce, ...wake } = emission.wake
  const { queueKey, wakeTarget } = routingByName(routing)
  const origin = emission.origin.trim()
  return {
    deliveryContext,
    queueKey: queueKey(origin, mainKey, scope),
    entry: {
      text: emission.text.trim(),
      contextKey: emission.contextKey?.trim().toLowerCase() || null,
      trusted: emission.trusted,
    },
    wake: { ...wake, ...wakeTarget(origin, mainKey, scope) } as OracleWake,
  }
}

/** An entry as compared: where it went and what it says (not its timestamp). */
export const seenEntries = (added: ReturnType<typeof addedEntries>) =>
  added.map(({ queueKey, entry }) => ({
    queueKey,
    text: entry.text,
    contextKey: entry.contextKey,
    trusted: entry.trusted,
    deliveryContext: entry.deliveryContext,
  }))

/** Our expected entry in the same shape. */
export const wantedEntry = (expected: ReturnType<typeof expectedOf>) => ({
  queueKey: expected.queueKey,
  ...expected.entry,
  deliveryContext: expected.deliveryContext,
})

/**
 * Source sites read and write OpenClaw's state folder (session store, task registry): point it
 * at an empty folder of this test file's own, removed afterwards. Call before loading them.
 */
export function useOracleStateDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `oracle-${name}-`))
  process.env.OPENCLAW_STATE_DIR = dir
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
