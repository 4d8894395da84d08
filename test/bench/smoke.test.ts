import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url))

describe("npm run bench --smoke", () => {
  it("runs every section at tiny sizes and prints the results table", () => {
    const child = spawnSync(process.execPath, [MAIN, "--smoke"], { encoding: "utf8", timeout: 60_000 })
    expect(child.stderr).not.toMatch(/Error/)
    expect(child.status).toBe(0)
    expect(child.stdout).toMatch(/\| section\s+\| figure/)
    for (const section of ["append", "replay", "memory", "latency", "decide", "plugin"]) {
      expect(child.stdout).toContain(`| ${section}`)
    }
  })
})
