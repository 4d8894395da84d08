/**
 * What the demo's plan is made of: timed actions, kept in the order they were planned among
 * those at one instant, and the source calls whose builder stayed silent.
 */
import type { SessionScope } from "../../../domain/session-policy.ts"
import type { SourceEmission } from "../../../domain/sources.ts"
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

  /** Every action by time; a stable sort keeps the planned order of those at one instant. */
  actions(): ReadonlyArray<TimedAction> {
    return [...this.planned].sort((a, b) => a.at - b.at)
  }
}
