/** Where new ids come from: random in production, seeded for reproducible demos and tests. */
import { Context, type Effect } from "effect"

export class Ids extends Context.Service<
  Ids,
  {
    /** A new UUID (event-store event ids must be UUIDs for EventStoreDB/KurrentDB). */
    readonly next: Effect.Effect<string>
    /**
     * The store ids of one decision's `count` events, by index. Asked again on every attempt
     * of a decision: a deterministic source (the import's) returns the same ids each time, so
     * that the store recognises a decision already committed. Absent: `next`, once per event.
     */
    readonly eventIds?: (count: number) => Effect.Effect<ReadonlyArray<string>>
  }
>()("heartbeat-ledger/application/Ids") {}
