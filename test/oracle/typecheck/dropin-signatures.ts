/**
 * Type-level drop-in check, compiled only by test/oracle/dropin-surface.test.ts, which maps
 * `openclaw-release/*` onto the installed 2026.5.12 plugin-sdk declarations (so the main
 * tsconfig excludes this folder). Every value OpenClaw's modules export must exist here with a
 * type usable wherever OpenClaw's is expected, and OpenClaw's entry, wake and handler types
 * must flow into ours and back.
 */
import type * as TheirWake from "openclaw-release/infra/heartbeat-wake.js"
import type * as TheirEvents from "openclaw-release/infra/system-events.js"
import type * as Ours from "../../../infrastructure/openclaw/index.ts"

type Assert<T extends true> = T
type Assignable<From, To> = [From] extends [To] ? true : false

/** For each value name of `Theirs`: ours exists and is assignable to theirs. */
type Covers<Theirs, Mine> = {
  [K in keyof Theirs]: K extends keyof Mine ? Assignable<Mine[K], Theirs[K]> : "missing"
}
type AllTrue<R> = Exclude<R[keyof R], true> extends never ? true : R

export type EventsCovered = Assert<AllTrue<Covers<typeof TheirEvents, typeof Ours>>>
export type WakeCovered = Assert<AllTrue<Covers<typeof TheirWake, typeof Ours>>>

// The types both ways: OpenClaw's entries and wakes are ours, ours are OpenClaw's.
export type EntryIn = Assert<Assignable<TheirEvents.SystemEvent, Ours.SystemEvent>>
export type EntryOut = Assert<Assignable<Ours.SystemEvent, TheirEvents.SystemEvent>>
export type WakeIn = Assert<Assignable<TheirWake.HeartbeatWakeRequest, Ours.HeartbeatWakeRequest>>
export type WakeOut = Assert<Assignable<Ours.HeartbeatWakeRequest, TheirWake.HeartbeatWakeRequest>>
export type HandlerIn = Assert<Assignable<TheirWake.HeartbeatWakeHandler, Ours.HeartbeatWakeHandler>>
export type ResultIn = Assert<Assignable<TheirWake.HeartbeatRunResult, Ours.HeartbeatRunResult>>
export type ResultOut = Assert<Assignable<Ours.HeartbeatRunResult, TheirWake.HeartbeatRunResult>>
export type IntentSame = Assert<Assignable<TheirWake.HeartbeatWakeIntent, Ours.HeartbeatWakeIntent>>
export type SourceSame = Assert<Assignable<TheirWake.HeartbeatWakeSource, Ours.HeartbeatWakeSource>>
export type OverrideIn = Assert<Assignable<TheirWake.HeartbeatWakeOverride, Ours.HeartbeatWakeOverride>>
export type BusyReasons = Assert<
  Assignable<TheirWake.RetryableHeartbeatBusySkipReason, Ours.RetryableHeartbeatBusySkipReason>
>
