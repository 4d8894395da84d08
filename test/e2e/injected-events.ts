/**
 * The end-to-end case every release runs: a real gateway with our plugin, events injected
 * through the real `openclaw system event`, a heartbeat answered by the scripted model; the
 * store must account for every injected event — enqueued once under the agent's main session,
 * gone from the queue, shown to the model by a heartbeat prompt.
 */
import { afterAll, beforeAll, expect, it } from "vitest"
import { accountObserved } from "../../application/projections/observed-fates.ts"
import type { ObservedEvent } from "../../domain/observed-events.ts"
import { describeOracle } from "../oracle/describe-oracle.ts"
import { cronExecScript } from "./cron-exec.ts"
import { cronExecTests } from "./cron-exec-tests.ts"
import { latestAuditTests } from "./latest-audit-tests.ts"
import {
  type ObservedGateway,
  type ObservedGatewayOptions,
  startObservedGateway,
} from "./observed-gateway.ts"
import { waitForObserved } from "./observed-store.ts"

const shownInHeartbeat = (events: ReadonlyArray<ObservedEvent>, text: string): boolean =>
  accountObserved(events).fates.some(
    (fate) => fate.entry.text === text && fate.fate._tag === "Shown" && fate.fate.trigger === "heartbeat",
  )

/**
 * `options` choose how the plugin is installed and how the CLI reaches the gateway
 * (observed-gateway.ts); `cron`: the release's routing of cron-run events, to run the cron-run /
 * background-exec proof (cron-exec-tests.ts) on the same gateway afterwards.
 */
export function injectedEventsSuite(
  version: string,
  options: ObservedGatewayOptions & { readonly cron?: "legacy" | "fixed" } = {},
): void {
  describeOracle(`e2e: openclaw@${version} gateway with the observer plugin`, () => {
    let observed: ObservedGateway | undefined
    beforeAll(async () => {
      observed = await startObservedGateway(version, cronExecScript, options)
    }, 180_000)
    afterAll(async () => {
      await observed?.close()
    }, 30_000)

    it(`accounts for every event injected through \`openclaw system event\` (plugin installed: ${options.install ?? "link"})`, async () => {
      const gateway = observed as ObservedGateway
      const started = await waitForObserved(gateway.storeUrl, (events) =>
        events.some((event) => event._tag === "ObserverStarted"),
      )
      const observers = started.filter((event) => event._tag === "ObserverStarted")
      // OpenClaw calls register more than once in a process: still one observer.
      expect(observers).toHaveLength(1)
      expect(observers[0]).toMatchObject({ openclawVersion: version, queueMapReadable: true })

      const texts = [`e2e ${version} first`, `e2e ${version} second`]
      // The first waits for the next heartbeat, the second wakes it now: one run shows both.
      const queued = await gateway.systemEvent(texts[0] as string, "next-heartbeat")
      expect(queued.code, queued.output).toBe(0)
      const woken = await gateway.systemEvent(texts[1] as string, "now")
      expect(woken.code, woken.output).toBe(0)
      const events = await waitForObserved(gateway.storeUrl, (all) =>
        texts.every((text) => shownInHeartbeat(all, text)),
      )
      const account = accountObserved(events)
      for (const text of texts) {
        const fates = account.fates.filter((fate) => fate.entry.text === text)
        expect(fates, `${text}: ${JSON.stringify(events)}`).toHaveLength(1)
        expect(fates[0]?.sessionKey).toBe("agent:main:main")
        expect(fates[0]?.fate, JSON.stringify(events, null, 1)).toMatchObject({
          _tag: "Shown",
          trigger: "heartbeat",
        })
      }
      expect(account.heartbeatKeys).toContain("agent:main:main")
      expect(account.lost).toBe(0)
      // The documented hooks around it: the heartbeat's session started, and its run ended.
      const shownRuns = new Set(
        events.flatMap((event) =>
          event._tag === "ObservedPromptBuilt" && event.shown.some((line) => texts.includes(line.text))
            ? [event.runId]
            : [],
        ),
      )
      const lifecycle = await waitForObserved(gateway.storeUrl, (all) =>
        all.some(
          (event) =>
            event._tag === "ObservedLifecycle" &&
            event.hook === "agent_end" &&
            shownRuns.has(event.runId ?? ""),
        ),
      )
      const hooks = lifecycle.flatMap((event) => (event._tag === "ObservedLifecycle" ? [event] : []))
      expect(
        hooks.some((event) => event.hook === "session_start" && event.sessionKey === "agent:main:main"),
        JSON.stringify(hooks),
      ).toBe(true)
      expect(
        hooks.some(
          (event) =>
            event.hook === "agent_end" && shownRuns.has(event.runId ?? "") && event.detail.success === "true",
        ),
        JSON.stringify(hooks),
      ).toBe(true)
      // The scripted model was asked, and saw the events in its prompt. The prompt hook fires
      // before the request reaches the model: wait (bounded) for the request to arrive.
      const askedAll = () => {
        const asked = JSON.stringify(gateway.model.requests)
        return texts.every((text) => asked.includes(text))
      }
      for (let waited = 0; waited < 30_000 && !askedAll(); waited += 100)
        await new Promise((resolve) => setTimeout(resolve, 100))
      const asked = JSON.stringify(gateway.model.requests)
      for (const text of texts) expect(asked).toContain(text)
    }, 120_000)

    if (options.cron !== undefined) cronExecTests(() => observed as ObservedGateway, options.cron)
    else latestAuditTests(() => observed as ObservedGateway)
  }, [version])
}
