/** A sweep of any size is recordable: decideSweepRecord cuts it into bounded parts, losing nothing. */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MAX_EVENT_DATA_BYTES } from "../../application/event-store.ts"
import type { PrunedSession } from "../../domain/events.ts"
import { decideSweepRecord, SWEEP_PART_MAX_BYTES } from "../../domain/retention.ts"

const RUNS = Number(process.env.HBL_SWEEP_RUNS ?? 300)

const entryBytes = (session: PrunedSession) => Buffer.byteLength(JSON.stringify(session), "utf8") + 1

/** One row per lost event (and one for a session that lost none): what a sweep says, in order. */
const facts = (sessions: ReadonlyArray<PrunedSession>) =>
  sessions.flatMap((session) =>
    session.lostEventIds.length === 0
      ? [[session.sessionKey, session.lastUpdatedAt, null]]
      : session.lostEventIds.map((id) => [session.sessionKey, session.lastUpdatedAt, id]),
  )

const session = fc.record({
  sessionKey: fc.string({ unit: "binary", maxLength: 60 }),
  lastUpdatedAt: fc.integer({ min: 0, max: 2 ** 40 }),
  lostEventIds: fc.array(fc.string({ unit: "binary", maxLength: 40 }), { maxLength: 30 }),
})
const sweep = fc.record({
  retentionMs: fc.integer({ min: 1, max: 10 ** 9 }),
  forced: fc.boolean(),
  sessions: fc.array(session, { maxLength: 40 }),
  at: fc.integer({ min: 0, max: 2 ** 41 }),
})

describe("decideSweepRecord", () => {
  it("records every session and lost event once, in order, in parts within the bound", () => {
    fc.assert(
      fc.property(sweep, fc.integer({ min: 32, max: 3000 }), (input, maxBytes) => {
        const events = decideSweepRecord(input, maxBytes)
        const [first, ...rest] = events
        expect(first).toMatchObject({
          _tag: "SessionsPruned",
          retentionMs: input.retentionMs,
          forced: input.forced,
          at: input.at,
        })
        for (const event of rest)
          expect(event).toMatchObject({ _tag: "SessionsPrunedContinued", at: input.at })
        const parts = events.map((event) => event.sessions)
        expect(facts(parts.flat())).toEqual(facts(input.sessions))
        for (const part of parts) {
          const bytes = part.reduce((sum, entry) => sum + entryBytes(entry), 0)
          // Over the bound only when one entry alone is, and it cannot be cut (one id or none).
          if (bytes > maxBytes)
            expect(part.length === 1 && (part[0]?.lostEventIds.length ?? 0) <= 1).toBe(true)
        }
        const total = input.sessions.reduce((sum, entry) => sum + entryBytes(entry), 0)
        if (total <= maxBytes) expect(events).toEqual([{ _tag: "SessionsPruned", ...input }])
      }),
      { numRuns: RUNS },
    )
  })

  it("splits a 1,500-session sweep into parts the store accepts", () => {
    const id = (s: number, k: number) => `8f3c1d2e-0000-8000-8000-${String(s * 100 + k).padStart(12, "0")}`
    const sessions = Array.from({ length: 1500 }, (_, s) => ({
      sessionKey: `agent:ops:cron:nightly:run:r${s}`,
      lastUpdatedAt: 1_748_822_400_000,
      lostEventIds: Array.from({ length: 4 }, (_, k) => id(s, k)),
    }))
    const events = decideSweepRecord({
      retentionMs: 3_600_000,
      forced: true,
      sessions,
      at: 1_748_844_000_000,
    })
    expect(events.length).toBeGreaterThan(2)
    for (const event of events)
      expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(MAX_EVENT_DATA_BYTES)
    expect(SWEEP_PART_MAX_BYTES + 1024).toBeLessThan(MAX_EVENT_DATA_BYTES)
    expect(facts(events.flatMap((event) => event.sessions))).toEqual(facts(sessions))
  })
})
