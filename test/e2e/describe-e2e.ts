/**
 * `describeE2e(version, name, fn)`: a describe block that starts real gateways of an installed
 * release; a visible SKIP line locally when the release is not installed, a failure in CI.
 */
import { describe, expect, it } from "vitest"
import { oracleSetup } from "../oracle/load.ts"

export function describeE2e(version: string, name: string, body: () => void): void {
  const setup = oracleSetup([version])
  switch (setup._tag) {
    case "Ready":
      describe(name, body)
      return
    case "Skip":
      console.log(`SKIP e2e ${name}: ${setup.reason}`)
      describe.skip(name, body)
      return
    case "Fail":
      describe(name, () => {
        it(`has openclaw@${version} installed`, () => {
          expect.fail(setup.reason)
        })
      })
  }
}
