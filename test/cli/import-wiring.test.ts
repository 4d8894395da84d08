/**
 * The import format's source fields that reach the recorded entry, through a spawned `import`:
 * an exec exit's reason, backgrounding and delivery context, an ACP notice's child session and
 * delivery context, a node event's notify switches, its gateway config (the line's policy) and
 * the repeated-run rule. Bad values are refused with file, line and field, nothing written.
 */
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runCli, sqliteIn, tempDir } from "./cli-harness.ts"

const line = (fields: Record<string, unknown>) => JSON.stringify(fields)
const at = (minutes: number) => new Date(Date.UTC(2026, 4, 12, 9, minutes)).toISOString()
const exit = {
  source: "exec-exit",
  sessionKey: "agent:main:main",
  policy: {},
  processId: "3f9a1c2e77d0",
  exitCode: 0,
  output: "slow",
}
const node = {
  source: "node-event",
  sessionKey: "agent:main:cron:nightly:run:r1",
  policy: { mainKey: "work" },
  event: "exec.finished",
  nodeId: "n1",
  runId: "r1",
  exitCode: 1,
}

interface Exported {
  readonly type: string
  readonly data: { queueKey?: string; text?: string; deliveryContext?: unknown; at?: number }
}

const importLines = async (rows: ReadonlyArray<string>) => {
  const dir = tempDir()
  const file = join(dir, "gateway.jsonl")
  writeFileSync(file, `${rows.join("\n")}\n`)
  const store = sqliteIn(dir)
  const result = await runCli(["import", file, "--store", store])
  return { dir, file, store, result }
}

describe("import: source fields wired to the entry", () => {
  it("records what the new fields say, and drops a node's repeated run", async () => {
    const { store, result } = await importLines([
      line({
        ...exit,
        at: at(0),
        exitReason: "overall-timeout",
        deliveryContext: { channel: " Slack ", to: "C1" },
      }),
      line({ ...exit, at: at(1), backgrounded: false }),
      line({ ...node, at: at(2) }),
      // The same session and run 5 minutes later: the gateway drops it.
      line({ ...node, at: at(7), output: "again" }),
      line({ ...node, at: at(8), runId: "r2", notifyOnExit: false }),
      line({ ...node, at: at(9), runId: "r3", suppressNotifyOnExit: true }),
      line({
        source: "acp-relay",
        at: at(10),
        sessionKey: "agent:main:main",
        policy: {},
        runId: "run-1",
        label: "codex",
        phase: "start",
        childSessionKey: "agent:codex:acp:1",
        deliveryContext: { channel: "telegram", to: "42", threadId: 7 },
      }),
    ])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("7 source calls (4 silent)")
    const exported = await runCli(["export", "--store", store])
    const enqueued = exported.stdout
      .trim()
      .split("\n")
      .map((row) => JSON.parse(row) as Exported)
      .filter((event) => event.type === "SystemEventEnqueued")
      .map(({ data }) => ({
        queueKey: data.queueKey,
        text: data.text,
        deliveryContext: data.deliveryContext,
      }))
    expect(enqueued).toEqual([
      {
        queueKey: "agent:main:main",
        text: "Exec failed (3f9a1c2e, code 0) :: slow",
        deliveryContext: { channel: "slack", to: "C1" },
      },
      // The cron run's node event goes to the main session the line's policy names.
      {
        queueKey: "agent:main:work",
        text: "Exec finished (node=n1 id=r1, code 1)",
        deliveryContext: undefined,
      },
      {
        queueKey: "agent:main:main",
        text: "Started codex session agent:codex:acp:1. Streaming progress updates to parent session.",
        deliveryContext: { channel: "telegram", to: "42", threadId: 7 },
      },
    ])
  })

  it("refuses bad values of the new fields by file, line and field, writing nothing", async () => {
    const { file, dir, result } = await importLines([
      line({ ...exit, at: at(0), exitReason: "boom" }),
      line({ ...exit, at: at(0), deliveryContext: { channel: 5 } }),
      line({ ...exit, at: at(0), deliveryContext: { to: "a\u0000b" } }),
      line({ ...node, at: at(0), notifyOnExit: "no" }),
      line({ ...exit, at: at(0), backgrounded: 1 }),
      line({ ...exit, at: at(0), deliveryContext: { chanel: "slack" } }),
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(new RegExp(`${file}:1: exitReason: .*\\(got "boom"\\)`))
    expect(result.stderr).toMatch(new RegExp(`${file}:2: deliveryContext.channel: .*\\(got 5\\)`))
    expect(result.stderr).toContain(`${file}:3: deliveryContext.to: `)
    expect(result.stderr).toMatch(new RegExp(`${file}:4: notifyOnExit: .*\\(got "no"\\)`))
    expect(result.stderr).toMatch(new RegExp(`${file}:5: backgrounded: .*\\(got 1\\)`))
    expect(result.stderr).toContain(`${file}:6: deliveryContext.chanel: `)
    expect(result.stderr).toContain("nothing was imported")
    expect(existsSync(join(dir, "ledger.db"))).toBe(false)
  })

  it("refuses a relay's stream lines (`input`): their timers span lines, which one line's commit cannot hold", async () => {
    const { file, result, dir } = await importLines([
      line({ ...exit, at: at(0) }),
      line({
        source: "acp-relay",
        runId: "acp-1",
        at: at(1),
        input: "start",
        sessionKey: "agent:main:main",
        policy: {},
        agentId: "codex",
      }),
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`${file}:2: input: acp-relay stream lines are not importable`)
    expect(existsSync(join(dir, "ledger.db"))).toBe(false)
  })
})
