/**
 * `describeOracle(name, fn)`: a describe block that runs against the installed releases, prints
 * a visible SKIP line where they are not installed locally, and fails in CI where they must be.
 */
import { describe, expect, it } from "vitest"
import { oracleSetup } from "./load.ts"
import { PINNED_RELEASES } from "./releases.ts"

export function describeOracle(
  name: string,
  body: () => void,
  versions: ReadonlyArray<string> = PINNED_RELEASES,
): void {
  const setup = oracleSetup(versions)
  switch (setup._tag) {
    case "Ready":
      describe(name, body)
      return
    case "Skip":
      console.log(`SKIP oracle ${name}: ${setup.reason}`)
      describe.skip(name, body)
      return
    case "Fail":
      describe(name, () => {
        it("has the pinned OpenClaw releases installed", () => {
          expect.fail(setup.reason)
        })
      })
  }
}
