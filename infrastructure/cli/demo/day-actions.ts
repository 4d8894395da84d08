/**
 * What the demo's plan is made of: timed actions, kept in the order they were planned among
 * those at one instant, and the source calls whose builder stayed silent.
 */
import type { SessionScope } from "../../../domain/session-policy.ts"
import type { SourceEmission } from "../../../domain/sources.ts"
import type { BusyLanes } from "./busy-heartbeat-runner.ts"
import type { Prng } from "./prng.ts"

export type DayAction =
  | {
      readonly kind: "configure"
      readonly agentId: string
      readonly mainKey?: string | undefined
      readonly scope?: SessionScope | undefined
    }
  /** Work starts: its source snapshots the session policy of its origin. */
  | { readonly kind: "start"; readonly workId: string; readonly origin: string }
  | { readonly kind: "emit"; readonly workId: string | undefined; readonly emission: SourceEmission }
  | { readonly kind: "raw"; readonly sessionKey: string; readonly text: string; readonly contextKey: string }
  /** The heartbeat runner's interval timer asks the wake scheduler for a run. */
  | { readonly kind: "interval" }
  | { readonly kind: "prune" }

export interface TimedAction {
  /** Ms into the day. */
  readonly at: number
  readonly action: DayAction
}

export class DayPlanner {
  private readonly planned: TimedAction[] = []
  private readonly lanes = new Map<string, Array<readonly [number, number]>>()
  silent = 0

  readonly prng: Prng

  constructor(prng: Prng) {
    this.prng = prng
  }

  add(at: number, action: DayAction): void {
    this.planned.push({ at, action })
  }

  /** A source call at `at`; a builder that stayed silent (null) records nothing and is counted. */
  emit(at: number, workId: string | undefined, emission: SourceEmission | null): void {
    if (emission === null) this.silent++
    else this.add(at, { kind: "emit", workId, emission })
  }

  /** The agent's lanes are busy from `from` to `to` (ms into the day): its runs are skipped. */
  busy(agentId: string, from: number, to: number): void {
    this.lanes.set(agentId, [...(this.lanes.get(agentId) ?? []), [from, to]])
  }

  get busyLanes(): BusyLanes {
    return this.lanes
  }

  /** Every action by time; a stable sort keeps the planned order of those at one instant. */
  actions(): ReadonlyArray<TimedAction> {
    return [...this.planned].sort((a, b) => a.at - b.at)
  }
}
