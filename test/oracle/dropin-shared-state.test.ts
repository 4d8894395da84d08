/**
 * One queue state per process, whatever the number of copies of the module: OpenClaw keeps its
 * queues in a global map (`Symbol.for("openclaw.systemEvents.queues")`), so two copies of its
 * chunk see each other's events; ours keeps its default instance on `globalThis` under
 * `Symbol.for("heartbeat-ledger.openclaw.defaultInstance")`, so two copies of
 * `heartbeat-ledger/openclaw` do too — two module instances in one test (a second import URL)
 * and the built dist/ beside the sources in one Node process.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { describeOracle } from "./describe-oracle.ts"
import { chunkExportNames, regionIndex } from "./load.ts"
import { FIXED_RELEASE, releasePackageDir } from "./releases.ts"

const KEY = "agent:ops:main"

type Copy = {
  readonly enqueueSystemEvent: (text: string, options: { sessionKey: string }) => boolean
  readonly peekSystemEvents: (key: string) => string[]
  readonly drainSystemEvents: (key: string) => string[]
}

const DEFAULT_INSTANCE_URL = new URL("../../infrastructure/openclaw/default-instance.ts", import.meta.url)
  .href

/** A second instance of the module that holds the default instance (a distinct import URL). */
const secondCopy = async (query: string) =>
  (await import(/* @vite-ignore */ `${DEFAULT_INSTANCE_URL}?${query}`)) as Copy & {
    readonly getDefaultSystemEvents: () => unknown
  }

describe("two copies of heartbeat-ledger/openclaw in one process", () => {
  afterEach(async () => {
    const first = await import("../../infrastructure/openclaw/default-instance.ts")
    await first.resetDefaultSystemEvents()
  })

  it("are distinct module instances that share one default instance (second import URL)", async () => {
    const first = await import("../../infrastructure/openclaw/default-instance.ts")
    const second = await secondCopy("copy=2")
    expect(second).not.toBe(first)
    expect(second.enqueueSystemEvent).not.toBe(first.enqueueSystemEvent)
    expect(first.enqueueSystemEvent("from the first copy", { sessionKey: KEY })).toBe(true)
    expect(second.enqueueSystemEvent("from the second copy", { sessionKey: KEY })).toBe(true)
    expect(second.peekSystemEvents(KEY)).toEqual(["from the first copy", "from the second copy"])
    expect(first.drainSystemEvents(KEY)).toEqual(["from the first copy", "from the second copy"])
    expect(second.peekSystemEvents(KEY)).toEqual([])
    expect(second.getDefaultSystemEvents()).toBe(first.getDefaultSystemEvents())
  })

  it("the built dist/ and the sources share queues and the wake handler", () => {
    const out = execFileSync(
      "node_modules/.bin/node",
      [
        "--input-type=module",
        "-e",
        `
        const dist = await import("heartbeat-ledger/openclaw")
        const src = await import("./infrastructure/openclaw/index.ts")
        const seen = []
        dist.setHeartbeatWakeHandler(async (wake) => { seen.push(wake); return { status: "ran", durationMs: 1 } })
        src.enqueueSystemEvent("via the sources", { sessionKey: "${KEY}" })
        dist.enqueueSystemEvent("via dist", { sessionKey: "${KEY}" })
        src.requestHeartbeat({ source: "manual", intent: "manual", agentId: "ops", coalesceMs: 0 })
        // A handler on another instance would never be called: wait a bounded time only.
        for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 5))
        console.log(JSON.stringify({
          distIsSrc: dist.enqueueSystemEvent === src.enqueueSystemEvent,
          fromDist: dist.peekSystemEvents("${KEY}"),
          fromSrc: src.peekSystemEvents("${KEY}"),
          hasHandler: src.hasHeartbeatWakeHandler(),
          seen,
        }))
        await dist.resetDefaultSystemEvents()
        `,
      ],
      { encoding: "utf8", env: { ...process.env, HEARTBEAT_LEDGER_STORE: "" }, timeout: 30_000 },
    )
    expect(JSON.parse(out.trim())).toStrictEqual({
      distIsSrc: false,
      fromDist: ["via the sources", "via dist"],
      fromSrc: ["via the sources", "via dist"],
      hasHandler: true,
      seen: [{ source: "manual", intent: "manual", reason: "requested", agentId: "ops" }],
    })
  })
})

describeOracle("two copies of openclaw@2026.5.12's system-events", () => {
  it("share one queue map, as ours share one default instance", async () => {
    const region = "src/infra/system-events.ts"
    const file = (regionIndex(FIXED_RELEASE)[region] ?? []).find((name) => name.startsWith("system-events-"))
    if (file === undefined) throw new Error(`no chunk holds ${region}`)
    const path = join(releasePackageDir(FIXED_RELEASE), "dist", file)
    const names = chunkExportNames(readFileSync(path, "utf8"))
    const load = async (query: string) => {
      const module = (await import(`${pathToFileURL(path).href}?${query}`)) as Record<string, unknown>
      return Object.fromEntries(
        [...names].map(([alias, real]) => [real, module[alias]]),
      ) as unknown as Copy & {
        readonly resetSystemEventsForTest: () => void
      }
    }
    const first = await load("copy=1")
    const second = await load("copy=2")
    expect(second.enqueueSystemEvent).not.toBe(first.enqueueSystemEvent)
    first.resetSystemEventsForTest()
    first.enqueueSystemEvent("from the first copy", { sessionKey: KEY })
    expect(second.peekSystemEvents(KEY)).toEqual(["from the first copy"])
    second.resetSystemEventsForTest()
  })
}, [FIXED_RELEASE])
