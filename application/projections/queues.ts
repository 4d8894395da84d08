/**
 * The queues projection: the ledger's own view (every queue's pending events, stream
 * revisions, config, session activity) as a projection, so it can be rebuilt, checkpointed
 * and compared like any other.
 */
import type { AgentConfig } from "../../domain/gateway-config.ts"
import type { QueueState } from "../../domain/queue.ts"
import { LedgerView } from "../ledger-view.ts"
import type { Projection } from "./projection.ts"

interface QueuesJSON {
  position: number
  config: AgentConfig[]
  queues: QueueState[]
  revisions: Array<[string, number]>
  sessions: Array<[string, number]>
  lastSweepAt: number | null
}

export const queuesProjection: Projection<LedgerView> = {
  name: "queues",
  init: () => new LedgerView(),
  evolve: (view, event, record) => {
    view.apply(record, event)
    return view
  },
  toJSON: (view): QueuesJSON => ({
    position: view.position,
    config: [...view.config.agents.values()],
    queues: [...view.queues.values()].sort((a, b) => (a.queueKey < b.queueKey ? -1 : 1)),
    revisions: [...view.revisions].sort(([a], [b]) => (a < b ? -1 : 1)),
    sessions: [...view.sessions].sort(([a], [b]) => (a < b ? -1 : 1)),
    lastSweepAt: view.lastSweepAt ?? null,
  }),
  fromJSON: (json) => {
    const j = json as QueuesJSON
    const view = new LedgerView()
    view.position = j.position
    view.config = { agents: new Map(j.config.map((agent) => [agent.agentId, agent])) }
    for (const queue of j.queues) view.queues.set(queue.queueKey, queue)
    for (const [streamId, revision] of j.revisions) view.revisions.set(streamId, revision)
    for (const [session, at] of j.sessions) view.sessions.set(session, at)
    view.lastSweepAt = j.lastSweepAt ?? undefined
    return view
  },
}
