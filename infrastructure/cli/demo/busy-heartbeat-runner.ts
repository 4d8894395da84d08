/**
 * The demo's heartbeat runner, the handler the wake scheduler hands each wake to: a run is
 * skipped as `lanes-busy` while its agent's lanes are busy, now and then as another busy reason
 * (a request or a cron job in flight), and otherwise runs. The scheduler records the outcome
 * and retries a busy skip, as it does in the product.
 */
import { Clock, Effect } from "effect"
import type { WakeHandler, WakeHandlerResult } from "../../../application/wake-scheduler.ts"
import { parseAgentSessionKey } from "../../../domain/session-key.ts"
import type { Prng } from "./prng.ts"

/** Per agent, the [from, to) windows (ms into the day) in which its lanes are busy. */
export type BusyLanes = ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>

/** How often a targeted run finds a request or a cron job of its agent still in flight. */
const BUSY_CHANCE = 0.04
const RAN: WakeHandlerResult = { status: "ran", durationMs: 0 }

export const busyHeartbeatRunner =
  (prng: Prng, busyLanes: BusyLanes, dayStart: number): WakeHandler =>
  (wake) =>
    Effect.map(Clock.currentTimeMillis, (now): WakeHandlerResult => {
      // An unscoped wake (the interval's) runs every agent: never skipped here.
      const agentId = wake.agentId ?? parseAgentSessionKey(wake.sessionKey)?.agentId
      if (agentId === undefined) return RAN
      const offset = now - dayStart
      if ((busyLanes.get(agentId) ?? []).some(([from, to]) => offset >= from && offset < to))
        return { status: "skipped", reason: "lanes-busy" }
      if (prng.chance(BUSY_CHANCE))
        return { status: "skipped", reason: prng.pick(["requests-in-flight", "cron-in-progress"]) }
      return RAN
    })
