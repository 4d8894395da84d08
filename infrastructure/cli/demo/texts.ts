/**
 * What a gateway day talks about: cron jobs with the commands they run and what those print,
 * spawned coding agents, paired nodes, webhooks. Only used by the demo, to make its texts
 * look like a real gateway's.
 */

export interface ExecScript {
  readonly command: string
  /** Output tail of a successful run; empty means it prints nothing. */
  readonly ok: string
  readonly failCode: number
  readonly fail: string
}

export interface CronJob {
  readonly id: string
  readonly execs: ReadonlyArray<ExecScript>
  /** What the job says in its agent's main session (a cron main-session job). */
  readonly notice: string
}

const exec = (command: string, ok: string, failCode: number, fail: string): ExecScript => ({
  command,
  ok,
  failCode,
  fail,
})

export const CRON_JOBS: ReadonlyArray<CronJob> = [
  {
    id: "nightly-backup",
    execs: [
      exec(
        "restic backup /srv --tag nightly",
        "Files: 1284 new, 312 changed, 48211 unmodified\nAdded to the repository: 1.204 GiB (402.113 MiB stored)\nprocessed 49807 files, 38.218 GiB in 4:12\nsnapshot 3f9a1c2e saved",
        3,
        "Fatal: unable to open repository at s3:s3.eu-central-1.amazonaws.com/backups-prod: Access Denied",
      ),
      exec(
        "restic forget --keep-daily 7 --keep-weekly 4 --prune",
        "keep 11 snapshots\nremove 2 snapshots\n[0:03] 100.00%  2 / 2 files deleted\ndone",
        1,
        "unable to create lock in backend: repository is already locked by PID 20211 on backup-01",
      ),
    ],
    notice: "Nightly backup finished: 38.2 GiB processed, snapshot 3f9a1c2e saved.",
  },
  {
    id: "cert-renewal",
    execs: [
      exec(
        "certbot renew --quiet --deploy-hook 'systemctl reload nginx'",
        "",
        1,
        "Challenge failed for domain status.example.com: 403 Forbidden (http-01)",
      ),
    ],
    notice: "TLS certificates checked: 6 valid, next expiry in 41 days (api.example.com).",
  },
  {
    id: "dep-audit",
    execs: [
      exec(
        "pnpm audit --prod --json",
        '{"advisories":{},"metadata":{"vulnerabilities":{"info":0,"low":1,"moderate":0,"high":0,"critical":0},"dependencies":1422}}',
        1,
        "1 high severity vulnerability: undici <6.21.1 (GHSA-c76h-2ccp-4975) via @octokit/rest",
      ),
      exec(
        "pnpm test --filter api",
        "Test Files  48 passed (48)\n     Tests  612 passed (612)\n  Duration  41.32s",
        1,
        "FAIL src/routes/billing.test.ts > refunds > rejects a partial refund above the captured amount\nAssertionError: expected 402 to be 200",
      ),
    ],
    notice: "Dependency audit: 1,422 packages, 1 low advisory, nothing to patch today.",
  },
  {
    id: "paper-digest",
    execs: [
      exec(
        "python scripts/fetch_arxiv.py --cat cs.DC --since 24h",
        "fetched 37 papers (cs.DC), 5 match the watchlist: consensus, CRDT, event sourcing",
        2,
        "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='export.arxiv.org', port=443): Read timed out. (read timeout=30)",
      ),
    ],
    notice: "Paper digest ready: 5 of 37 new cs.DC papers match your watchlist.",
  },
  {
    id: "index-refresh",
    execs: [
      exec(
        "python scripts/reindex.py --since 24h",
        "reindexed 18,204 documents into papers-v7 in 96.4s (0 errors)",
        1,
        "elasticsearch.exceptions.ConnectionError: Connection refused (es-2.internal:9200)",
      ),
    ],
    notice: "Search index refreshed: 18,204 documents in papers-v7.",
  },
  {
    id: "ticket-triage",
    execs: [
      exec(
        "gh issue list --label needs-triage --json number,title --limit 50",
        '[{"number":4812,"title":"Cron completions never reach the agent"},{"number":4815,"title":"Heartbeat skipped while lanes busy"}]',
        1,
        "HTTP 401: Bad credentials (https://api.github.com/graphql)",
      ),
    ],
    notice: "Triage queue: 2 new issues labelled needs-triage (#4812, #4815).",
  },
  {
    id: "sla-report",
    execs: [
      exec(
        "psql -X -f sql/sla_report.sql -o reports/sla.csv",
        "COPY 412",
        2,
        'psql: error: connection to server at "db-replica-1" (10.0.3.14), port 5432 failed: timeout expired',
      ),
    ],
    notice: "SLA report: 412 tickets, 97.3% answered within 4h, 3 breaches (all P2).",
  },
  {
    id: "invoice-run",
    execs: [
      exec(
        "stripe invoices finalize --all-pending",
        "finalized 37 invoices (EUR 18,420.00), 2 require action: in_1QZx8a, in_1QZx9c",
        1,
        "StripeRateLimitError: Too many requests hit the API too quickly (request req_8Kd1)",
      ),
    ],
    notice: "Invoice run done: 37 finalized, 2 need a payment method update.",
  },
  {
    id: "release-train",
    execs: [
      exec(
        "kubectl rollout status deploy/api -n prod --timeout=5m",
        'deployment "api" successfully rolled out',
        1,
        'error: deployment "api" exceeded its progress deadline',
      ),
      exec(
        "rsync -az --delete build/ deploy@web-2:/srv/app/",
        "sent 18.42M bytes  received 2.31K bytes  3.68M bytes/sec\ntotal size is 212.55M  speedup is 11.54",
        23,
        "rsync: [sender] write error: Broken pipe (32)\nrsync error: some files/attrs were not transferred (code 23)",
      ),
    ],
    notice: "Release train 2025.06.2 is rolling out to prod (api, web, worker).",
  },
  {
    id: "log-rotate",
    execs: [
      exec(
        "du -sh /var/log/* | sort -h | tail -3",
        "1.1G\t/var/log/journal\n2.4G\t/var/log/nginx\n6.8G\t/var/log/app",
        1,
        "du: cannot read directory '/var/log/private': Permission denied",
      ),
    ],
    notice: "Logs rotated: /var/log/app is at 6.8G, above the 5G budget.",
  },
  {
    id: "inbox-sweep",
    execs: [
      exec(
        "himalaya envelope list --folder INBOX --page-size 20 -o json",
        '[{"id":"9812","subject":"Invoice INV-2291 overdue","from":"billing@vendor.io"},{"id":"9815","subject":"Re: Q3 planning","from":"dana@example.com"}]',
        1,
        "cannot authenticate to IMAP server: AUTHENTICATIONFAILED Invalid credentials (Failure)",
      ),
    ],
    notice: "Inbox sweep: 14 new messages, 2 look urgent (overdue invoice, Q3 planning).",
  },
]

