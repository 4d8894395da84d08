/**
 * Area 6: the reply-turn drain. Random events are enqueued into the release's real queue; the
 * release's `drainFormattedSystemEvents` runs a reply turn on it; our `planReplyTurnDrain`
 * gets what the queue held. The `System:` block and what stays queued must be equal.
 */
import fc from "fast-check"
import { expect, it, vi } from "vitest"
import { planReplyTurnDrain } from "../../domain/reply-turn-drain.ts"
import { describeOracle } from "./describe-oracle.ts"
import { loadOracleModule } from "./load.ts"
import { assertDifferential, oracleRuns } from "./oracle-runs.ts"
import type { OracleReplyTurn as ReplyTurn, OracleSystemEvents as SystemEvents } from "./release-modules.ts"
import { FIXED_RELEASE } from "./releases.ts"
import { awkwardText } from "./source-arbitraries.ts"

const REPLY_TURN_RUNS = oracleRuns(400)
const SESSION = "agent:main:main"
const UTC = { agents: { defaults: { envelopeTimezone: "utc" } } }

const eventText = fc.oneof(
  awkwardText(),
  fc.constantFrom(
    "Exec completed (amber-at, code 0) :: done",
    "Exec failed (calm-ott, signal SIGKILL)",
    "exec finished (node=n1 id=r1, code 2)\noutput",
    "Exec completed (abc, code 1) :: line\nline two",
    "HEARTBEAT_OK",
    "Heartbeat poll at 10:00",
    "heartbeat wake requested",
    "Cron: reason periodic",
    "Read HEARTBEAT.md if it exists",
    "Node: mac-mini · last input 5m ago · online",
    "Node: pi · LAST INPUT 2s",
    "  two\nlines  ",
    "\u212Aelvin",
  ),
)
const eventArb = fc.record({
  text: eventText,
  trusted: fc.constantFrom(undefined, true, false),
  contextKey: fc.constantFrom(undefined, "cron:j", "exec:r1"),
  // Whole seconds apart or within one: both show in the timestamp.
  advanceMs: fc.integer({ min: 0, max: 5_000_000 }),
})

describeOracle("oracle: the reply-turn drain", () => {
  it(`formats and consumes what a reply turn sees as openclaw@${FIXED_RELEASE} does`, async () => {
    const events = await loadOracleModule<SystemEvents>(FIXED_RELEASE, "src/infra/system-events.ts")
    const turn = await loadOracleModule<ReplyTurn>(
      FIXED_RELEASE,
      "src/auto-reply/reply/session-system-events.ts",
    )
    vi.useFakeTimers({ toFake: ["Date"] })
    try {
      await assertDifferential(
        "reply-turn drain vs openclaw",
        fc.asyncProperty(
          fc.array(eventArb, { maxLength: 25 }),
          fc.date({ noInvalidDate: true, min: new Date("2000-01-01"), max: new Date("2100-01-01") }),
          async (batch, start) => {
            events.resetSystemEventsForTest()
            vi.setSystemTime(start)
            for (const event of batch) {
              vi.setSystemTime(Date.now() + event.advanceMs)
              events.enqueueSystemEvent(event.text, {
                sessionKey: SESSION,
                ...(event.contextKey === undefined ? {} : { contextKey: event.contextKey }),
                ...(event.trusted === undefined ? {} : { trusted: event.trusted }),
              })
            }
            const inspected = events.peekSystemEventEntries(SESSION)
            const theirs = await turn.drainFormattedSystemEvents({
              cfg: UTC,
              sessionKey: SESSION,
              isMainSession: false,
              isNewSession: false,
            })
            const ours = planReplyTurnDrain(inspected)
            expect(ours.block).toBe(theirs)
            const kept = inspected.filter((entry) => !ours.consumed.includes(entry))
            expect(events.peekSystemEventEntries(SESSION)).toEqual(kept)
          },
        ),
        REPLY_TURN_RUNS,
      )
    } finally {
      vi.useRealTimers()
      events.resetSystemEventsForTest()
    }
  })
})
