/**
 * The ACP parent-stream relay as a component (OpenClaw's `startAcpSpawnParentStreamRelay`,
 * src/agents/acp-spawn-parent-stream.ts): while a spawned ACP child runs, it relays the child's
 * output to the parent session as system events. A pure decider: the state says what the relay
 * holds (buffered text, stall flag, its three timers as due times); each input — a child agent
 * event, the start notice, dispose, or time passing — gives the next state and the notices it
 * emits, in order.
 *
 * The timers: assistant text is buffered and flushed `streamFlushMs` after the first unflushed
 * delta (at once when the buffer reaches 220 characters or a delta holds a blank line); a poll
 * every `noOutputPollMs` emits one stall notice once `noOutputNoticeMs` passed without output,
 * and the next output emits `resumed` first; after `maxRelayLifetimeMs` the relay times out and
 * disposes. Timers due at the same moment fire in the order they were (re)scheduled — an interval
 * counts as rescheduled each time it fires — as JavaScript timers do.
 */
import type { DeliveryContext } from "./events.ts"
import type { SessionScope } from "./session-policy.ts"
import {
  type AcpPhase,
  acpRelayLabel,
  acpRelayText,
  type SourceEmission,
  withDeliveryContext,
} from "./sources.ts"

export const ACP_STREAM_FLUSH_MS = 2500
export const ACP_NO_OUTPUT_NOTICE_MS = 60_000
export const ACP_NO_OUTPUT_POLL_MS = 15_000
export const ACP_MAX_RELAY_LIFETIME_MS = 6 * 60 * 60 * 1000
export const ACP_STREAM_BUFFER_MAX = 4000
export const ACP_SNIPPET_MAX = 220

export interface AcpRelayStart {
  readonly runId: string
  /** The session that spawned the child: the relay's origin. */
  readonly parentSessionKey: string
  readonly childSessionKey?: string | undefined
  /** The child's agent id, which labels every notice. */
  readonly agentId: string
  /** Off: the relay runs, but enqueues and wakes nothing. */
  readonly surfaceUpdates?: boolean | undefined
  /** Off: the spawner sends the start notice later (`notifyStarted`). */
  readonly emitStartNotice?: boolean | undefined
  readonly deliveryContext?: DeliveryContext | undefined
  readonly mainKey?: string | undefined
  readonly scope?: SessionScope | undefined
  readonly streamFlushMs?: number | undefined
  readonly noOutputNoticeMs?: number | undefined
  readonly noOutputPollMs?: number | undefined
  readonly maxRelayLifetimeMs?: number | undefined
  readonly at: number
}

export interface AcpRelayState {
  /** False for a relay without run id or parent: it never does anything. */
  readonly active: boolean
  readonly start: AcpRelayStart
  readonly label: string
  readonly flushMs: number
  readonly noticeMs: number
  readonly pollMs: number
  readonly lifetimeMs: number
  readonly disposed: boolean
  readonly pendingText: string
  readonly lastProgressAt: number
  readonly stallNotified: boolean
  readonly flushDueAt: number | undefined
  readonly nextPollAt: number | undefined
  readonly lifetimeDueAt: number | undefined
  /** When each timer was last (re)scheduled, in one sequence: ties fire in this order. */
  readonly order: {
    readonly poll: number
    readonly lifetime: number
    readonly flush: number
    readonly next: number
  }
}

export type AcpRelayInput =
  /** An `assistant` stream event of the child run (`data.delta ?? data.text`, `data.phase`). */
  | {
      readonly _tag: "Assistant"
      readonly runId: string
      readonly delta?: unknown
      readonly text?: unknown
      readonly phase?: unknown
      readonly at: number
    }
  /** A `lifecycle` stream event of the child run: `end` (with its times) or `error`. */
  | {
      readonly _tag: "Lifecycle"
      readonly runId: string
      readonly phase?: unknown
      readonly startedAt?: unknown
      readonly endedAt?: unknown
      readonly error?: unknown
      readonly at: number
    }
  | { readonly _tag: "NotifyStarted"; readonly at: number }
  | { readonly _tag: "Dispose"; readonly at: number }
  /** Time passes up to `to`: the timers due by then fire. */
  | { readonly _tag: "Advance"; readonly to: number }

export interface AcpRelayNotice {
  readonly phase: AcpPhase
  readonly text: string
  readonly contextKey: string
}

export interface AcpRelayStep {
  readonly state: AcpRelayState
  readonly notices: ReadonlyArray<AcpRelayNotice>
}

const finite = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value)
const setting = (value: number | undefined, fallback: number, min: number) =>
  finite(value) ? Math.max(min, Math.floor(value)) : fallback
