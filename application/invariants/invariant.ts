/**
 * An invariant of domain.md §8 as data: its name, whether it holds on the log, a plain-words
 * detail, and — when it does not hold — how many violations there are and the first few, each
 * naming where in the log it is (event id, global position, stream) and why.
 */

export type InvariantName =
  | "accounting"
  | "no-cross-agent-leakage"
  | "replay-reproduces-queues"
  | "nothing-stranded"
  | "no-doubled-event-id"
  | "no-half-recorded-decision"
  | "positions-in-order"

export interface Violation {
  readonly reason: string
  /** The system event (or store event) id the violation is about. */
  readonly eventId?: string
  /** The global position of the record that shows it. */
  readonly position?: number
  readonly streamId?: string
}

/** `N`: the names of a family of invariants (the observed audit has its own, application/projections/observed-audit.ts). */
export interface Invariant<N extends string = InvariantName> {
  readonly name: N
  readonly holds: boolean
  readonly detail: string
  /** Only when it does not hold: every violation found, counted. */
  readonly violationCount?: number
  /** Only when it does not hold: the first MAX_LISTED_VIOLATIONS violations, in log order. */
  readonly violations?: ReadonlyArray<Violation>
}

/** How many violations an invariant lists; the rest are counted. Keeps a damaged log's audit small. */
export const MAX_LISTED_VIOLATIONS = 20

/** A bounded list of violations: counts all, keeps the first few. */
export class Violations {
  count = 0
  readonly listed: Violation[] = []

  add(violation: Violation): void {
    this.count++
    if (this.listed.length < MAX_LISTED_VIOLATIONS) this.listed.push(violation)
  }

  /**
   * Counts one violation without its details when the list is full: `if (!v.counted()) v.add(…)`
   * — a damaged log of millions of violations then builds 20 messages, not millions.
   */
  counted(): boolean {
    if (this.listed.length < MAX_LISTED_VIOLATIONS) return false
    this.count++
    return true
  }

  get first(): Violation | undefined {
    return this.listed[0]
  }

  static fromJSON(json: { count: number; listed: Violation[] }): Violations {
    const violations = new Violations()
    violations.count = json.count
    violations.listed.push(...json.listed)
    return violations
  }
}

/** An invariant judged from its violations: `holdsDetail` when there are none, else `failDetail`. */
export function invariantOf<N extends string = InvariantName>(
  name: N,
  violations: ReadonlyArray<Violations>,
  holdsDetail: string,
  failDetail: (count: number, first: Violation | undefined) => string,
): Invariant<N> {
  const count = violations.reduce((sum, v) => sum + v.count, 0)
  if (count === 0) return { name, holds: true, detail: holdsDetail }
  const listed = violations.flatMap((v) => v.listed).slice(0, MAX_LISTED_VIOLATIONS)
  return {
    name,
    holds: false,
    detail: failDetail(count, listed[0]),
    violationCount: count,
    violations: listed,
  }
}
