/**
 * The shapes of the release modules several oracle tests call, narrowed to what they pass:
 * system-events (`src/infra/system-events.ts`) and the reply turn's drain
 * (`src/auto-reply/reply/session-system-events.ts`).
 */

export interface OracleEntry {
  readonly text: string
  readonly ts: number
  readonly contextKey?: string | null
  readonly deliveryContext?: unknown
  readonly trusted?: boolean
}

export interface OracleSystemEvents {
  enqueueSystemEvent(
    text: string,
    options: { sessionKey: string; contextKey?: string; trusted?: boolean; deliveryContext?: unknown },
  ): boolean
  peekSystemEventEntries(sessionKey: string): OracleEntry[]
  consumeSelectedSystemEventEntries(sessionKey: string, entries: ReadonlyArray<OracleEntry>): OracleEntry[]
  resetSystemEventsForTest(): void
}

export interface OracleReplyTurn {
  drainFormattedSystemEvents(params: {
    cfg: unknown
    sessionKey: string
    isMainSession: boolean
    isNewSession: boolean
  }): Promise<string | undefined>
}