export const JOBS_BY_AGENT: Readonly<Record<string, ReadonlyArray<string>>> = {
  main: ["inbox-sweep", "paper-digest"],
  ops: ["nightly-backup", "cert-renewal", "log-rotate"],
  research: ["paper-digest", "index-refresh"],
  support: ["ticket-triage", "sla-report"],
  billing: ["invoice-run", "sla-report"],
  deploy: ["release-train", "dep-audit"],
}

export const AGENT_NAMES = [
  "main",
  "ops",
  "research",
  "support",
  "billing",
  "deploy",
  "qa",
  "docs",
  "growth",
  "infra",
]

export const ACP_LABELS = ["Codex", "Claude Code", "Gemini CLI"]

export const ACP_PROGRESS = [
  "Reading src/routing/session-key.ts and src/infra/heartbeat-runner.ts",
  "Applied 3 edits to src/infra/heartbeat-runner.ts",
  "Running pnpm test -- heartbeat (128 tests)",
  "All 128 tests passed; 2 snapshots updated",
  "Searching for callers of resolveEventSessionKey (14 matches)",
  "Opened PR #4821: remap cron-run exec events to session keys",
  "Wrote docs/automation/cron-jobs.md (retention section)",
  "Rebasing onto origin/main (3 commits ahead)",
  "Lint clean; type-check clean",
  "Drafted a reply to issue #4812 with reproduction steps",
]