const trimmedString = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() ? value.trim() : undefined

export function startAcpRelay(start: AcpRelayStart): AcpRelayStep {
  const active = Boolean(start.runId.trim() && start.parentSessionKey.trim())
  const state: AcpRelayState = {
    active,
    start,
    label: acpRelayLabel(start.agentId),
    flushMs: setting(start.streamFlushMs, ACP_STREAM_FLUSH_MS, 0),
    noticeMs: setting(start.noOutputNoticeMs, ACP_NO_OUTPUT_NOTICE_MS, 0),
    pollMs: setting(start.noOutputPollMs, ACP_NO_OUTPUT_POLL_MS, 250),
    lifetimeMs: setting(start.maxRelayLifetimeMs, ACP_MAX_RELAY_LIFETIME_MS, 1000),
    disposed: !active,
    pendingText: "",
    lastProgressAt: start.at,
    stallNotified: false,
    flushDueAt: undefined,
    nextPollAt: undefined,
    lifetimeDueAt: undefined,
    order: { poll: 0, lifetime: 1, flush: 0, next: 2 },
  }
  if (!active) return { state, notices: [] }
  const timed = {
    ...state,
    nextPollAt: start.at + state.pollMs,
    lifetimeDueAt: start.at + state.lifetimeMs,
  }
  const out: Notices = []
  if (start.emitStartNotice !== false) add(out, notice(timed, "start"))
  return { state: timed, notices: out }
}

const notice = (
  state: AcpRelayState,
  phase: AcpPhase,
  detail: { snippet?: string; seconds?: number } = {},
): AcpRelayNotice | null => {
  const text = acpRelayText({
    label: state.label,
    phase,
    childSessionKey: state.start.childSessionKey,
    ...detail,
  })
  return text === null ? null : { phase, text, contextKey: `acp-spawn:${state.start.runId.trim()}:${phase}` }
}

type Notices = AcpRelayNotice[]

/** Collects a notice; an empty progress snippet (only whitespace buffered) is none. */
const add = (out: Notices, relayed: AcpRelayNotice | null): void => {
  if (relayed !== null) out.push(relayed)
}

const dispose = (state: AcpRelayState): AcpRelayState => ({
  ...state,
  disposed: true,
  flushDueAt: undefined,
  nextPollAt: undefined,
  lifetimeDueAt: undefined,
})

const flushPending = (state: AcpRelayState, out: Notices): AcpRelayState => {
  const cleared = { ...state, flushDueAt: undefined }
  if (!state.pendingText) return cleared
  add(out, notice(state, "progress", { snippet: state.pendingText }))
  return { ...cleared, pendingText: "" }
}

function onAssistant(
  state: AcpRelayState,
  input: Extract<AcpRelayInput, { _tag: "Assistant" }>,
  out: Notices,
) {
  const candidate = input.delta ?? input.text
  const delta = typeof candidate === "string" ? candidate : undefined
  if (!delta?.trim()) return state
  // Commentary shows the child is alive but is not relayed, nor does it end a stall.
  if (input.phase === "commentary") return { ...state, lastProgressAt: input.at }
  let next = state
  if (next.stallNotified) {
    add(out, notice(next, "resumed"))
    next = { ...next, stallNotified: false }
  }
  const buffered = next.pendingText + delta
  next = {
    ...next,
    lastProgressAt: input.at,
    pendingText: buffered.length > ACP_STREAM_BUFFER_MAX ? buffered.slice(-ACP_STREAM_BUFFER_MAX) : buffered,
  }
  if (next.pendingText.length >= ACP_SNIPPET_MAX || delta.includes("\n\n")) return flushPending(next, out)
  if (next.disposed || next.flushDueAt !== undefined || next.flushMs <= 0) return next
  return { ...rescheduled(next, "flush"), flushDueAt: input.at + next.flushMs }
}

function onLifecycle(
  state: AcpRelayState,
  input: Extract<AcpRelayInput, { _tag: "Lifecycle" }>,
  out: Notices,
) {
  const phase = trimmedString(input.phase)
  if (phase !== "end" && phase !== "error") return state
  const flushed = flushPending(state, out)
  if (phase === "end") {
    const { startedAt, endedAt } = input
    const ms = finite(startedAt) && finite(endedAt) && endedAt >= startedAt ? endedAt - startedAt : undefined
    add(out, notice(flushed, "done", ms === undefined ? {} : { seconds: Math.max(1, Math.round(ms / 1000)) }))
  } else {
    const error = trimmedString(input.error)
    add(out, notice(flushed, "error", error === undefined ? {} : { snippet: error }))
  }
  return dispose(flushed)
}

