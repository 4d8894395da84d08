/**
 * The EventStoreDB/KurrentDB clients are optional peer dependencies: when a URL needs one that
 * is not installed, the error names the package and the command that installs it.
 */
import { describe, expect, it } from "vitest"
import { importClient } from "../../infrastructure/stores/esdb-driver.ts"

describe("an EventStoreDB client that is not installed", () => {
  it("is named, with the command that installs it", async () => {
    const name = "@heartbeat-ledger/no-such-client"
    await expect(importClient(name, "esdb:", () => import(name))).rejects.toThrow(
      `esdb: stores need the package ${name}, which is not installed (it is an optional peer dependency of heartbeat-ledger): run npm install ${name}`,
    )
  })

  it("other failures of a client that is there pass through unchanged", async () => {
    const failure = new Error("grpc exploded")
    await expect(importClient("@eventstore/db-client", "esdb:", () => Promise.reject(failure))).rejects.toBe(
      failure,
    )
  })
})