export const ACP_ERRORS = [
  "git push rejected: protected branch main requires a pull request",
  "model overloaded (HTTP 529); gave up after 3 retries",
  "sandbox out of disk space writing node_modules/.pnpm",
]

export const CLI_PROVIDERS = ["claude-cli", "codex", "gemini"]

export const CLI_HINTS = [
  "Last output: Do you want to allow `git push origin HEAD`? (y/n)",
  "Last output: Enter passphrase for key '/home/agent/.ssh/id_ed25519':",
  "",
]

export interface NodeScript {
  readonly command: string
  readonly output: string
  readonly failOutput: string
}

export const NODES = ["mac-studio", "build-01", "pi-garage"]

export const NODE_SCRIPTS: ReadonlyArray<NodeScript> = [
  {
    command: "make -j8 release",
    output: "[100%] Built target gateway\nstrip dist/gateway && du -h dist/gateway: 48M",
    failOutput:
      "ld: error: undefined symbol: ssl_ctx_set_alpn_select_cb\nmake: *** [Makefile:212: gateway] Error 1",
  },
  {
    command: "brew upgrade --cask --greedy",
    output: "==> Upgrading 3 outdated packages: docker 4.41.2, raycast 1.98.1, zed 0.189.5",
    failOutput: "Error: Cask 'docker' requires macOS >= 14 (Sonoma)",
  },
  {
    command: "systemctl restart frigate && journalctl -u frigate -n 2 --no-pager",
    output:
      "frigate[1123]: Starting Frigate (0.15.1)\nfrigate[1123]: Camera driveway: ffmpeg process started",
    failOutput: "Job for frigate.service failed because the control process exited with error code.",
  },
]

export const NODE_DENIALS = ["command not in allowlist", "requires approval: writes outside the workspace"]

export const HOOK_TEXTS = [
  { name: "github", text: "GitHub: PR #4821 approved by @mkrause (2 of 2 reviews), checks green" },
  { name: "stripe", text: "Stripe: invoice in_1QZx8a payment_failed (card_declined), customer cus_Q2kf" },
  { name: "uptime", text: "Uptime: status.example.com is DOWN (HTTP 503) for 2m from 3 regions" },
  { name: "gmail", text: "Gmail: 3 new messages from billing@vendor.io (subject: Invoice INV-2291 overdue)" },
  { name: "calendar", text: "Calendar: 'Q3 planning' moved to 15:30 by dana@example.com" },
]

export const THREAD_REPLIES = [
  "Slack thread reply from @dana: can you re-run it with --verbose and post the log?",
  "Slack thread reply from @mkrause: ship it, I'll watch the canary",
  "Discord reply from kai: the backup bucket moved to eu-west-1 last week",
]

export const TASK_TEXTS = [
  "Background task finished: embeddings refreshed for 2,314 notes (3m12s)",
  "Background task finished: transcript of 'Q3 planning' summarised (4 action items)",
  "Background task failed: OCR of scans/2025-06/receipts.pdf timed out after 120s",
]

export const EXEC_NOTICES = [
  "Exec approval needed: `rm -rf build/ dist/` in /srv/app (waiting 120s)",
  "Exec approval needed: `git push --force-with-lease origin release/2025.06.2`",
  "Exec is still running after 600s: `restic check --read-data-subset=5%`",
]

export const RAW_PLUGIN_NOTICES = [
  "usage-meter: 12,408 tokens billed to this run (claude-sonnet-4)",
  "usage-meter: 3 tool calls throttled by the per-run budget",
]
