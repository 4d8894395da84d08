/**
 * "Positions in order": global positions strictly increase; on a store that promises no holes
 * (memory, SQLite: `holeFreePositions`) they are also 1, 2, 3… — a hole there is a lost event.
 * PostgreSQL may leave holes after a failed transaction and EventStoreDB's commit positions are
 * sparse (docs/stores.md): there only the order is checked.
 */
import { type Invariant, invariantOf } from "./invariant.ts"
import type { LogFacts } from "./log-facts.ts"

export const judgePositionsInOrder = (facts: LogFacts): Invariant =>
  invariantOf(
    "positions-in-order",
    [facts.positions],
    facts.positionsWithoutHoles
      ? "positions increase one by one, without holes, as this store promises"
      : "positions increase (this store may leave holes, which are not damage)",
    (count, first) => `${count} position(s) out of order or missing, e.g. ${first?.reason}`,
  )
