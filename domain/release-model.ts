/**
 * Which of our routings models a published OpenClaw release: the fix (PR #80214) shipped in
 * 2026.5.12, so every earlier release routes the legacy way. A version we cannot read is
 * modelled by the newest routing, and said to be a guess.
 */
import type { RoutingName } from "./routing.ts"

export const FIRST_FIXED_RELEASE = "2026.5.12"

/** `2026.5.12` → [2026, 5, 12]; a pre-release or build suffix is ignored; undefined if unreadable. */
const versionParts = (version: string): ReadonlyArray<number> | undefined => {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim())
  return match === null ? undefined : [Number(match[1]), Number(match[2]), Number(match[3])]
}

export interface ReleaseModel {
  readonly routing: RoutingName
  /** False when the version could not be read (then the fixed routing is assumed). */
  readonly known: boolean
}

export function modelOfRelease(version: string): ReleaseModel {
  const parts = versionParts(version)
  const first = versionParts(FIRST_FIXED_RELEASE) as ReadonlyArray<number>
  if (parts === undefined) return { routing: "fixed", known: false }
  for (let i = 0; i < 3; i++) {
    const a = parts[i] as number
    const b = first[i] as number
    if (a !== b) return { routing: a < b ? "legacy" : "fixed", known: true }
  }
  return { routing: "fixed", known: true }
}
