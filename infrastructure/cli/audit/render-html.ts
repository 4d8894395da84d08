/** Placeholder until the HTML report lands. */
import type { AuditRun } from "./run-audit.ts"
export const renderHtmlReport = (run: AuditRun): string =>
  `<!doctype html><title>audit</title><pre>${run.document.totals.stranded}</pre>`
