/**
 * The EventStoreDB/KurrentDB store. Streams, expected revisions and idempotent event ids are the
 * server's own; the global log is `$all` restricted to our streams (STREAM_PREFIX); the global
 * position is the commit position (esdb-mapping.ts); subscriptions are the server's catch-up
 * subscriptions to `$all`, filtered by stream prefix, resumed from our own checkpoint.
 */

import { Effect, Option, type Scope, Stream } from "effect"
import type {
  AppendResult,
  EventData,
  EventStoreShape,
  ExpectedRevision,
  MultiAppendResult,
  RecordedEvent,
  StreamAppend,
} from "../../application/event-store.ts"
import type { AppendError } from "../../application/event-store-errors.ts"
import { type StoreUnavailable, WrongExpectedRevision } from "../../application/event-store-errors.ts"
import { STREAM_PREFIX } from "../../application/stream-names.ts"
import { checkMultiAppend, encodeMultiAppend, expectedRevisionHolds } from "./append-rules.ts"
import { type EsdbDriver, type EsdbRecord, type EsdbResolved, loadEsdbDriver } from "./esdb-driver.ts"
import {
  fromEsdbCurrentRevision,
  isUuid,
  toEsdbExpectedRevision,
  toEsdbPosition,
  toGlobalPosition,
} from "./esdb-mapping.ts"
import { pagedRead } from "./paged-read.ts"
import { storeAttempt, storeFailure } from "./store-failure.ts"

export interface EsdbEventStoreOptions {
  readonly client: "eventstore" | "kurrent"
  readonly connectionString: string
  /** Names the store in messages: the URL with its password masked. */
  readonly description: string
}

/** Records of `$all` read per request while we filter them to ours on the client. */
const RAW_PAGE = 500

const errorType = (cause: unknown): unknown =>
  typeof cause === "object" && cause !== null ? (cause as { type?: unknown }).type : undefined

