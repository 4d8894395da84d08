/** domain.md §4: the per-session queue, as given/when/then specifications of its decider. */
import { describe, expect, it } from "vitest"
import {
  emptyQueue,
  evolveQueue,
  foldQueue,
  isContextChanged,
  MAX_QUEUED_EVENTS,
  normalizeContextKey,
  normalizeQueueKey,
} from "../../domain/queue.ts"
import {
  consume,
  consumed,
  drain,
  drained,
  enqueue,
  enqueued,
  evicted,
  given,
  heartbeatRan,
  prune,
  pruned,
  QUEUE_KEY,
  rejected,
  run,
  textsOf,
} from "./given.ts"

describe("queue keys and context keys", () => {
  it("keys a queue by the trimmed session key, case preserved", () => {
    expect(normalizeQueueKey("  agent:Ops:Slack:Channel:General  ")).toBe("agent:Ops:Slack:Channel:General")
    expect(normalizeQueueKey("Incident-42")).toBe("Incident-42")
  })

  it("has no queue key for a blank or missing session key (OpenClaw throws 'system events require a sessionKey')", () => {
    expect(normalizeQueueKey("   ")).toBeUndefined()
    expect(normalizeQueueKey("")).toBeUndefined()
    expect(normalizeQueueKey(undefined)).toBeUndefined()
    expect(normalizeQueueKey(null)).toBeUndefined()
  })

  it("trims and lower-cases a context key; a blank one is none", () => {
    expect(normalizeContextKey("  Exec:RUN-1 ")).toBe("exec:run-1")
    expect(normalizeContextKey("   ")).toBeUndefined()
    expect(normalizeContextKey(undefined)).toBeUndefined()
    expect(normalizeContextKey(null)).toBeUndefined()
  })
})

describe("enqueue", () => {
  it("accepts a text into an empty queue, trimmed, trusted by default", () => {
    given()
      .when(enqueue("e1", "  Nightly report ready  "))
      .then([enqueued("e1", "Nightly report ready")])
  })

  it("records a normalized context key with the accepted event", () => {
    given()
      .when(enqueue("e1", "Exec started", { contextKey: "  Exec:RUN-1 " }))
      .then([enqueued("e1", "Exec started", { contextKey: "exec:run-1" })])
  })

  it("records no context key for a blank one", () => {
    given()
      .when(enqueue("e1", "hello", { contextKey: "   " }))
      .then([enqueued("e1", "hello")])
  })

  it("records trusted: false as exec, ACP and node producers pass it, and the delivery context", () => {
    const deliveryContext = { channel: "slack", to: "#ops" }
    given()
      .when(enqueue("e1", "Exec completed (abc, code 0)", { trusted: false, deliveryContext }))
      .then([enqueued("e1", "Exec completed (abc, code 0)", { trusted: false, deliveryContext })])
  })

  it("rejects a blank text, keeping the text as given", () => {
    given([enqueued("e1", "A")])
      .when(enqueue("e2", "  \n\t "))
      .then([rejected("e2", "blank-text", "  \n\t ")])
  })

  it("a blank text does not touch the last context key", () => {
    given([enqueued("e1", "A", { contextKey: "ctx:a" })])
      .when(enqueue("e2", "   ", { contextKey: "ctx:b" }))
      .thenState((state) => {
        expect(state.lastContextKey).toBe("ctx:a")
        expect(textsOf(state)).toEqual(["A"])
      })
  })

  it("A, A → the second is rejected as a duplicate", () => {
    given([enqueued("e1", "A")])
      .when(enqueue("e2", "A"))
      .then([rejected("e2", "duplicate", "A")])
  })

  it("a duplicate is judged on the trimmed text", () => {
    given([enqueued("e1", "A")])
      .when(enqueue("e2", "   A  "))
      .then([rejected("e2", "duplicate", "A")])
  })

  it("A, B, A → all accepted (only the previous accepted text counts)", () => {
    const { events, state } = run(enqueue("e1", "A"), enqueue("e2", "B"), enqueue("e3", "A"))
    expect(events).toStrictEqual([enqueued("e1", "A"), enqueued("e2", "B"), enqueued("e3", "A")])
    expect(textsOf(state)).toEqual(["A", "B", "A"])
  })

  it("a rejected text does not become the previous accepted one: A, blank, A → second A rejected", () => {
    const { events } = run(enqueue("e1", "A"), enqueue("e2", " "), enqueue("e3", "A"))
    expect(events.map((event) => event._tag)).toEqual([
      "SystemEventEnqueued",
      "SystemEventRejected",
      "SystemEventRejected",
    ])
  })

  it("a text repeated under another contextKey is a new event (OpenClaw 2026.5.12)", () => {
    given([enqueued("e1", "A", { contextKey: "ctx:a" })])
      .when(enqueue("e2", "A", { contextKey: " CTX:B " }))
      .then([enqueued("e2", "A", { contextKey: "ctx:b" })])
  })

  it("with a contextKey, a text repeats any queued event; the duplicate leaves the last context key", () => {
    given([enqueued("e1", "A", { contextKey: "ctx:a" }), enqueued("e2", "B", { contextKey: "ctx:b" })])
      .when(enqueue("e3", "A", { contextKey: " CTX:A " }))
      .then([rejected("e3", "duplicate", "A", "ctx:a")])
    given([enqueued("e1", "A", { contextKey: "ctx:a" }), enqueued("e2", "B", { contextKey: "ctx:b" })])
      .when(enqueue("e3", "A", { contextKey: "ctx:a" }))
      .thenState((state) => expect(state.lastContextKey).toBe("ctx:b"))
  })

  it("without a contextKey, a text repeats only the newest event, with the same trust and delivery context", () => {
    given([enqueued("e1", "A", { contextKey: "ctx:a" })])
      .when(enqueue("e2", "A"))
      .then([enqueued("e2", "A")])
    given([enqueued("e1", "A")])
      .when(enqueue("e2", "A", { trusted: false }))
      .then([enqueued("e2", "A", { trusted: false })])
    const deliveryContext = { channel: "slack", to: "C1" }
    given([enqueued("e1", "A", { deliveryContext })])
      .when(enqueue("e2", "A"))
      .then([enqueued("e2", "A")])
    given([enqueued("e1", "A", { deliveryContext })])
      .when(enqueue("e2", "A", { deliveryContext: { ...deliveryContext } }))
      .then([rejected("e2", "duplicate", "A")])
  })

  it("an accepted event without a contextKey leaves the last context key", () => {
    given([enqueued("e1", "A", { contextKey: "ctx:a" })])
      .when(enqueue("e2", "B"))
      .thenState((state) => expect(state.lastContextKey).toBe("ctx:a"))
    given([enqueued("e1", "A", { contextKey: "ctx:a" })])
      .when(enqueue("e2", "B", { contextKey: "ctx:b" }))
      .thenState((state) => expect(state.lastContextKey).toBe("ctx:b"))
  })
})

