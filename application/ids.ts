/** Where new ids come from: random in production, seeded for reproducible demos and tests. */
import { Context, type Effect } from "effect"

export class Ids extends Context.Service<
  Ids,
  {
    /** A new UUID (event-store event ids must be UUIDs for EventStoreDB/KurrentDB). */
    readonly next: Effect.Effect<string>
  }
>()("heartbeat-ledger/application/Ids") {}
