/**
 * The store, on a thread of its own. The SQLite driver is synchronous: an append on the
 * gateway's thread would stop the gateway for as long as the file is locked (up to the busy
 * timeout) or an fsync takes. Here it stops only this thread; the gateway's thread posts
 * batches and gets an answer per batch (store-sink.ts).
 */
import { parentPort, workerData } from "node:worker_threads"
import type { EventData } from "../../application/event-store.ts"
import { LazyStore } from "./lazy-store.ts"

/** A batch to append, from the gateway's thread. */
export interface AppendRequest {
  readonly seq: number
  readonly streamId: string
  readonly events: ReadonlyArray<EventData>
}

/** The answer to one batch. */
export type WorkerReply =
  | { readonly seq: number; readonly ok: true }
  | { readonly seq: number; readonly ok: false; readonly message: string }

export type WorkerRequest = AppendRequest | { readonly close: true }

const store = new LazyStore((workerData as { readonly storeUrl: string }).storeUrl)

// One request at a time, in order: the batches of one stream must land in the order posted.
let queue: Promise<void> = Promise.resolve()

parentPort?.on("message", (request: WorkerRequest) => {
  queue = queue.then(async () => {
    if ("close" in request) {
      await store.close()
      parentPort?.close()
      return
    }
    try {
      await store.append(request.streamId, request.events)
      parentPort?.postMessage({ seq: request.seq, ok: true } satisfies WorkerReply)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      parentPort?.postMessage({ seq: request.seq, ok: false, message } satisfies WorkerReply)
    }
  })
})
