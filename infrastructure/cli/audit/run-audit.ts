/**
 * Runs an audit of a store: replays its log through the projections, checks the invariants,
 * and — for a what-if routing — re-routes the recorded work through a fresh in-memory ledger
 * (application/what-if.ts) and audits that too.
 */
import { Effect, Layer } from "effect"
import { EventStore, type EventStoreShape } from "../../../application/event-store.ts"
import { judgeInvariants } from "../../../application/invariants.ts"
import { layerLedger } from "../../../application/ledger.ts"
import type { AuditState } from "../../../application/projections/audit.ts"
import { auditReport } from "../../../application/projections/audit.ts"
import { observedAudit } from "../../../application/projections/observed-audit.ts"
import { type RerouteResult, rerouteRecordedWork } from "../../../application/what-if.ts"
import type { RoutingName } from "../../../domain/routing.ts"
import { layerSeededIds } from "../../ids.ts"
import { layerMemoryEventStore } from "../../stores/memory-event-store.ts"
import { startProgress } from "../shared/progress.ts"
import { type AuditDocument, buildAuditDocument } from "./audit-document.ts"
import { observedDocument } from "./observed-document.ts"
import { decodedEvents, replayForAudit } from "./replay-audit.ts"

export interface AuditRun {
  /** The audit of the routing asked for (a what-if for `legacy`), with `recorded` set then. */
  readonly document: AuditDocument
  /** The audit of what was recorded. */
  readonly recorded: AuditDocument
  readonly recordedState: AuditState
  readonly whatIf?: {
    readonly document: AuditDocument
    readonly state: AuditState
    readonly replay: RerouteResult
  }
}

const auditStore = (
  store: EventStoreShape,
  description: string,
  routing: RoutingName,
  whatIf: boolean,
  agent: string | undefined,
) =>
  Effect.gen(function* () {
    const head = yield* store.headPosition
    const progress = startProgress(whatIf ? "auditing the what-if" : "replaying the log", head)
    const replay = yield* replayForAudit(store, progress.tick, head).pipe(
      Effect.ensuring(Effect.sync(progress.done)),
    )
    const report = auditReport(replay.state)
    const document = buildAuditDocument({
      report,
      invariants: judgeInvariants({
        facts: replay.facts,
        view: replay.view,
        audit: replay.state,
        report,
        agent,
      }),
      store: description,
      routing,
      whatIf,
      events: replay.events,
      span: replay.span,
      agent,
      observed:
        replay.observed.length === 0
          ? undefined
          : observedDocument(observedAudit(replay.observed, { agent })),
    })
    return { document, state: replay.state }
  })

/**
 * A fresh ledger on an empty in-memory store: where a what-if replays the recorded work.
 * `Layer.fresh`: layers are memoized by reference, and the command's own Ledger (on the real
 * store) is built from the same `layerLedger` — without it the what-if would write there.
 */
export const scratchLedger = () =>
  Layer.provideMerge(
    Layer.fresh(layerLedger),
    Layer.merge(Layer.fresh(layerMemoryEventStore()), layerSeededIds(1)),
  )

export const runAudit = (input: {
  readonly store: EventStoreShape
  readonly routing: RoutingName
  readonly agent?: string | undefined
}) =>
  Effect.gen(function* () {
    const { store } = input
    const recorded = yield* auditStore(store, store.description, "fixed", false, input.agent)
    if (input.routing === "fixed") {
      return {
        document: recorded.document,
        recorded: recorded.document,
        recordedState: recorded.state,
      } satisfies AuditRun
    }
    const head = yield* store.headPosition
    const progress = startProgress(`re-routing under ${input.routing}`, head)
    const whatIf = yield* Effect.gen(function* () {
      const replay = yield* rerouteRecordedWork(decodedEvents(store), {
        routing: input.routing,
        onEvent: progress.tick,
      })
      const scratch = yield* EventStore
      const audited = yield* auditStore(scratch, store.description, input.routing, true, input.agent)
      return { ...audited, replay }
    }).pipe(Effect.ensuring(Effect.sync(progress.done)), Effect.provide(scratchLedger()))
    // Observed facts are not re-routed: the what-if document carries the recorded observed audit (with its own what-if per event).
    const observed = recorded.document.observed
    const document: AuditDocument = {
      ...whatIf.document,
      recorded: recorded.document,
      ...(observed === undefined ? {} : { observed }),
    }
    return {
      document,
      recorded: recorded.document,
      recordedState: recorded.state,
      whatIf: { document, state: whatIf.state, replay: whatIf.replay },
    } satisfies AuditRun
  })
