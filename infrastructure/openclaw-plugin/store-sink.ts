/**
 * The gateway's side of the store thread (store-worker.ts): `append` posts one batch and
 * resolves when the store took it, or rejects with the store's reason. The thread keeps the
 * process alive only while a batch is on its way (an idle observer never holds a gateway up),
 * and is started again if it dies.
 *
 * One case has no thread: the TypeScript source run from under a node_modules folder (OpenClaw
 * 2026.9 copies a linked plugin there), which Node does not strip types for; OpenClaw's own
 * loader runs it, a worker cannot. There the store runs on the gateway's thread, said once.
 */
import { Worker } from "node:worker_threads"
import type { EventData } from "../../application/event-store.ts"
import { LazyStore } from "./lazy-store.ts"
import type { AppendRequest, WorkerReply, WorkerRequest } from "./store-worker.ts"

/** The worker's file beside this one: the TypeScript source in a checkout, the built .js in dist/. */
const workerFile = new URL(
  import.meta.url.endsWith(".ts") ? "./store-worker.ts" : "./store-worker.js",
  import.meta.url,
)

const CLOSE_GRACE_MS = 5_000

/** Whether a worker can run the store: not for TypeScript under node_modules. */
export const storeThreadPossible = (file: URL = workerFile): boolean =>
  !(file.pathname.endsWith(".ts") && file.pathname.includes("/node_modules/"))

export class StoreSink {
  private worker: Worker | undefined
  private seq = 0
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>()

  private readonly storeUrl: string
  private readonly inProcess: LazyStore | undefined

  constructor(storeUrl: string, warn: (message: string) => void, thread: boolean = storeThreadPossible()) {
    this.storeUrl = storeUrl
    if (!thread) {
      this.inProcess = new LazyStore(storeUrl)
      warn(
        "heartbeat-ledger: the store runs on the gateway's thread (TypeScript source under node_modules " +
          "cannot run in a worker): install the built package (npm pack, then plugins install npm-pack:…) instead",
      )
    }
  }

  append(streamId: string, events: ReadonlyArray<EventData>): Promise<void> {
    if (this.inProcess !== undefined) return this.inProcess.append(streamId, events)
    const worker = this.started()
    const seq = ++this.seq
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) worker.ref()
      this.pending.set(seq, { resolve, reject })
      worker.postMessage({ seq, streamId, events } satisfies AppendRequest)
    })
  }

  /** Lets the store close its file or connections, then ends the thread. */
  async close(): Promise<void> {
    await this.inProcess?.close()
    const worker = this.worker
    if (worker === undefined) return
    this.worker = undefined
    worker.ref()
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()))
    worker.postMessage({ close: true } satisfies WorkerRequest)
    const grace = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS)
    grace.unref()
    await exited
    clearTimeout(grace)
  }

  private started(): Worker {
    if (this.worker !== undefined) return this.worker
    const worker = new Worker(workerFile, { workerData: { storeUrl: this.storeUrl } })
    worker.unref()
    worker.on("message", (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.seq)
      if (waiting === undefined) return
      this.pending.delete(reply.seq)
      if (this.pending.size === 0) worker.unref()
      if (reply.ok) waiting.resolve()
      else waiting.reject(new Error(reply.message))
    })
    const failAll = (error: Error) => {
      if (this.worker === worker) this.worker = undefined
      for (const [seq, waiting] of this.pending) {
        this.pending.delete(seq)
        waiting.reject(error)
      }
    }
    worker.on("error", failAll)
    worker.on("exit", (code) => failAll(new Error(`the store thread exited (code ${code})`)))
    this.worker = worker
    return worker
  }
}
