import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { EventStore } from "../../application/event-store.ts"
import { DEFAULT_STORE_URL, maskStoreUrl, parseStoreUrl } from "../../infrastructure/store-url.ts"
import { layerEventStoreFromUrl, resolveStoreUrl } from "../../infrastructure/stores/store-layer.ts"

const parse = (url: string) => Effect.runPromise(parseStoreUrl(url))
const parseError = (url: string) => Effect.runPromise(Effect.flip(parseStoreUrl(url)))
/** The error of starting the store at `url`. */
const startError = (url: string) =>
  Effect.runPromise(Effect.flip(Effect.scoped(Layer.build(layerEventStoreFromUrl(url)))))

const root = mkdtempSync(join(tmpdir(), "hbl-store-url-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe("store URLs", () => {
  it("parses every form", async () => {
    expect(await parse("memory:")).toMatchObject({ _tag: "Memory" })
    expect(await parse("sqlite:.heartbeat-ledger/ledger.db")).toMatchObject({
      _tag: "Sqlite",
      path: ".heartbeat-ledger/ledger.db",
    })
    expect(await parse("sqlite:///var/lib/hbl.db")).toMatchObject({ _tag: "Sqlite", path: "/var/lib/hbl.db" })
    expect(await parse("postgres://u:pw@db:5432/ledger")).toMatchObject({
      _tag: "Postgres",
      schema: "heartbeat_ledger",
      connectionString: "postgres://u:pw@db:5432/ledger",
      masked: "postgres://u:***@db:5432/ledger",
    })
    expect(await parse("postgresql://u@db/ledger?schema=tenant_1&sslmode=require")).toMatchObject({
      _tag: "Postgres",
      schema: "tenant_1",
      connectionString: "postgresql://u@db/ledger?sslmode=verify-full",
    })
    expect(await parse("esdb://admin:changeit@localhost:2113?tls=false")).toMatchObject({
      _tag: "Esdb",
      client: "eventstore",
      masked: "esdb://admin:***@localhost:2113?tls=false",
    })
    expect(await parse("kurrentdb://localhost:2113?tls=false")).toMatchObject({
      _tag: "Esdb",
      client: "kurrent",
    })
  })

  it("refuses malformed URLs with a message naming the URL, its password masked, and the forms to use", async () => {
    for (const url of [
      "",
      "ledger.db",
      "mysql://u:secret@h/db",
      "memory:x",
      "sqlite:",
      "postgres://u:secret@/db",
      "postgres://u:secret@h/db?schema=Robert';DROP",
      "kurrentdb://",
    ]) {
      const error = await parseError(url)
      expect(error._tag).toBe("InvalidStoreUrl")
      expect(error.message).not.toContain("secret")
      expect(error.message).toContain("--store or HEARTBEAT_LEDGER_STORE")
    }
  })

  it("masks passwords wherever they are", () => {
    expect(maskStoreUrl("postgres://me:p%40ss@h/db")).toBe("postgres://me:***@h/db")
    expect(maskStoreUrl("postgres://h/db?user=me&password=hunter2")).toBe(
      "postgres://h/db?user=me&password=***",
    )
    expect(maskStoreUrl("sqlite:a.db")).toBe("sqlite:a.db")
  })

  it("takes the flag, else HEARTBEAT_LEDGER_STORE, else the embedded default", () => {
    const env = { HEARTBEAT_LEDGER_STORE: "memory:" }
    expect(resolveStoreUrl("sqlite:flag.db", env)).toBe("sqlite:flag.db")
    expect(resolveStoreUrl(undefined, env)).toBe("memory:")
    expect(resolveStoreUrl("  ", env)).toBe("memory:")
    expect(resolveStoreUrl(undefined, {})).toBe(DEFAULT_STORE_URL)
    expect(DEFAULT_STORE_URL).toBe("sqlite:.heartbeat-ledger/ledger.db")
  })
})

describe("starting a store from its URL", () => {
  it("a malformed URL fails at start with InvalidStoreUrl", async () => {
    expect(await startError("nope://x")).toMatchObject({ _tag: "InvalidStoreUrl" })
  })

  it("an unreachable PostgreSQL fails at start, naming the masked URL and what to check", async () => {
    const error = await startError("postgres://ledger:secret@127.0.0.1:1/ledger")
    expect(error._tag).toBe("StoreUnavailable")
    expect(error.message).toContain("postgres://ledger:***@127.0.0.1:1/ledger")
    expect(error.message).not.toContain("secret")
    expect(error.message).toMatch(/check that PostgreSQL is running/)
  })

  it("an unreachable KurrentDB fails at start, naming the masked URL and what to check", async () => {
    const error = await startError("kurrentdb://admin:secret@127.0.0.1:1?tls=false")
    expect(error._tag).toBe("StoreUnavailable")
    expect(error.message).toContain("kurrentdb://admin:***@127.0.0.1:1?tls=false")
    expect(error.message).not.toContain("secret")
  })

  it("a sqlite: URL creates its directory on first use and opens an empty store", async () => {
    const path = join(root, "fresh", "ledger.db")
    const head = await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* EventStore
        return yield* store.headPosition
      }).pipe(Effect.provide(layerEventStoreFromUrl(`sqlite:${path}`))),
    )
    expect(head).toBe(0)
    expect(statSync(join(root, "fresh")).mode & 0o777).toBe(0o700)
  })
})
