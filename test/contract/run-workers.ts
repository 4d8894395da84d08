/**
 * Runs append workers as separate OS processes (test/contract/fixtures/append-worker.ts) against
 * one store URL. Each opens the store, reports ready, and starts appending only when every worker
 * is ready, so their appends truly overlap.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Acknowledged } from "./expect-consistent-log.ts"

export interface WorkerPlan {
  readonly worker: number
  readonly count: number
  /** Every other event goes here, under optimistic concurrency with the other workers. */
  readonly shared: string
  /** The rest go to this worker's own stream. */
  readonly own: string
  /** Each event goes with a second one to the own stream, in one multi-stream append. */
  readonly multi?: boolean
  /** Two-stream decisions with fixed ids that every worker tries to append (with `any`). */
  readonly contested?: ReadonlyArray<{
    readonly streams: readonly [string, string]
    readonly ids: readonly [string, string]
  }>
}

export interface WorkerReport {
  readonly acknowledged: ReadonlyArray<Acknowledged>
  readonly conflicts: number
  /** Contested decisions this worker's append wrote (the others found them written). */
  readonly contestedWon?: number
}

const WORKER = fileURLToPath(new URL("./fixtures/append-worker.ts", import.meta.url))

export async function runWorkers(
  storeUrl: string,
  plans: ReadonlyArray<WorkerPlan>,
): Promise<WorkerReport[]> {
  const children = plans.map((plan) => {
    // process.execPath: the Node 24 running the tests, which strips the types of the .ts worker.
    const child = spawn(process.execPath, [WORKER, storeUrl, JSON.stringify(plan)], {
      stdio: ["pipe", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    const ready = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8")
        if (stdout.includes("ready\n")) resolve()
      })
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const done = new Promise<WorkerReport>((resolve, reject) => {
      child.on("error", reject)
      child.on("close", (code) => {
        if (code !== 0)
          return reject(new Error(`append worker ${plan.worker} exited with ${code}: ${stderr}`))
        const report = stdout.slice(stdout.indexOf("ready\n") + "ready\n".length)
        resolve(JSON.parse(report) as WorkerReport)
      })
    })
    // A worker that dies before it is ready must fail the run, not hang it.
    return { child, ready: Promise.race([ready, done.then(() => undefined)]), done }
  })
  await Promise.all(children.map((child) => child.ready))
  for (const { child } of children) child.stdin.end("go\n")
  return Promise.all(children.map((child) => child.done))
}
