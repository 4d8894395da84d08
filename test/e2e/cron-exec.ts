/**
 * The seed's bug on a real gateway: an isolated cron run's agent starts a shell command in the
 * background (`exec`, `background: true`) and ends its turn; the command finishes; OpenClaw
 * enqueues its completion (`Exec completed (…) :: …`, untrusted) and asks for a heartbeat.
 * Where it is queued, and whether a heartbeat drains it, is what 2026.5.7 and 2026.5.12
 * disagree on.
 *
 * What the real releases do (read in their dist/, seen here):
 * - The job keeps the default delivery (announce): with `--no-deliver` OpenClaw turns the run's
 *   exec `notifyOnExit` off and no completion is ever queued. The run then ends `error`
 *   (nowhere to announce to), which does not matter here.
 * - The completion's wake has intent "event": once the agent's heartbeat has run, such a wake is
 *   deferred — dropped, not retried — until the next scheduled heartbeat is due and 30 s have
 *   passed since the last run (`shouldDeferWake`). A scheduled heartbeat does not look at exec
 *   completions at all; an exec-event, cron or wake-payload heartbeat does (`reason: "wake"`,
 *   which `openclaw system event --mode now` sends, never deferred). Every heartbeat of a
 *   wake without a session key runs on the agent's main key.
 * - 2026.5.7 queues under the run's key `agent:<id>:cron:<job>:run:<run>`: the main heartbeat
 *   never looks there, and the completion is stranded. (Only a wake that is not deferred —
 *   the first of a gateway whose heartbeat never ran, or one that comes when a heartbeat is
 *   due — runs a heartbeat on the run's key, in a throwaway session, and drains it there.)
 * - 2026.5.12 queues under the agent's main key, and the next main heartbeat that looks
 *   consumes it.
 */
import { expect } from "vitest"
import type { ObservedEvent } from "../../domain/observed-events.ts"
import type { ObservedGateway } from "./observed-gateway.ts"
import { waitForObserved } from "./observed-store.ts"
import { contentText, type Script } from "./scripted-model.ts"

type ObservedEnqueued = Extract<ObservedEvent, { readonly _tag: "ObservedEnqueued" }>
type ObservedPromptBuilt = Extract<ObservedEvent, { readonly _tag: "ObservedPromptBuilt" }>

/** What the cron prompt says: the marker names the run's command and its output. */
const CRON_MESSAGE = /E2E-CRON ([a-z0-9-]+)/

/** The output the background command prints for `marker`. */
export const execOutput = (marker: string): string => `e2e-exec-done ${marker}`

/**
 * The model's script: a cron prompt `E2E-CRON <marker>` gets one background `exec` tool call,
 * the tool's answer ("Command still running…") a short final answer that ends the turn;
 * everything else (heartbeats) `HEARTBEAT_OK`.
 */
export const cronExecScript: Script = (request) => {
  const last = request.messages[request.messages.length - 1]
  const said = last?.role === "user" ? contentText(last.content) : ""
  const marker = CRON_MESSAGE.exec(said)?.[1]
  if (marker !== undefined)
    return {
      _tag: "ToolCall",
      name: "exec",
      // It prints something: a silent success is not notified (notifyOnExitEmptySuccess).
      arguments: { command: `sleep 2; echo ${execOutput(marker)}`, background: true },
    }
  if (last?.role === "tool") return { _tag: "Text", text: "Started it." }
  // The heartbeat's exec prompt with the completion's text (a deliverable channel): relay it.
  const relayed = said.match(/^Exec completed \([^)]*\) :: (.*)$/m)?.[1]
  if (relayed !== undefined) return { _tag: "Text", text: `The background job printed: ${relayed}` }
  return { _tag: "Text", text: "HEARTBEAT_OK" }
}

export interface CronExecRun {
  readonly jobId: string
  /** The completion as the plugin saw it queued. */
  readonly enqueued: ObservedEnqueued
  /** The text of the wake sent after it (`openclaw system event --mode now`). */
  readonly wakeText: string
  /** When the wake's text left the main queue: the main heartbeat the wake ran took it. */
  readonly wakeTakenAt: number
  /** The heartbeat prompt that showed the wake's text, if one did (see cron-exec-tests.ts). */
  readonly wakeHeartbeat: ObservedPromptBuilt | undefined
  /** When the completion left its queue, if it did. */
  readonly removedAt: number | undefined
  readonly events: ReadonlyArray<ObservedEvent>
}

