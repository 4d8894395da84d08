/**
 * The one store URL (`--store` / HEARTBEAT_LEDGER_STORE): parsed into a validated description of
 * which adapter to run, with passwords masked wherever the URL is shown.
 */
import { Effect, Schema } from "effect"

export const STORE_URL_ENV = "HEARTBEAT_LEDGER_STORE"
export const DEFAULT_STORE_URL = "sqlite:.heartbeat-ledger/ledger.db"
/** The PostgreSQL schema our tables live in unless the URL's `?schema=` names another. */
export const DEFAULT_PG_SCHEMA = "heartbeat_ledger"

const STORE_URL_FORMS =
  "memory:, sqlite:<path>, postgres://user:password@host:port/database[?schema=name], " +
  "esdb://host:2113[?tls=false] or kurrentdb://host:2113[?tls=false]"

/** The store URL cannot be used; `url` is masked. The message says what to do. */
export class InvalidStoreUrl extends Schema.TaggedError<InvalidStoreUrl>()("InvalidStoreUrl", {
  url: Schema.String,
  reason: Schema.String,
}) {
  override get message() {
    return (
      `invalid event store URL "${this.url}": ${this.reason}. ` +
      `Pass one of ${STORE_URL_FORMS} with --store or ${STORE_URL_ENV}.`
    )
  }
}

/** A PostgreSQL identifier we can interpolate safely (quoted) and that needs no case folding. */
const SqlIdentifier = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[a-z_][a-z0-9_]{0,62}$/, {
      message: "must match [a-z_][a-z0-9_]* (at most 63 characters)",
    }),
  ),
)

export const StoreUrl = Schema.Union([
  Schema.TaggedStruct("Memory", { masked: Schema.String }),
  Schema.TaggedStruct("Sqlite", { masked: Schema.String, path: Schema.NonEmptyString }),
  Schema.TaggedStruct("Postgres", {
    masked: Schema.String,
    /** Handed to `pg` as is: our own `schema` parameter already removed. */
    connectionString: Schema.NonEmptyString,
    schema: SqlIdentifier,
  }),
  Schema.TaggedStruct("Esdb", {
    masked: Schema.String,
    /** Which client library speaks to it: EventStoreDB's (`esdb:`) or KurrentDB's (`kurrentdb:`). */
    client: Schema.Literals(["eventstore", "kurrent"]),
    connectionString: Schema.NonEmptyString,
  }),
])
export type StoreUrl = typeof StoreUrl.Type

/** Replaces the password of `scheme://user:password@…` and any `password=` parameter by `***`. */
export function maskStoreUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^@/?#]*@/i, "$1***@")
    .replace(/([?&](?:password|pass|pwd)=)[^&#]*/gi, "$1***")
}

const decodeStoreUrl = Schema.decodeUnknownEffect(StoreUrl)

/**
 * pg 8 takes `sslmode` prefer, require and verify-ca as verify-full (certificate and host name
 * checked) and prints a deprecation warning into our output on every run (its next major gives
 * them libpq's weaker meaning). Naming verify-full ourselves keeps that same check, without the
 * warning; with `uselibpqcompat=true` pg applies libpq's meaning and does not warn.
 */
const PG_ALIASES_OF_VERIFY_FULL = new Set(["prefer", "require", "verify-ca"])

const explicitSslMode = (params: URLSearchParams): void => {
  const mode = params.get("sslmode")
  if (mode !== null && PG_ALIASES_OF_VERIFY_FULL.has(mode) && params.get("uselibpqcompat") !== "true") {
    params.set("sslmode", "verify-full")
  }
}

const esdbClients: Record<string, "eventstore" | "kurrent"> = {
  "esdb:": "eventstore",
  "esdb+discover:": "eventstore",
  "kurrentdb:": "kurrent",
  "kurrentdb+discover:": "kurrent",
}

export const parseStoreUrl = (url: string): Effect.Effect<StoreUrl, InvalidStoreUrl> => {
  const masked = maskStoreUrl(url.trim())
  const invalid = (reason: string) => new InvalidStoreUrl({ url: masked, reason })
  return Effect.suspend(() => {
    const raw = url.trim()
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(raw)?.[0].toLowerCase()
    if (scheme === undefined) return Effect.fail(invalid("it has no scheme"))
    if (scheme === "memory:") {
      return raw.length === scheme.length
        ? Effect.succeed<StoreUrl>({ _tag: "Memory", masked })
        : Effect.fail(invalid("memory: takes nothing after the colon"))
    }
    if (scheme === "sqlite:") {
      // `sqlite:///abs/file.db` and `sqlite://rel.db` are accepted as well as `sqlite:file.db`.
      const rest = raw.slice(scheme.length)
      const path = rest.startsWith("//") ? rest.slice(2) : rest
      if (path === "")
        return Effect.fail(invalid("sqlite: needs a file path, e.g. sqlite:.heartbeat-ledger/ledger.db"))
      return validate({ _tag: "Sqlite", masked, path })
    }
    const parsed = URL.parse(raw)
    if (parsed === null) return Effect.fail(invalid("it is not a well-formed URL"))
    if (scheme === "postgres:" || scheme === "postgresql:") {
      const schema = parsed.searchParams.get("schema") ?? DEFAULT_PG_SCHEMA
      parsed.searchParams.delete("schema")
      explicitSslMode(parsed.searchParams)
      if (parsed.hostname === "" && !parsed.searchParams.has("host")) {
        return Effect.fail(invalid("it names no host"))
      }
      return validate({ _tag: "Postgres", masked, connectionString: parsed.toString(), schema })
    }
    const client = esdbClients[scheme]
    if (client !== undefined) {
      if (parsed.host === "") return Effect.fail(invalid("it names no host"))
      return validate({ _tag: "Esdb", masked, client, connectionString: raw })
    }
    return Effect.fail(invalid(`unknown scheme "${scheme}"`))
  })

  function validate(candidate: unknown) {
    return decodeStoreUrl(candidate).pipe(
      Effect.mapError((error) => invalid(error.message.replace(/\s*\n\s*/g, " "))),
    )
  }
}