export const makeEsdbEventStore = (
  options: EsdbEventStoreOptions,
): Effect.Effect<EventStoreShape, StoreUnavailable, Scope.Scope> =>
  Effect.gen(function* () {
    const { description } = options
    // The global log holds only our streams.
    const prefix = STREAM_PREFIX
    const unavailable = storeFailure(
      description,
      "check that the server is running and reachable, that the URL's credentials are right " +
        "(a local server without TLS needs ?tls=false), or choose another store with --store / HEARTBEAT_LEDGER_STORE",
    )
    const attempt = storeAttempt(unavailable)

    const driver: EsdbDriver = yield* Effect.acquireRelease(
      attempt("loading the client", () => loadEsdbDriver(options.client, options.connectionString)),
      (driver) => Effect.promise(() => driver.dispose().catch(() => undefined)),
    )

    const collect = (iterable: () => AsyncIterable<EsdbResolved>) => async () => {
      const out: EsdbResolved[] = []
      for await (const resolved of iterable()) out.push(resolved)
      return out
    }

    /** The last record of the whole log, ours or not: also our reachability check at start. */
    const lastRawPosition = attempt(
      "reading the end of $all",
      collect(() => driver.readAll({ direction: "backwards", fromPosition: "end", maxCount: 1 })),
    ).pipe(Effect.map((page) => positionOfRaw(page[0]) ?? 0))
    yield* lastRawPosition

    const isOurs = (resolved: EsdbResolved): resolved is EsdbResolved & { readonly event: EsdbRecord } =>
      resolved.event !== undefined &&
      resolved.link === undefined &&
      resolved.event.type !== "$>" &&
      resolved.event.streamId.startsWith(prefix)

    function positionOfRaw(resolved: EsdbResolved | undefined): number | undefined {
      const position = resolved?.event?.position
      return position === undefined ? undefined : toGlobalPosition(position)
    }

    const toRecorded = (record: EsdbRecord): Effect.Effect<RecordedEvent, StoreUnavailable> => {
      const position = record.position === undefined ? undefined : toGlobalPosition(record.position)
      if (position === undefined) {
        return Effect.fail(
          unavailable(
            `event ${record.id} has no usable log position`,
            "reading (heartbeat-ledger needs EventStoreDB 22.6 or later, which returns positions on every read)",
          ),
        )
      }
      const metadata = record.metadata as { readonly version?: unknown } | undefined
      return Effect.try({
        try: (): RecordedEvent => ({
          id: record.id,
          type: record.type,
          version: typeof metadata?.version === "number" ? metadata.version : 1,
          data: record.isJson
            ? record.data
            : JSON.parse(Buffer.from(record.data as Uint8Array).toString("utf8")),
          streamId: record.streamId,
          revision: Number(record.revision),
          position,
          recordedAt: record.created.getTime(),
        }),
        catch: (cause) => unavailable(cause, `decoding event ${record.id}`),
      })
    }

    const readStreamPage = (
      streamId: string,
      direction: "forwards" | "backwards",
      from: number,
      limit: number,
    ) =>
      Effect.tryPromise({
        try: collect(() =>
          driver.readStream(streamId, {
            direction,
            fromRevision: from >= Number.MAX_SAFE_INTEGER ? "end" : BigInt(from),
            maxCount: limit,
          }),
        ),
        catch: (cause) => cause,
      }).pipe(
        // An unknown stream is empty, as in every other store.
        Effect.catchIf(
          (cause) => errorType(cause) === "stream-not-found",
          () => Effect.succeed([]),
        ),
        Effect.mapError((cause) => unavailable(cause, `reading ${streamId}`)),
        Effect.flatMap((page) =>
          Effect.forEach(
            page.filter((resolved) => resolved.event !== undefined),
            (resolved) => toRecorded(resolved.event as EsdbRecord),
          ),
        ),
      )

    const readStream: EventStoreShape["readStream"] = (streamId, readOptions = {}) => {
      const direction = readOptions.direction ?? "forwards"
      return pagedRead({
        start: readOptions.fromRevision ?? (direction === "backwards" ? Number.MAX_SAFE_INTEGER : 0),
        maxCount: readOptions.maxCount,
        readPage: (from, limit) => readStreamPage(streamId, direction, from, limit),
        next: (last) =>
          direction === "backwards"
            ? last.revision > 0
              ? Option.some(last.revision - 1)
              : Option.none()
            : Option.some(last.revision + 1),
      })
    }

    const lastRevision = (streamId: string) =>
      readStreamPage(streamId, "backwards", Number.MAX_SAFE_INTEGER, 1).pipe(Effect.map((page) => page[0]))

    const toJsonEvents = (events: ReadonlyArray<EventData>) =>
      events.map((event) => ({
        id: event.id,
        contentType: "application/json" as const,
        type: event.type,
        data: event.data ?? null,
        metadata: { version: event.version },
      }))

    const wrongRevision = (cause: unknown, streamId: string, expected: ExpectedRevision) => {
      // @eventstore/db-client names it actualVersion, @kurrent/kurrentdb-client actualState.
      const details = cause as { readonly actualVersion?: unknown; readonly actualState?: unknown }
      const actual = fromEsdbCurrentRevision(details.actualVersion ?? details.actualState)
      return new WrongExpectedRevision({ streamId, expected, actual })
    }

    /** The checks no server needs: UUID ids (a non-UUID is our bug: a defect), the port's rules. */
    const precheck = (appends: ReadonlyArray<StreamAppend>): Effect.Effect<void, AppendError> =>
      Effect.suspend((): Effect.Effect<void, AppendError> => {
        for (const { events } of appends) {
          const notUuid = events.find((event) => !isUuid(event.id))
          if (notUuid !== undefined) {
            return Effect.die(
              new Error(`event id ${notUuid.id} is not a UUID; EventStoreDB/KurrentDB needs UUIDs`),
            )
          }
        }
        const invalid = checkMultiAppend(appends)
        if (invalid !== undefined) return Effect.fail(invalid)
        const encoded = encodeMultiAppend(appends)
        return Array.isArray(encoded) ? Effect.void : Effect.fail(encoded)
      })

    const appendOne = (
      streamId: string,
      events: ReadonlyArray<EventData>,
      expected: ExpectedRevision,
    ): Effect.Effect<AppendResult, AppendError> =>
      Effect.gen(function* () {
        if (events.length === 0) {
          const last = yield* lastRevision(streamId)
          const current = last?.revision ?? -1
          if (!expectedRevisionHolds(expected, current)) {
            return yield* new WrongExpectedRevision({ streamId, expected, actual: current })
          }
          return { nextExpectedRevision: current, position: last?.position ?? 0 }
        }
        const result = yield* Effect.tryPromise({
          try: () => driver.append(streamId, toJsonEvents(events), toEsdbExpectedRevision(expected)),
          catch: (cause): AppendError =>
            errorType(cause) === "wrong-expected-version"
              ? wrongRevision(cause, streamId, expected)
              : unavailable(cause, `appending to ${streamId}`),
        })
        const nextExpectedRevision = Number(result.nextExpectedRevision)
        const reported = result.position === undefined ? undefined : toGlobalPosition(result.position)
        // An idempotent retry may come back without a position: read the batch's last event.
        const position = reported ?? (yield* lastRevision(streamId))?.position ?? 0
        return { nextExpectedRevision, position }
      })

    /**
     * One stream: the server's append. Several: KurrentDB's multi-stream append (atomic; 25.1 or
     * later), or, through `@eventstore/db-client`, which has none, the appends one after another:
     * NOT atomic — a failure part-way leaves the earlier streams written (docs/stores.md).
     * Idempotency is the server's, per stream only: an id stored in another stream is stored again.
     */
    const appendMulti = (
      appends: ReadonlyArray<StreamAppend>,
    ): Effect.Effect<MultiAppendResult, AppendError> =>
      Effect.gen(function* () {
        yield* precheck(appends)
        const written = appends.some((append) => append.events.length > 0)
        const multiAppend = driver.multiAppend
        const nonEmpty = appends.filter((append) => append.events.length > 0)
        if (multiAppend === undefined || nonEmpty.length < 2) {
          const streams: AppendResult[] = []
          for (const { streamId, events, expectedRevision } of appends) {
            streams.push(yield* appendOne(streamId, events, expectedRevision))
          }
          return { streams, position: Math.max(0, ...streams.map((result) => result.position)), written }
        }
        // Empty parts only check their stream's revision, which the multi-stream call cannot do
        // in the same commit: checked first (a race with another writer there is possible).
        for (const { streamId, expectedRevision } of appends.filter((append) => append.events.length === 0)) {
          yield* appendOne(streamId, [], expectedRevision)
        }
        const result = yield* Effect.tryPromise({
          try: () =>
            multiAppend(
              nonEmpty.map(({ streamId, events, expectedRevision }) => ({
                streamId,
                events: toJsonEvents(events),
                expected: toEsdbExpectedRevision(expectedRevision),
              })),
            ),
          catch: (cause): AppendError => {
            if (errorType(cause) !== "wrong-expected-version")
              return unavailable(cause, `appending to ${appends.map((append) => append.streamId).join(", ")}`)
            const named = (cause as { readonly streamName?: unknown }).streamName
            const refused =
              nonEmpty.find((append) => append.streamId === named) ?? (nonEmpty[0] as StreamAppend)
            return wrongRevision(cause, refused.streamId, refused.expectedRevision)
          },
        })
        const position = Number(result.position)
        // The server answers with one commit position: each stream's revision is read back.
        const streams: AppendResult[] = []
        for (const { streamId } of appends) {
          const last = yield* lastRevision(streamId)
          streams.push({ nextExpectedRevision: last?.revision ?? -1, position: last?.position ?? position })
        }
        return { streams, position: Math.max(position, ...streams.map((result) => result.position)), written }
      })

    interface AllCursor {
      readonly after: number
      readonly remaining: number
    }
    const readAll: EventStoreShape["readAll"] = (readOptions = {}) =>
      Stream.unwrap(
        Effect.map(lastRawPosition, (end) =>
          Stream.paginate<AllCursor, RecordedEvent, StoreUnavailable>(
            {
              after: readOptions.fromPosition ?? 0,
              remaining: readOptions.maxCount ?? Number.POSITIVE_INFINITY,
            },
            ({ after, remaining }) =>
              Effect.gen(function* () {
                if (remaining <= 0 || after >= end) return [[], Option.none<AllCursor>()] as const
                const raw = yield* attempt(
                  "reading $all",
                  collect(() =>
                    driver.readAll({
                      direction: "forwards",
                      fromPosition: after === 0 ? "start" : toEsdbPosition(after),
                      maxCount: RAW_PAGE,
                    }),
                  ),
                )
                // A read from a position includes it: we keep what is strictly after our checkpoint.
                const fresh = raw.filter((resolved) => (positionOfRaw(resolved) ?? 0) > after)
                const ours = yield* Effect.forEach(fresh.filter(isOurs).slice(0, remaining), (resolved) =>
                  toRecorded(resolved.event),
                )
                const lastRaw = positionOfRaw(fresh[fresh.length - 1])
                const exhausted = raw.length < RAW_PAGE || lastRaw === undefined
                const next = exhausted
                  ? Option.none<AllCursor>()
                  : Option.some({
                      after: lastRaw,
                      remaining: remaining - ours.length,
                    })
                return [ours, next] as const
              }),
          ),
        ),
      )

    /** Walks `$all` backwards until one of our events: the position of our last event. */
    const headPosition = Effect.gen(function* () {
      let before: number | undefined
      for (;;) {
        const raw = yield* attempt(
          "reading $all",
          collect(() =>
            driver.readAll({
              direction: "backwards",
              fromPosition: before === undefined ? "end" : toEsdbPosition(before),
              maxCount: RAW_PAGE,
            }),
          ),
        )
        const older = raw.filter(
          (resolved) => before === undefined || (positionOfRaw(resolved) ?? 0) < before,
        )
        const mine = older.find(isOurs)
        if (mine !== undefined) return positionOfRaw(mine) ?? 0
        const oldest = positionOfRaw(older[older.length - 1])
        if (raw.length < RAW_PAGE || oldest === undefined) return 0
        before = oldest
      }
    })

    const subscribeToAll: EventStoreShape["subscribeToAll"] = (subscribeOptions = {}) =>
      Stream.unwrap(
        Effect.acquireRelease(
          Effect.sync(() => {
            const from = subscribeOptions.fromPosition ?? 0
            return {
              from,
              subscription: driver.subscribeToAll({
                fromPosition: from === 0 ? "start" : toEsdbPosition(from),
                prefix,
              }),
            }
          }),
          ({ subscription }) => Effect.promise(() => subscription.unsubscribe().catch(() => undefined)),
        ).pipe(
          Effect.map(({ from, subscription }) => {
            // The checkpoint is exclusive; never deliver a position twice, whatever the server resends.
            let delivered = from
            return Stream.fromAsyncIterable(subscription, (cause) =>
              unavailable(cause, "subscribing to $all"),
            ).pipe(
              Stream.filter(isOurs),
              Stream.mapEffect((resolved) => toRecorded(resolved.event)),
              Stream.filter((event) => {
                if (event.position <= delivered) return false
                delivered = event.position
                return true
              }),
            )
          }),
        ),
      )

    return {
      description,
      appendMulti,
      append: (streamId, events, expected) =>
        Effect.flatMap(precheck([{ streamId, events, expectedRevision: expected }]), () =>
          appendOne(streamId, events, expected),
        ),
      readStream,
      readAll,
      subscribeToAll,
      headPosition,
    } satisfies EventStoreShape
  })