describe("the cap of 20 events per queue", () => {
  const ids = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, index) => `e${from + index}`)
  const fill = (count: number) =>
    ids(1, count).map((eventId, index) => enqueued(eventId, `event ${index + 1}`))

  it("is 20", () => {
    expect(MAX_QUEUED_EVENTS).toBe(20)
  })

  it("accepts a 20th event without evicting anything", () => {
    given(fill(19))
      .when(enqueue("e20", "event 20"))
      .then([enqueued("e20", "event 20")])
  })

  it("accepting a 21st drops the oldest, and records that the new one pushed it out", () => {
    given(fill(20))
      .when(enqueue("e21", "event 21"))
      .then([enqueued("e21", "event 21"), evicted("e1", "e21")])
  })

  it("22 in → events 3..22", () => {
    const { state } = run(...ids(1, 22).map((eventId, index) => enqueue(eventId, `event ${index + 1}`)))
    expect(state.events.map((event) => event.eventId)).toEqual(ids(3, 22))
  })

  it("a rejected duplicate at the cap evicts nothing", () => {
    given(fill(20))
      .when(enqueue("e21", "event 20"))
      .then([rejected("e21", "duplicate", "event 20")])
  })
})

describe("drain", () => {
  it("returns every queued event", () => {
    given([enqueued("e1", "A"), enqueued("e2", "B")])
      .when(drain())
      .then([drained("e1", "e2")])
  })

  it("forgets the queue, so the same text is accepted again", () => {
    const { events, state } = run(enqueue("e1", "A"), drain(), enqueue("e2", "A"))
    expect(events).toStrictEqual([enqueued("e1", "A"), drained("e1"), enqueued("e2", "A")])
    expect(textsOf(state)).toEqual(["A"])
  })

  it("forgets the last context key", () => {
    given([enqueued("e1", "A", { contextKey: "ctx:a" })])
      .when(drain())
      .thenState((state) => expect(state).toStrictEqual(emptyQueue(QUEUE_KEY)))
  })

  it("of an empty queue records nothing", () => {
    given().when(drain()).thenNothingHappened()
  })
})

