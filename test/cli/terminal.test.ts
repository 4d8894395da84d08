import { describe, expect, it } from "vitest"
import { formatDuration } from "../../infrastructure/cli/shared/format.ts"
import { progressLine, startProgress } from "../../infrastructure/cli/shared/progress.ts"
import { colourWanted, makeColours } from "../../infrastructure/cli/shared/terminal.ts"

const fakeStream = (isTTY: boolean) => {
  const written: string[] = []
  const stream = { isTTY, columns: 120, write: (chunk: string) => written.push(chunk) > 0 }
  return { stream: stream as unknown as NodeJS.WriteStream, written }
}

describe("terminal output", () => {
  it("colours only a TTY, and never with NO_COLOR", () => {
    expect(colourWanted({ isTTY: true }, {})).toBe(true)
    expect(colourWanted({ isTTY: false }, {})).toBe(false)
    expect(colourWanted({ isTTY: true }, { NO_COLOR: "1" })).toBe(false)
    expect(makeColours(false).red("x")).toBe("x")
    expect(makeColours(true).red("x")).toBe("\u001b[31mx\u001b[39m")
  })

  it("draws a progress bar with rate and ETA, on a TTY only", () => {
    expect(progressLine("importing", 250, 1000, 500)).toBe(
      "importing [██████░░░░░░░░░░░░░░░░░░]  25% 250/1000 500/s ETA 2s",
    )
    expect(progressLine("validating", 12_000, undefined, 2000)).toBe("validating 12.0k 6000/s")

    const tty = fakeStream(true)
    let now = 0
    const progress = startProgress("replaying", 10, tty.stream, () => now)
    now = 200
    progress.tick(5)
    now = 250
    progress.tick(6) // within 100 ms of the last draw: skipped
    progress.done()
    expect(tty.written).toHaveLength(2)
    expect(tty.written[0]).toContain(" 50% 5/10")
    expect(tty.written[1]).toBe("\r\u001b[K")

    const pipe = fakeStream(false)
    const quiet = startProgress("replaying", 10, pipe.stream, () => now)
    quiet.tick(10)
    quiet.done()
    expect(pipe.written).toEqual([])
  })

  it("formats latencies for people", () => {
    expect([850, 2400, 45_000, 185_000, 7_800_000].map(formatDuration)).toEqual([
      "850ms",
      "2.4s",
      "45s",
      "3m05s",
      "2h10m",
    ])
  })
})
