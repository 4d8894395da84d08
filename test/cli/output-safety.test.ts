/**
 * `audit --html FILE` never destroys a file: not the store it reads (its database, WAL, shared
 * memory, through symlinks and hard links), not somebody's file that is not a report (unless
 * `--force`). Reports are owner-only and say, in a Content-Security-Policy, that they run nothing.
 */
import { createHash } from "node:crypto"
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { CONTENT_SECURITY_POLICY } from "../../infrastructure/cli/audit/render-html.ts"
import { REPORT_MARKER } from "../../infrastructure/cli/audit/report-file.ts"
import { FIXTURE, runCli, tempDir } from "./cli-harness.ts"

const digest = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex")
const mode = (path: string) => statSync(path).mode & 0o777

describe("audit --html FILE", () => {
  const dir = tempDir()
  const ledger = join(dir, "ledger.db")
  const store = `sqlite:${ledger}`
  let auditCode: number | null = null

  beforeAll(async () => {
    expect((await runCli(["import", FIXTURE, "--store", store])).code).toBe(0)
    auditCode = (await runCli(["audit", "--store", store])).code
  })

  const refusedTargets = (): ReadonlyArray<readonly [string, string]> => {
    const linked = join(dir, "linked-dir")
    symlinkSync(dir, linked)
    symlinkSync(ledger, join(dir, "symlink.html"))
    linkSync(ledger, join(dir, "hardlink.html"))
    return [
      ["the store itself", ledger],
      [
        "the store through a relative path with ..",
        join(dir, "..", dir.split("/").at(-1) ?? "", "ledger.db"),
      ],
      ["a symlink to the store", join(dir, "symlink.html")],
      ["a hard link to the store", join(dir, "hardlink.html")],
      ["the store through a symlinked directory", join(linked, "ledger.db")],
      ["the store's WAL (not there between runs)", `${ledger}-wal`],
      ["the store's shared memory", join(linked, "ledger.db-shm")],
    ]
  }

  it("never overwrites the store it reads", async () => {
    const before = digest(ledger)
    for (const [what, target] of refusedTargets()) {
      const listing = readdirSync(dir).sort()
      const result = await runCli(["audit", "--force", "--store", store, "--html", target])
      expect(result.code, what).toBe(2)
      expect(result.stderr, what).toContain("is the store the audit reads")
      expect(digest(ledger), what).toBe(before)
      expect(readdirSync(dir).sort(), what).toEqual(listing)
    }
    // And the store still audits as before.
    expect((await runCli(["audit", "--store", store])).code).toBe(auditCode)
  })

  it("does not overwrite a file that is not a report, unless --force", async () => {
    const notes = join(dir, "notes.html")
    writeFileSync(notes, "<!doctype html><title>my notes</title>precious\n")
    const refused = await runCli(["audit", "--store", store, "--html", notes])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`${notes} exists and is not a heartbeat-ledger report; pass --force`)
    expect(readFileSync(notes, "utf8")).toContain("precious")

    const forced = await runCli(["audit", "--force", "--store", store, "--html", notes])
    expect(forced.code).toBe(auditCode)
    expect(readFileSync(notes, "utf8")).toContain(REPORT_MARKER)
    expect(mode(notes)).toBe(0o600)

    const directory = join(dir, "a-directory")
    mkdirSync(directory)
    const notAFile = await runCli(["audit", "--force", "--store", store, "--html", directory])
    expect(notAFile.code).toBe(2)
    expect(notAFile.stderr).toContain("is not a regular file")
  })

  it("writes an owner-only report with a Content-Security-Policy, and overwrites its own reports", async () => {
    const report = join(dir, "report.html")
    expect((await runCli(["audit", "--store", store, "--html", report])).code).toBe(auditCode)
    expect(mode(report)).toBe(0o600)
    const html = readFileSync(report, "utf8")
    const head = html.slice(0, html.indexOf("</head>"))
    expect(head).toContain(REPORT_MARKER)
    expect(head).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`)

    // A report of ours made readable by others is replaced, and owner-only again.
    chmodSync(report, 0o644)
    writeFileSync(report, html.replace("</body>", "<p>stale</p></body>"))
    expect((await runCli(["audit", "--store", store, "--html", report])).code).toBe(auditCode)
    expect(readFileSync(report, "utf8")).toBe(html)
    expect(mode(report)).toBe(0o600)
    // Nothing left behind beside it.
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([])
  })
})
