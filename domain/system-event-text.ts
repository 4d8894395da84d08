/** Classifying system-event texts as the heartbeat does (domain.md §5). */

const EXEC_FINISHED_RE = /^exec finished(?::|\s*\()/
// Matched case-insensitively on the text as written (not lower-cased first, which would also
// fold characters such as the Kelvin sign into ASCII), its output spanning lines.
const EXEC_RESULT_RE =
  /^exec (completed|failed) \([a-z0-9_-]{1,64}, (code -?\d+|signal [^)]+)\)(?: :: [\s\S]*)?$/i

export function isExecCompletionEvent(text: string): boolean {
  const trimmed = text.trimStart()
  return EXEC_FINISHED_RE.test(trimmed.trim().toLowerCase()) || EXEC_RESULT_RE.test(trimmed)
}

const HEARTBEAT_OK_RE = /^heartbeat_ok(?![a-z0-9_])/

/** Heartbeat acknowledgements and poll/wake chatter: never worth a prompt of their own. */
export function isHeartbeatNoiseEvent(text: string): boolean {
  const normalized = text.trim().toLowerCase()
  return (
    HEARTBEAT_OK_RE.test(normalized) ||
    normalized.includes("heartbeat poll") ||
    normalized.includes("heartbeat wake")
  )
}

export function isCronSystemEvent(text: string): boolean {
  return text.trim().length > 0 && !isHeartbeatNoiseEvent(text) && !isExecCompletionEvent(text)
}

const BRACKETED_SYSTEM_TAG_RE = /\[\s*(System\s*Message|System|Assistant|Internal)\s*\]/gi
const LINE_SYSTEM_PREFIX_RE = /^(\s*)System:(?=\s|$)/gim

/**
 * OpenClaw's `sanitizeInboundSystemTags`: text a remote party controls (a node's command,
 * output, denial reason) cannot pose as an internal marker — `[System]` becomes `(System)` and a
 * line starting `System:` becomes `System (untrusted):`.
 */
export function sanitizeInboundSystemTags(text: string): string {
  return text
    .replace(BRACKETED_SYSTEM_TAG_RE, (_match, tag: string) => `(${tag})`)
    .replace(LINE_SYSTEM_PREFIX_RE, "$1System (untrusted):")
}
