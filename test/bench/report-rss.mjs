// Preloaded (`node --import`) into the CLI processes the memory bench starts: at exit each one
// appends its peak RSS to $HBL_BENCH_RSS_FILE. The launcher execs into the CLI (same process,
// its Node flags passed on), so one report covers both.
import { appendFileSync } from "node:fs"

const file = process.env.HBL_BENCH_RSS_FILE
if (file) {
  process.on("exit", () => {
    appendFileSync(
      file,
      `${JSON.stringify({ pid: process.pid, execArgv: process.execArgv, maxRss: process.resourceUsage().maxRSS * 1024 })}\n`,
    )
  })
}
