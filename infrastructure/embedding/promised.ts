/**
 * An Effect service as a caller without Effect sees it: each method returns a Promise of what
 * its Effect succeeds with, and rejects with the error it fails with (a tagged error, an
 * `Error`); an Effect-valued member becomes a method. Derived from the service's own type, so it
 * follows the service as it changes.
 */
import { Effect } from "effect"

export type Promised<S> = {
  readonly [K in keyof S]: S[K] extends (...args: infer A) => Effect.Effect<infer R, infer _E, never>
    ? (...args: A) => Promise<R>
    : S[K] extends Effect.Effect<infer R, infer _E, never>
      ? () => Promise<R>
      : S[K]
}

/** `service` with every Effect run by `run` (a runtime's `runPromise`) when called. */
export function promised<S extends object>(
  service: S,
  run: <A, E>(effect: Effect.Effect<A, E>) => Promise<A>,
): Promised<S> {
  const out: Record<string, unknown> = {}
  for (const [name, member] of Object.entries(service)) {
    if (Effect.isEffect(member)) out[name] = () => run(member as Effect.Effect<unknown, unknown>)
    else if (typeof member === "function")
      out[name] = (...args: unknown[]) => {
        const effect: unknown = member(...args)
        return Effect.isEffect(effect)
          ? run(effect as Effect.Effect<unknown, unknown>)
          : Promise.resolve(effect)
      }
    else out[name] = member
  }
  return out as Promised<S>
}
