import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
import { Effect, Stream } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import {
  layerSqliteEventStore,
  makeSqliteEventStore,
} from "../../infrastructure/stores/sqlite-event-store.ts"
import { ids, newEvents } from "./contract-context.ts"
import { describeEventStoreContract } from "./event-store-contract.ts"

const root = mkdtempSync(join(tmpdir(), "hbl-sqlite-contract-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describeEventStoreContract("sqlite", () => {
  const path = join(root, "contract", "ledger.db")
  return { run: { layer: layerSqliteEventStore({ path }), processUrl: `sqlite:${path}`, propertyRuns: 20 } }
})

describe("sqlite store file", () => {
  const mode = (path: string) => statSync(path).mode & 0o777

  it("is created owner-only (0600) in an owner-only directory (0700) it creates, in WAL mode", async () => {
    const path = join(root, "private", "nested", "ledger.db")
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const store = yield* makeSqliteEventStore({ path })
          yield* store.append("hbl-perm", newEvents(1), "no-stream")
          expect(mode(path)).toBe(0o600)
          // SQLite gives the WAL the main file's permissions.
          expect(mode(`${path}-wal`)).toBe(0o600)
        }),
      ),
    )
    expect(mode(join(root, "private", "nested"))).toBe(0o700)
    const db = new Database(path, { readonly: true })
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal")
    db.close()
  })

  it("keeps what was appended across a close and a reopen", async () => {
    const path = join(root, "reopen.db")
    const events = newEvents(3)
    const use = <A>(
      f: (store: Effect.Success<ReturnType<typeof makeSqliteEventStore>>) => Effect.Effect<A, unknown>,
    ) => Effect.runPromise(Effect.scoped(Effect.flatMap(makeSqliteEventStore({ path }), f)))
    await use((store) => store.append("hbl-reopen", events, "no-stream"))
    const read = await use((store) => Stream.runCollect(store.readStream("hbl-reopen")))
    expect(ids(read)).toEqual(ids(events))
    expect(read.map((event) => event.position)).toEqual([1, 2, 3])
  })

  it("names the file and what to do when it cannot be opened", async () => {
    // A regular file where a directory should be: no directory can be created under it.
    const blocker = join(root, "not-a-directory")
    writeFileSync(blocker, "")
    const path = join(blocker, "ledger.db")
    const error = await Effect.runPromise(Effect.flip(Effect.scoped(makeSqliteEventStore({ path }))))
    expect(error._tag).toBe("StoreUnavailable")
    expect(error.message).toContain(`sqlite:${path}`)
    expect(error.message).toMatch(/choose another store/)
  })
})
