/** Who produced a system event (domain.md §6). `api` is a raw call to the low-level queue API. */
export const SOURCE_KINDS = [
  "exec-exit",
  "exec-notice",
  "acp-relay",
  "cli-watchdog",
  "node-event",
  "cron",
  "hook",
  "task",
  "api",
] as const

export type SourceKind = (typeof SOURCE_KINDS)[number]