describe("consume", () => {
  it("removes exactly the inspected prefix when it still heads the queue", () => {
    given([enqueued("e1", "A"), enqueued("e2", "B"), enqueued("e3", "C")])
      .when(consume("e1", "e2"))
      .then([consumed("e1", "e2")])
  })

  it("leaves the events that arrived after the inspection", () => {
    given([enqueued("e1", "A"), enqueued("e2", "B"), enqueued("e3", "arrived meanwhile")])
      .when(consume("e1", "e2"))
      .thenState((state) => expect(textsOf(state)).toEqual(["arrived meanwhile"]))
  })

  it("of a stale inspection removes nothing: the inspected head was evicted or consumed meanwhile", () => {
    given([enqueued("e1", "A"), enqueued("e2", "B"), consumed("e1"), enqueued("e3", "C")])
      .when(consume("e1", "e2"))
      .thenNothingHappened()
  })

  it("removes nothing when the inspected events are not in queue order", () => {
    given([enqueued("e1", "A"), enqueued("e2", "B")])
      .when(consume("e2", "e1"))
      .thenNothingHappened()
  })

  it("removes nothing when the inspection is not a prefix", () => {
    given([enqueued("e1", "A"), enqueued("e2", "B")])
      .when(consume("e2"))
      .thenNothingHappened()
  })

  it("removes nothing when more was inspected than is queued", () => {
    given([enqueued("e1", "A")])
      .when(consume("e1", "e2"))
      .thenNothingHappened()
  })

  it("of nothing inspected records nothing", () => {
    given([enqueued("e1", "A")])
      .when(consume())
      .thenNothingHappened()
  })

  it("that empties the queue forgets it, so the same text is accepted again (OpenClaw's resetQueueState)", () => {
    const { events } = run(enqueue("e1", "A"), consume("e1"), enqueue("e2", "A"))
    expect(events).toStrictEqual([enqueued("e1", "A"), consumed("e1"), enqueued("e2", "A")])
  })

  it("that leaves events keeps the last accepted text: a repeat of it is still a duplicate", () => {
    const { events } = run(enqueue("e1", "A"), enqueue("e2", "B"), consume("e1"), enqueue("e3", "B"))
    expect(events.at(-1)).toStrictEqual(rejected("e3", "duplicate", "B"))
  })

  it("that leaves events makes the newest remaining context key the last one", () => {
    given([
      enqueued("e1", "A", { contextKey: "ctx:a" }),
      enqueued("e2", "B", { contextKey: "ctx:b" }),
      enqueued("e3", "C"),
    ])
      .when(consume("e1"))
      .thenState((state) => expect(state.lastContextKey).toBe("ctx:b"))
  })
})

describe("prune (the reaper removed the session the queue belongs to)", () => {
  it("records the lost events with the pruned session", () => {
    given([enqueued("e1", "A"), enqueued("e2", "B")])
      .when(prune("agent:ops:cron:nightly:run:r1"))
      .then([pruned("agent:ops:cron:nightly:run:r1", "e1", "e2")])
  })

  it("forgets the queue", () => {
    given([enqueued("e1", "A", { contextKey: "ctx" })])
      .when(prune("agent:ops:cron:nightly:run:r1"))
      .thenState((state) => expect(state).toStrictEqual(emptyQueue(QUEUE_KEY)))
  })

  it("of an empty queue records nothing", () => {
    given().when(prune("agent:ops:cron:nightly:run:r1")).thenNothingHappened()
  })
})

describe("a heartbeat run consumes what it showed, wherever it stands in the queue", () => {
  it("removes the consumed events and keeps the others in order", () => {
    const state = foldQueue(emptyQueue(QUEUE_KEY), [
      enqueued("e1", "cron event"),
      enqueued("e2", "Exec completed (abc, code 0)"),
      enqueued("e3", "another cron event"),
      heartbeatRan(["e2"]),
    ])
    expect(textsOf(state)).toEqual(["cron event", "another cron event"])
  })

  it("a run that consumed nothing changes nothing", () => {
    const before = foldQueue(emptyQueue(QUEUE_KEY), [enqueued("e1", "A")])
    expect(evolveQueue(before, heartbeatRan([], []))).toBe(before)
  })
})

describe("isContextChanged", () => {
  it("with no queue compares with no context key", () => {
    const none = emptyQueue(QUEUE_KEY)
    expect(isContextChanged(none, undefined)).toBe(false)
    expect(isContextChanged(none, "   ")).toBe(false)
    expect(isContextChanged(none, "exec:1")).toBe(true)
  })

  it("compares the normalized context key with the last one", () => {
    const state = foldQueue(emptyQueue(QUEUE_KEY), [enqueued("e1", "A", { contextKey: "exec:run-1" })])
    expect(isContextChanged(state, " EXEC:Run-1 ")).toBe(false)
    expect(isContextChanged(state, "exec:run-2")).toBe(true)
    expect(isContextChanged(state, undefined)).toBe(true)
  })

  it("after a drain compares with none again", () => {
    const state = foldQueue(emptyQueue(QUEUE_KEY), [
      enqueued("e1", "A", { contextKey: "ctx" }),
      drained("e1"),
    ])
    expect(isContextChanged(state, "ctx")).toBe(true)
    expect(isContextChanged(state, undefined)).toBe(false)
  })
})

describe("replay", () => {
  it("folding the recorded events reproduces the state the decisions built", () => {
    const { events, state } = run(
      enqueue("e1", "A", { contextKey: "a" }),
      enqueue("e2", "A", { contextKey: "b" }),
      enqueue("e3", "B"),
      consume("e1"),
      enqueue("e4", "  "),
      enqueue("e5", "C", { trusted: false }),
    )
    expect(foldQueue(emptyQueue(QUEUE_KEY), events)).toStrictEqual(state)
    expect(textsOf(state)).toEqual(["A", "B", "C"])
  })
})
