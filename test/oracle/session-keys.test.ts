/**
 * Area 1 of issue 11: session keys and routing, differentially against both releases. Every
 * pure function we export under OpenClaw's name gets the same random keys as the release's own
 * and must return the same value or throw the same error. `legacy` routing is compared with
 * 2026.5.7, `fixed` with 2026.5.12. 2026.5.7 has no `resolveEventSessionKey`: its enqueue call
 * sites (exec runtime, ACP relay, CLI watchdog) pass the origin key itself, so the legacy queue
 * is whatever the release's `enqueueSystemEvent` files that key under; its
 * `scopedHeartbeatWakeOptions(sessionKey, wakeOptions)` adds the raw key for agent keys only.
 */
import fc from "fast-check"
import { beforeAll, expect, it } from "vitest"
import { normalizeQueueKey } from "../../domain/queue.ts"
import {
  fixedRouting,
  legacyRouting,
  resolveEventSessionKey,
  scopedHeartbeatWakeOptions,
} from "../../domain/routing.ts"
import {
  buildAgentMainSessionKey,
  classifySessionKeyShape,
  DEFAULT_AGENT_ID,
  DEFAULT_MAIN_KEY,
  getSubagentDepth,
  isAcpSessionKey,
  isCronRunSessionKey,
  isCronSessionKey,
  isLegacyCronRunSessionKey,
  isSubagentSessionKey,
  isUnscopedSessionKeySentinel,
  isValidAgentId,
  normalizeAgentId,
  normalizeMainKey,
  parseAgentSessionKey,
  resolveAgentIdFromSessionKey,
  toAgentStoreSessionKey,
} from "../../domain/session-key.ts"
import type { SessionScope } from "../../domain/session-policy.ts"
import { agentId, mainKey, maybeSessionKey, sessionKey, sessionScope, token } from "./arbitraries.ts"
import { describeOracle } from "./describe-oracle.ts"
import { loadOracleModule } from "./load.ts"
import { assertDifferential, oracleRuns, outcome } from "./oracle-runs.ts"
import { FIXED_RELEASE, LEGACY_RELEASE } from "./releases.ts"

type Key = string | undefined | null
type Fn<A extends unknown[], R> = (...args: A) => R

interface KeyUtils {
  readonly parseAgentSessionKey: Fn<[Key], unknown>
  readonly isCronRunSessionKey: Fn<[Key], boolean>
  readonly isCronSessionKey: Fn<[Key], boolean>
  readonly isSubagentSessionKey: Fn<[Key], boolean>
  readonly getSubagentDepth: Fn<[Key], number>
  readonly isAcpSessionKey: Fn<[Key], boolean>
}

interface RoutingKeys {
  readonly DEFAULT_AGENT_ID: string
  readonly DEFAULT_MAIN_KEY: string
  readonly normalizeMainKey: Fn<[Key], string>
  readonly normalizeAgentId: Fn<[Key], string>
  readonly isValidAgentId: Fn<[Key], boolean>
  readonly buildAgentMainSessionKey: Fn<[{ agentId: string; mainKey?: string | undefined }], string>
  readonly resolveAgentIdFromSessionKey: Fn<[Key], string>
  readonly classifySessionKeyShape: Fn<[Key], string>
  readonly toAgentStoreSessionKey: Fn<
    [{ agentId: string; requestKey: Key; mainKey?: string | undefined }],
    string
  >
  readonly scopedHeartbeatWakeOptions: Fn<[string, object, string?, SessionScope?], object>
  readonly resolveEventSessionKey?: Fn<[string, string?, SessionScope?], string>
}

interface QueueModule {
  readonly enqueueSystemEvent: Fn<[string, { sessionKey: string; trusted?: boolean }], boolean>
  readonly resetSystemEventsForTest: () => void
}

interface Release {
  readonly utils: KeyUtils
  readonly keys: RoutingKeys
  readonly queue: QueueModule
}

const releases = new Map<string, Release>()
const release = (version: string): Release => releases.get(version) as Release

const load = async (version: string): Promise<Release> => ({
  utils: await loadOracleModule<KeyUtils>(version, "src/sessions/session-key-utils.ts"),
  keys: await loadOracleModule<RoutingKeys>(version, "src/routing/session-key.ts"),
  queue: await loadOracleModule<QueueModule>(version, "src/infra/system-events.ts"),
})