const jsonOf = (stdout: string): unknown => JSON.parse(stdout.slice(stdout.indexOf("{")))

const removedAt = (events: ReadonlyArray<ObservedEvent>, observationId: string) =>
  events.find((event) => event._tag === "ObservedRemoved" && event.observationId === observationId)?.at

/**
 * Adds a one-shot isolated job through `openclaw cron add`, runs it now with `openclaw cron run`,
 * and waits until its command's completion is queued. Its own wake is deferred (the heartbeat
 * ran before): an operator's `openclaw system event --mode now` then runs the main heartbeat,
 * which inspects the main queue (a wake payload does). Resolves once that heartbeat took the
 * wake's text and the completion left its queue or stayed a few seconds after (more when
 * the heartbeat delivers to a user).
 */
export async function runCronExec(gateway: ObservedGateway, marker: string): Promise<CronExecRun> {
  // A heartbeat that delivers (IRC) removes the completion only once its reply is sent: a model
  // call and an IRC send later, which on a loaded 2-core CI machine took over 20 s once.
  const settleMs = gateway.irc === undefined ? 5_000 : 60_000
  const add = await gateway.gatewayCli([
    "cron",
    "add",
    "--name",
    `e2e-${marker}`,
    "--at",
    "10m",
    "--session",
    "isolated",
    "--message",
    `E2E-CRON ${marker}: start the background job`,
    "--json",
  ])
  expect(add.code, add.stdout + add.stderr).toBe(0)
  const job = jsonOf(add.stdout) as { readonly id?: string; readonly job?: { readonly id?: string } }
  const jobId = job.id ?? job.job?.id
  expect(jobId, add.stdout).toBeTypeOf("string")
  const run = await gateway.gatewayCli(["cron", "run", jobId as string])
  expect(run.code, run.stdout + run.stderr).toBe(0)

  const output = execOutput(marker)
  const completion = (events: ReadonlyArray<ObservedEvent>) =>
    events.find(
      (event): event is ObservedEnqueued =>
        event._tag === "ObservedEnqueued" && event.entry.text.endsWith(output),
    )
  const queued = await waitForObserved(gateway.storeUrl, (events) => completion(events) !== undefined, 90_000)
  const enqueued = completion(queued)
  expect(enqueued, `no completion of ${marker} observed: ${JSON.stringify(queued)}`).toBeDefined()
  const entry = enqueued as ObservedEnqueued

  const wakeText = `e2e wake after ${marker}`
  const woken = await gateway.systemEvent(wakeText, "now")
  expect(woken.code, woken.output).toBe(0)
  const wakeEntry = (events: ReadonlyArray<ObservedEvent>) =>
    events.find(
      (event): event is ObservedEnqueued =>
        event._tag === "ObservedEnqueued" && event.entry.text === wakeText,
    )
  const wakeHeartbeat = (events: ReadonlyArray<ObservedEvent>) =>
    events.find(
      (event): event is ObservedPromptBuilt =>
        event._tag === "ObservedPromptBuilt" &&
        event.trigger === "heartbeat" &&
        event.shown.some((line) => line.text === wakeText),
    )
  // The wake's heartbeat took its text from the main queue: give the completion a few seconds more.
  const settled = (events: ReadonlyArray<ObservedEvent>) => {
    const wake = wakeEntry(events)
    const taken = wake === undefined ? undefined : removedAt(events, wake.observationId)
    if (taken === undefined) return false
    return removedAt(events, entry.observationId) !== undefined || Date.now() - taken > settleMs
  }
  const events = await waitForObserved(gateway.storeUrl, settled, 120_000)
  const wake = wakeEntry(events)
  const wakeTakenAt = wake === undefined ? undefined : removedAt(events, wake.observationId)
  expect(wakeTakenAt, `the wake's text never left the main queue: ${JSON.stringify(events)}`).toBeDefined()
  return {
    jobId: jobId as string,
    enqueued: entry,
    wakeText,
    wakeTakenAt: wakeTakenAt as number,
    wakeHeartbeat: wakeHeartbeat(events),
    removedAt: removedAt(events, entry.observationId),
    events,
  }
}

/** `agent:main:cron:<jobId>:run:<runId>`: the key an isolated run of the job runs under. */
export const isRunKeyOf = (jobId: string, key: string): boolean =>
  new RegExp(`^agent:main:cron:${jobId}:run:[^:]+$`).test(key)
