/**
 * Opens the HTML report in real headless Chromium (Debian's `chromium`) and checks what it
 * renders: the charts, the totals, and no element an event text smuggled in.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { AuditDocument } from "../../infrastructure/cli/audit/audit-document.ts"
import { CONTENT_SECURITY_POLICY } from "../../infrastructure/cli/audit/render-html.ts"
import { runCli, sqliteIn, tempDir } from "./cli-harness.ts"
import { hostileImport } from "./hostile-texts.ts"

const CHROMIUM = "/usr/bin/chromium"
const hasChromium = spawnSync(CHROMIUM, ["--version"]).status === 0

/** The DOM Chromium built from `file`, and what it logged (console messages: CSP violations). */
const dumpDom = (file: string): { readonly dom: string; readonly log: string } => {
  const run = spawnSync(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--enable-logging=stderr",
      "--v=0",
      `--user-data-dir=${mkdtempSync(join(tmpdir(), "hbl-chromium-"))}`,
      "--dump-dom",
      `file://${file}`,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 },
  )
  if (run.status !== 0) throw new Error(`chromium exited ${run.status}: ${run.stderr.slice(-2000)}`)
  return { dom: run.stdout, log: run.stderr }
}

describe.skipIf(!hasChromium)("the HTML report in headless Chromium", () => {
  it("renders the charts, the totals and the what-if, and runs nothing", async () => {
    const dir = tempDir()
    const store = sqliteIn(dir)
    expect((await runCli(["demo", "--agents", "3", "--runs", "3", "--store", store])).code).toBe(0)
    // Hostile texts in the same log, stranded so that the report lists them.
    const file = join(dir, "hostile.jsonl")
    writeFileSync(file, hostileImport())
    expect((await runCli(["import", file, "--store", store])).code).toBe(0)
    const html = join(dir, "report.html")
    const audit = await runCli(["audit", "--routing", "legacy", "--html", html, "--json", "--store", store])
    expect(audit.code).toBe(1)
    const document = JSON.parse(audit.stdout) as AuditDocument

    const { dom, log } = dumpDom(html)
    // The report's Content-Security-Policy is in force and blocks nothing it needs (its styles).
    expect(dom).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`)
    expect(log).not.toMatch(/Content Security Policy/)
    // One fate chart, a depth chart per agent, a latency histogram per source.
    const charts = dom.match(/<svg class="chart"/g) ?? []
    expect(charts.length).toBeGreaterThanOrEqual(1 + document.agents.length + 3)
    expect(dom).toMatch(/<rect [^>]*fill="#2e7d32"/)
    expect(dom).toMatch(/<path d="M/)
    const strandedCards = [...dom.matchAll(/data-total="stranded"><div class="n">([\d,]+)</g)].map(
      (m) => m[1],
    )
    expect(strandedCards).toEqual([
      String(document.recorded?.totals.stranded),
      String(document.totals.stranded),
    ])
    expect(dom).toContain("Would have been stranded under legacy routing")
    expect(dom).not.toMatch(/<script|<img|<[^>]*\son\w+=/i)
    expect(dom).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
  })
})
