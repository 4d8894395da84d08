/**
 * A Ledger whose every call runs to completion at once. The embedded API answers synchronously
 * (as OpenClaw's does), so its ledger decides against an in-memory store: each call is run
 * with `runSyncExit` and can never be interleaved with another half-way through, whichever
 * fiber or plain function makes it. `afterCall` is told after each one (to start its write-behind).
 */
import { Effect } from "effect"
import { Ledger, type LedgerShape } from "../../application/ledger.ts"

export function synchronousLedger(ledger: LedgerShape, afterCall: () => void): LedgerShape {
  const now = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.suspend(() => {
      const exit = Effect.runSyncExit(effect)
      afterCall()
      return exit
    })
  return Ledger.of({
    configureAgent: (command) => now(ledger.configureAgent(command)),
    snapshotPolicy: (origin) => now(ledger.snapshotPolicy(origin)),
    record: (emission, options) => now(ledger.record(emission, options)),
    enqueue: (text, options, record) => now(ledger.enqueue(text, options, record)),
    peek: (sessionKey) => now(ledger.peek(sessionKey)),
    isContextChanged: (sessionKey, contextKey) => now(ledger.isContextChanged(sessionKey, contextKey)),
    consume: (sessionKey, inspected, mode, options) =>
      now(ledger.consume(sessionKey, inspected, mode, options)),
    drain: (sessionKey, options) => now(ledger.drain(sessionKey, options)),
    runHeartbeat: (wake) => now(ledger.runHeartbeat(wake)),
    requestWake: (wake) => now(ledger.requestWake(wake)),
    recordWakeSkipped: (skip) => now(ledger.recordWakeSkipped(skip)),
    prune: (options) => now(ledger.prune(options)),
    sync: now(ledger.sync),
    view: now(ledger.view),
  })
}
