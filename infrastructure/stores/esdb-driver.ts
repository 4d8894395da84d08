/**
 * The few client calls the ESDB adapter needs, over either client library: `esdb://` through
 * `@eventstore/db-client`, `kurrentdb://` through `@kurrent/kurrentdb-client`. Both have the same
 * API shape except the append option's name; each is loaded only when its scheme is used.
 */
import type { EsdbExpectedRevision, EsdbPosition } from "./esdb-mapping.ts"

/** The part of a recorded event we read; both libraries' records have it. */
export interface EsdbRecord {
  readonly streamId: string
  readonly id: string
  readonly revision: bigint
  readonly type: string
  readonly created: Date
  readonly isJson: boolean
  readonly data: unknown
  readonly metadata: unknown
  readonly position?: EsdbPosition | undefined
}

export interface EsdbResolved {
  readonly event?: EsdbRecord | undefined
  readonly link?: unknown
}

export interface EsdbJsonEvent {
  readonly id: string
  readonly contentType: "application/json"
  readonly type: string
  /** Any JSON value: the clients JSON.stringify it. */
  readonly data: unknown
  readonly metadata: { readonly version: number }
}

export interface EsdbSubscription extends AsyncIterable<EsdbResolved> {
  readonly unsubscribe: () => Promise<void>
}

export interface EsdbDriver {
  readonly append: (
    streamId: string,
    events: ReadonlyArray<EsdbJsonEvent>,
    expected: EsdbExpectedRevision,
  ) => Promise<{ readonly nextExpectedRevision: bigint; readonly position?: EsdbPosition | undefined }>
  /**
   * An atomic append to several streams (KurrentDB 25.1 or later, `@kurrent/kurrentdb-client`);
   * absent for `@eventstore/db-client`, which has none.
   */
  readonly multiAppend?: (
    requests: ReadonlyArray<{
      readonly streamId: string
      readonly events: ReadonlyArray<EsdbJsonEvent>
      readonly expected: EsdbExpectedRevision
    }>,
  ) => Promise<{ readonly position: bigint }>
  readonly readStream: (
    streamId: string,
    options: {
      readonly direction: "forwards" | "backwards"
      readonly fromRevision: "start" | "end" | bigint
      readonly maxCount: number
    },
  ) => AsyncIterable<EsdbResolved>
  readonly readAll: (options: {
    readonly direction: "forwards" | "backwards"
    readonly fromPosition: "start" | "end" | EsdbPosition
    readonly maxCount: number
  }) => AsyncIterable<EsdbResolved>
  /** A catch-up subscription to `$all`, filtered on the server to streams starting with `prefix`. */
  readonly subscribeToAll: (options: {
    readonly fromPosition: "start" | EsdbPosition
    readonly prefix: string
  }) => EsdbSubscription
  readonly dispose: () => Promise<void>
}

// The libraries type a JSON event's data as an object, array or string; any JSON value encodes.
type JsonData = Record<string, unknown>

/**
 * The EventStoreDB and KurrentDB clients (with gRPC) are optional peer dependencies: a
 * SQLite or PostgreSQL user does not install them. Loaded only when a URL needs one; missing,
 * the error names the package to install.
 */
export async function importClient<T>(name: string, scheme: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    const code = (error as { readonly code?: unknown }).code
    if (code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes(name)) {
      throw new Error(
        `${scheme} stores need the package ${name}, which is not installed (it is an optional peer ` +
          `dependency of heartbeat-ledger): run npm install ${name}`,
      )
    }
    throw error
  }
}

export async function loadEsdbDriver(
  client: "eventstore" | "kurrent",
  connectionString: string,
): Promise<EsdbDriver> {
  if (client === "eventstore") {
    const { EventStoreDBClient, streamNameFilter } = await importClient(
      "@eventstore/db-client",
      "esdb:",
      () => import("@eventstore/db-client"),
    )
    const db = EventStoreDBClient.connectionString(connectionString)
    return {
      append: (streamId, events, expected) =>
        db.appendToStream(
          streamId,
          events.map((event) => ({ ...event, data: event.data as JsonData })),
          { expectedRevision: expected },
        ),
      readStream: (streamId, options) => db.readStream(streamId, { ...options }),
      readAll: (options) => db.readAll({ ...options }),
      subscribeToAll: ({ fromPosition, prefix }) =>
        db.subscribeToAll({ fromPosition, filter: streamNameFilter({ prefixes: [prefix] }) }),
      dispose: () => db.dispose(),
    }
  }
  const { KurrentDBClient, streamNameFilter } = await importClient(
    "@kurrent/kurrentdb-client",
    "kurrentdb:",
    () => import("@kurrent/kurrentdb-client"),
  )
  const db = KurrentDBClient.connectionString(connectionString)
  return {
    append: (streamId, events, expected) =>
      db.appendToStream(
        streamId,
        events.map((event) => ({ ...event, data: event.data as JsonData })),
        { streamState: expected },
      ),
    multiAppend: (requests) =>
      db.multiStreamAppend(
        requests.map(({ streamId, events, expected }) => ({
          streamName: streamId,
          events: events.map((event) => ({ ...event, data: event.data as JsonData })),
          expectedState: expected,
        })),
      ),
    readStream: (streamId, options) => db.readStream(streamId, { ...options }),
    readAll: (options) => db.readAll({ ...options }),
    subscribeToAll: ({ fromPosition, prefix }) =>
      db.subscribeToAll({ fromPosition, filter: streamNameFilter({ prefixes: [prefix] }) }),
    dispose: () => db.dispose(),
  }
}