type Timer = "poll" | "lifetime" | "flush"

const rescheduled = (state: AcpRelayState, timer: Timer): AcpRelayState => ({
  ...state,
  order: { ...state.order, [timer]: state.order.next, next: state.order.next + 1 },
})

/** The next timer due by `to`: earliest first, ties in the order they were (re)scheduled. */
const nextDue = (state: AcpRelayState, to: number): { timer: Timer; at: number } | undefined => {
  const due: Array<{ timer: Timer; at: number | undefined }> = [
    { timer: "poll", at: state.nextPollAt },
    { timer: "lifetime", at: state.lifetimeDueAt },
    { timer: "flush", at: state.flushDueAt },
  ]
  let best: { timer: Timer; at: number } | undefined
  for (const { timer, at } of due) {
    if (at === undefined || at > to) continue
    if (
      best === undefined ||
      at < best.at ||
      (at === best.at && state.order[timer] < state.order[best.timer])
    )
      best = { timer, at }
  }
  return best
}

function fire(state: AcpRelayState, timer: Timer, at: number, out: Notices): AcpRelayState {
  switch (timer) {
    case "flush":
      return flushPending(state, out)
    case "lifetime":
      add(out, notice(state, "timeout", { seconds: Math.max(1, Math.round(state.lifetimeMs / 1000)) }))
      return dispose({ ...state, lifetimeDueAt: undefined })
    case "poll": {
      const next = { ...rescheduled(state, "poll"), nextPollAt: at + state.pollMs }
      if (next.noticeMs <= 0 || next.stallNotified || at - next.lastProgressAt < next.noticeMs) return next
      add(out, notice(next, "stall", { seconds: Math.round(next.noticeMs / 1000) }))
      return { ...next, stallNotified: true }
    }
  }
}

/** One event of the child's agent-event stream (OpenClaw's `onAgentEvent`). */
export interface AcpAgentEvent {
  readonly runId: string
  readonly stream: string
  readonly data?: Readonly<Record<string, unknown>> | undefined
}

/** The relay's input for an agent event: it reads `assistant` and `lifecycle`, nothing else. */
export function acpRelayInputOf(event: AcpAgentEvent, at: number): AcpRelayInput | undefined {
  const { delta, text, phase, startedAt, endedAt, error } = event.data ?? {}
  if (event.stream === "assistant") return { _tag: "Assistant", runId: event.runId, delta, text, phase, at }
  if (event.stream === "lifecycle")
    return { _tag: "Lifecycle", runId: event.runId, phase, startedAt, endedAt, error, at }
  return undefined
}

/** When the relay's next timer is due (the earliest armed one), if any is armed. */
export function nextAcpRelayDueAt(state: AcpRelayState): number | undefined {
  const due = [state.flushDueAt, state.nextPollAt, state.lifetimeDueAt].filter(
    (at): at is number => at !== undefined,
  )
  return due.length === 0 ? undefined : Math.min(...due)
}

export function stepAcpRelay(state: AcpRelayState, input: AcpRelayInput): AcpRelayStep {
  const out: Notices = []
  if (!state.active) return { state, notices: out }
  switch (input._tag) {
    case "NotifyStarted":
      // The spawner's late start notice is sent even after the relay was disposed.
      add(out, notice(state, "start"))
      return { state, notices: out }
    case "Dispose":
      return { state: state.disposed ? state : dispose(state), notices: out }
    case "Advance": {
      let next = state
      for (let due = nextDue(next, input.to); due !== undefined; due = nextDue(next, input.to)) {
        next = fire(next, due.timer, due.at, out)
      }
      return { state: next, notices: out }
    }
    case "Assistant":
    case "Lifecycle": {
      if (state.disposed || input.runId !== state.start.runId.trim()) return { state, notices: out }
      const next =
        input._tag === "Assistant" ? onAssistant(state, input, out) : onLifecycle(state, input, out)
      return { state: next, notices: out }
    }
  }
}

/** What a notice enqueues and wakes: nothing with surface updates off. */
export function acpRelayNoticeEmission(state: AcpRelayState, relayed: AcpRelayNotice): SourceEmission | null {
  if (state.start.surfaceUpdates === false) return null
  return {
    source: "acp-relay",
    origin: state.start.parentSessionKey.trim(),
    text: relayed.text,
    contextKey: relayed.contextKey,
    trusted: false,
    ...withDeliveryContext(state.start.deliveryContext),
    wake: { source: "acp-spawn", reason: "acp:spawn:stream", intent: "event" },
    wakeOnlyIfAccepted: false,
  }
}
