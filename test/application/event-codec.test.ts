import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { decodeEvent, encodeEvent, makeEventDecoder, upcasterKey } from "../../application/event-codec.ts"
import type { RecordedEvent } from "../../application/event-store.ts"
import type { LedgerEvent } from "../../domain/events.ts"
import { makeMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { Ledger, withLedger } from "./ledger-harness.ts"

const configured: LedgerEvent = { _tag: "AgentConfigured", agentId: "ops", enabled: true, at: 5 }

const recorded = (overrides: Partial<RecordedEvent>): RecordedEvent => ({
  ...encodeEvent("id-1", configured),
  streamId: "hbl-config",
  revision: 0,
  position: 1,
  recordedAt: 0,
  ...overrides,
})

describe("the event codec", () => {
  it("round-trips every event through its JSON form", () => {
    const record = recorded({ data: JSON.parse(JSON.stringify(configured)) })
    expect(decodeEvent(record)).toEqual(configured)
  })

  it("upcasts an older version through the registered upcasters", () => {
    // A hypothetical v0 that named the flag `active`: the upcaster renames it.
    const decoder = makeEventDecoder({
      [upcasterKey("AgentConfigured", 0)]: (data) => {
        const { active, ...rest } = data as { active: boolean }
        return { ...rest, enabled: active }
      },
    })
    const old = recorded({
      version: 0,
      data: { _tag: "AgentConfigured", agentId: "ops", active: false, at: 5 },
    })
    expect(decoder(old)).toEqual({ ...configured, enabled: false })
  })

  it.each([
    ["an unknown type", { type: "Mystery" }, "unknown event type"],
    ["a newer version", { version: 9 }, "newer"],
    ["an older version without upcaster", { version: 0 }, "no upcaster"],
    ["data that does not fit the schema", { data: { _tag: "AgentConfigured", agentId: 3 } }, "agentId"],
    ["data of another type", { type: "SessionsPruned" }, "not a SessionsPruned"],
  ])("reports %s with the record's place, never drops it", (_, overrides, reason) => {
    const result = decodeEvent(recorded(overrides))
    expect(result._tag).toBe("UndecodableEvent")
    expect(result).toMatchObject({ streamId: "hbl-config", position: 1 })
    expect((result as { reason: string }).reason).toContain(reason)
  })

  it("stops the ledger from starting on an undecodable log instead of skipping the event", async () => {
    const store = makeMemoryEventStore()
    await Effect.runPromise(
      store.append(
        "hbl-config",
        [{ id: "x", type: "AgentConfigured", version: 1, data: { nonsense: true } }],
        "any",
      ),
    )
    const exit = await withLedger(Effect.exit(Effect.flatMap(Ledger, () => Effect.void)), store).catch(
      (error: unknown) => Exit.fail(error),
    )
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("UndecodableEvent")
  })
})