/** OpenClaw's queues live in a process-global map: the key an enqueue was filed under is in it. */
const QUEUES = Symbol.for("openclaw.systemEvents.queues")
const queuedKeys = (): string[] => [
  ...((globalThis as Record<symbol, Map<string, unknown>>)[QUEUES]?.keys() ?? []),
]

/** The key the release files an event under, or the error its enqueue throws. */
const releaseQueueKey = (queue: QueueModule, key: string) => {
  queue.resetSystemEventsForTest()
  const result = outcome(() => {
    queue.enqueueSystemEvent("Exec completed (abc12345, code 0)", { sessionKey: key, trusted: false })
    return queuedKeys()
  })
  queue.resetSystemEventsForTest()
  return result
}

/** Ours: the routed key, filed under its trimmed form; a blank one is refused as OpenClaw does. */
const ourQueueKey = (routed: string) =>
  outcome(() => {
    const key = normalizeQueueKey(routed)
    if (key === undefined) throw new Error("system events require a sessionKey")
    return [key]
  })

const wakeOptions = fc.record(
  {
    source: fc.constantFrom("exec-event", "acp-spawn", "cli-watchdog"),
    intent: fc.constant("event"),
    reason: fc.constantFrom("exec-event", "acp:spawn:stream", "cli:watchdog:stall"),
    coalesceMs: fc.constantFrom(0, 250),
  },
  { requiredKeys: ["source", "intent"] },
)

/** The key-parsing functions both releases share (session-key-utils.ts), ours by the same name. */
const sharedKeyFunctions = {
  parseAgentSessionKey,
  isCronSessionKey,
  isSubagentSessionKey,
  getSubagentDepth,
  isAcpSessionKey,
} as const

/** The routing module's functions of one key or value, in both releases. */
const oneValueFunctions = {
  normalizeMainKey,
  normalizeAgentId,
  isValidAgentId,
  resolveAgentIdFromSessionKey,
  classifySessionKeyShape,
} as const

const entriesOf = <T extends object>(record: T) =>
  Object.entries(record) as Array<[keyof T & string, T[keyof T]]>

const RUNS = oracleRuns(1000)
const ROUTING_RUNS = oracleRuns(1000)

