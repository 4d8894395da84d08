/**
 * The ACP relays an import runs (docs/import-format.md, "ACP relay streams"): each `start` line
 * starts OpenClaw's relay model (domain/acp-relay.ts) for its run id, later lines of the run feed
 * it, and time passes with the file's lines: before each line the relays' timers due by its
 * time fire, each notice stamped with its timer's due time. Time only moves forward, in file
 * order; past the last line nothing fires.
 */

import {
  type AcpRelayInput,
  type AcpRelayState,
  acpRelayInputOf,
  acpRelayNoticeEmission,
  nextAcpRelayDueAt,
  startAcpRelay,
  stepAcpRelay,
} from "../../../domain/acp-relay.ts"
import type { DeliveryContext } from "../../../domain/events.ts"
import type { SessionPolicy } from "../../../domain/session-policy.ts"
import type { SourceEmission } from "../../../domain/sources.ts"
import type { AcpRelayInputLine } from "./import-line.ts"

/** A notice to record: what, when, and with the policy the relay's start line snapshotted. */
export interface RelayedNotice {
  readonly emission: SourceEmission
  readonly at: number
  readonly policy: SessionPolicy
}

interface Relay {
  state: AcpRelayState
  readonly policy: SessionPolicy
}

type RelayLine = typeof AcpRelayInputLine.Type

const inputOf = (line: RelayLine, at: number): AcpRelayInput | undefined => {
  switch (line.input) {
    case "assistant":
    case "lifecycle":
      return acpRelayInputOf({ runId: line.runId, stream: line.input, data: line }, at)
    case "notify-started":
      return { _tag: "NotifyStarted", at }
    case "dispose":
      return { _tag: "Dispose", at }
    case "start":
      return undefined
  }
}

export class ImportedAcpRelays {
  private readonly relays = new Map<string, Relay>()

  private noticesOf(relay: Relay, step: ReturnType<typeof startAcpRelay>, at: number): RelayedNotice[] {
    relay.state = step.state
    return step.notices.flatMap((notice) => {
      const emission = acpRelayNoticeEmission(step.state, notice)
      return emission === null ? [] : [{ emission, at, policy: relay.policy }]
    })
  }

  /** The notices of every timer due by `to`, earliest first (a relay's own ties in its order). */
  advance(to: number): RelayedNotice[] {
    const out: RelayedNotice[] = []
    for (;;) {
      let next: { relay: Relay; at: number } | undefined
      for (const relay of this.relays.values()) {
        const at = nextAcpRelayDueAt(relay.state)
        if (at !== undefined && at <= to && (next === undefined || at < next.at)) next = { relay, at }
      }
      if (next === undefined) break
      const { relay, at } = next
      out.push(...this.noticesOf(relay, stepAcpRelay(relay.state, { _tag: "Advance", to: at }), at))
    }
    return out
  }

  /** One relay line's own notices (a start's notice, a flush at a blank line, done, error…). */
  feed(line: RelayLine, at: number, deliveryContext: DeliveryContext | undefined): RelayedNotice[] {
    const runId = line.runId.trim()
    if (line.input === "start") {
      const started = startAcpRelay({
        runId: line.runId,
        parentSessionKey: line.sessionKey ?? "",
        childSessionKey: line.childSessionKey,
        agentId: line.agentId ?? "",
        surfaceUpdates: line.surfaceUpdates,
        emitStartNotice: line.emitStartNotice,
        deliveryContext,
        mainKey: line.policy?.mainKey,
        scope: line.policy?.scope,
        streamFlushMs: line.streamFlushMs,
        noOutputNoticeMs: line.noOutputNoticeMs,
        noOutputPollMs: line.noOutputPollMs,
        maxRelayLifetimeMs: line.maxRelayLifetimeMs,
        at,
      })
      // A disposed relay still sends a late start notice (`notify-started`): relays are kept.
      const relay: Relay = { state: started.state, policy: line.policy ?? {} }
      this.relays.set(runId, relay)
      return this.noticesOf(relay, started, at)
    }
    // OpenClaw's bus reaches only a relay listening for the run: otherwise nothing happens.
    const relay = this.relays.get(runId)
    const input = inputOf(line, at)
    if (relay === undefined || input === undefined) return []
    return this.noticesOf(relay, stepAcpRelay(relay.state, input), at)
  }
}
