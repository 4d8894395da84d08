import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import type { AuditDocument } from "../../infrastructure/cli/audit/audit-document.ts"
import { escapeHtml } from "../../infrastructure/cli/audit/svg-charts.ts"
import { safeText } from "../../infrastructure/cli/shared/terminal.ts"
import { runCli, sqliteIn, tempDir } from "./cli-harness.ts"
import { HOSTILE_KEY, HOSTILE_TEXTS, hostileImport } from "./hostile-texts.ts"

/** Anything that would reach a terminal as a control: ESC, BEL, CR, other C0/C1, bidi overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

describe("untrusted text, made harmless", () => {
  it("safeText shows control characters as escapes", () => {
    expect(safeText("\u001b[31mred\u0007\r\n\u202e")).toBe("\\x1b[31mred\\x07\\x0d\\x0a\\u202e")
    expect(safeText("plain — ünïcode ✓")).toBe("plain — ünïcode ✓")
  })

  it("escapeHtml leaves no markup", () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    )
  })
})

describe("hostile event texts through the CLI", () => {
  const dir = tempDir()
  const store = sqliteIn(dir)
  const html = join(dir, "report.html")

  beforeAll(async () => {
    const file = join(dir, "hostile.jsonl")
    writeFileSync(file, hostileImport())
    expect((await runCli(["import", file, "--store", store])).code).toBe(0)
  })

  it("never reach the terminal raw, in the audit or in an event's history", async () => {
    const audit = await runCli(["audit", "--store", store, "--html", html])
    expect(audit.code).toBe(1)
    expect(audit.stdout).toContain("Stranded events: 5")
    expect(audit.stdout).toContain("\\x1b[31mRED")
    expect(audit.stdout).toContain("<script>alert(1)</script>")
    expect(audit.stdout).not.toMatch(RAW_CONTROL)
    expect(audit.stderr).not.toMatch(RAW_CONTROL)

    const json = JSON.parse((await runCli(["audit", "--json", "--store", store])).stdout) as AuditDocument
    expect(json.stranded.map((event) => event.text).sort()).toEqual([...HOSTILE_TEXTS].sort())
    const history = await runCli(["inspect", "event", json.stranded[3]?.eventId ?? "", "--store", store])
    expect(history.code).toBe(0)
    expect(history.stdout).not.toMatch(RAW_CONTROL)

    const badAgent = await runCli(["audit", "--agent", "\u001b]0;owned\u0007x", "--store", store])
    expect(badAgent.code).toBe(2)
    expect(badAgent.stderr).not.toMatch(RAW_CONTROL)
  })

  it("never survive as markup in the HTML report", () => {
    const page = readFileSync(html, "utf8")
    expect(page).not.toMatch(/<script/i)
    expect(page).not.toMatch(/<img/i)
    expect(page).not.toMatch(/<h1>pwned/i)
    expect(page).not.toContain("<b>x</b>")
    expect(page.match(/<\/style>/g)).toHaveLength(1)
    expect(page).not.toMatch(RAW_CONTROL)
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
    expect(page).toContain(escapeHtml(HOSTILE_KEY))
    // Self-contained: nothing is fetched.
    expect(page).not.toMatch(/<[^>]*\s(src|href|on\w+)=|@import|url\(/i)
  })
})