describeOracle("session keys and routing against the releases", () => {
  beforeAll(async () => {
    for (const version of [LEGACY_RELEASE, FIXED_RELEASE]) releases.set(version, await load(version))
  })

  it("has OpenClaw's default agent and main key", () => {
    for (const version of [LEGACY_RELEASE, FIXED_RELEASE]) {
      expect(DEFAULT_AGENT_ID).toBe(release(version).keys.DEFAULT_AGENT_ID)
      expect(DEFAULT_MAIN_KEY).toBe(release(version).keys.DEFAULT_MAIN_KEY)
    }
  })

  for (const version of [LEGACY_RELEASE, FIXED_RELEASE]) {
    it(`parses and classifies every key shape as openclaw@${version}`, async () => {
      const { utils, keys } = release(version)
      await assertDifferential(
        `session keys @${version}`,
        fc.property(maybeSessionKey, (key) => {
          for (const [name, ours] of entriesOf(sharedKeyFunctions))
            expect(
              outcome(() => ours(key)),
              `${name}(${JSON.stringify(key)})`,
            ).toEqual(outcome(() => utils[name](key)))
          for (const [name, ours] of entriesOf(oneValueFunctions))
            expect(
              outcome(() => ours(key)),
              `${name}(${JSON.stringify(key)})`,
            ).toEqual(outcome(() => keys[name](key)))
          // The cron-run rule is the one that changed: legacy for 2026.5.7, fixed for 2026.5.12.
          const isCronRun = version === LEGACY_RELEASE ? isLegacyCronRunSessionKey : isCronRunSessionKey
          expect(
            outcome(() => isCronRun(key)),
            `isCronRunSessionKey(${JSON.stringify(key)})`,
          ).toEqual(outcome(() => utils.isCronRunSessionKey(key)))
          const routing = version === LEGACY_RELEASE ? legacyRouting : fixedRouting
          if (typeof key === "string")
            expect(routing.isCronRun(key), `routing.isCronRun(${JSON.stringify(key)})`).toBe(
              utils.isCronRunSessionKey(key),
            )
        }),
        RUNS,
      )
    })

    it(`builds main and store keys as openclaw@${version}`, async () => {
      const { keys } = release(version)
      await assertDifferential(
        `main and store keys @${version}`,
        fc.property(agentId, maybeSessionKey, mainKey, (agent, requestKey, main) => {
          const built = { agentId: agent, mainKey: main }
          expect(outcome(() => buildAgentMainSessionKey(built))).toEqual(
            outcome(() => keys.buildAgentMainSessionKey(built)),
          )
          const store = { agentId: agent, requestKey, mainKey: main }
          expect(outcome(() => toAgentStoreSessionKey(store))).toEqual(
            outcome(() => keys.toAgentStoreSessionKey(store)),
          )
        }),
        RUNS,
      )
    })
  }

  it("routes as openclaw@2026.5.12: resolveEventSessionKey and scopedHeartbeatWakeOptions", async () => {
    const { keys, queue } = release(FIXED_RELEASE)
    const resolve = keys.resolveEventSessionKey
    if (resolve === undefined) throw new Error(`openclaw@${FIXED_RELEASE} has no resolveEventSessionKey`)
    await assertDifferential(
      "fixed routing @2026.5.12",
      fc.property(sessionKey, mainKey, sessionScope, wakeOptions, (origin, main, scope, wake) => {
        expect(outcome(() => resolveEventSessionKey(origin, main, scope))).toEqual(
          outcome(() => resolve(origin, main, scope)),
        )
        expect(outcome(() => scopedHeartbeatWakeOptions(origin, wake, main, scope))).toEqual(
          outcome(() => keys.scopedHeartbeatWakeOptions(origin, wake, main, scope)),
        )
        // The routing policy the ledger uses: the same queue (as filed) and the same wake target.
        expect(ourQueueKey(fixedRouting.queueKey(origin, main, scope))).toEqual(
          releaseQueueKey(queue, resolve(origin, main, scope)),
        )
        expect(fixedRouting.wakeTarget(origin, main, scope)).toEqual(
          keys.scopedHeartbeatWakeOptions(origin, {}, main, scope),
        )
      }),
      ROUTING_RUNS,
    )
  })

  it("routes as openclaw@2026.5.7's call sites: the raw key, woken with the raw agent key", async () => {
    const { keys, queue } = release(LEGACY_RELEASE)
    expect(keys.resolveEventSessionKey).toBeUndefined()
    await assertDifferential(
      "legacy routing @2026.5.7",
      fc.property(sessionKey, mainKey, sessionScope, wakeOptions, (origin, main, scope, wake) => {
        // 2026.5.7 enqueues under the origin whatever the policy says.
        expect(ourQueueKey(legacyRouting.queueKey(origin, main, scope))).toEqual(
          releaseQueueKey(queue, origin),
        )
        expect({ ...wake, ...legacyRouting.wakeTarget(origin, main, scope) }).toEqual(
          keys.scopedHeartbeatWakeOptions(origin, wake),
        )
      }),
      ROUTING_RUNS,
    )
  })

  it("generates every shape: some cron runs, descendants, sentinels and malformed keys are drawn", () => {
    const { utils } = release(FIXED_RELEASE)
    const sample = fc.sample(sessionKey, { numRuns: 2000, seed: 11 })
    const count = (test: (key: string) => boolean) => sample.filter(test).length
    expect(count((key) => utils.isCronRunSessionKey(key))).toBeGreaterThan(100)
    expect(
      count(
        (key) => utils.isCronRunSessionKey(key) && !release(LEGACY_RELEASE).utils.isCronRunSessionKey(key),
      ),
    ).toBeGreaterThan(50)
    expect(count((key) => classifySessionKeyShape(key) === "malformed_agent")).toBeGreaterThan(20)
    expect(count((key) => isUnscopedSessionKeySentinel(key))).toBeGreaterThan(10)
    expect(count((key) => utils.isSubagentSessionKey(key))).toBeGreaterThan(50)
    expect(count((key) => utils.isAcpSessionKey(key))).toBeGreaterThan(20)
    expect(fc.sample(token, 50).length).toBe(50)
  })
})
