/**
 * Drops properties whose value is `undefined`, so that objects built from optional inputs fit
 * `exactOptionalPropertyTypes` and encode to JSON without `undefined` holes.
 */
export type Compact<T> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K]
} & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>
}

export const compact = <T extends object>(value: T): Compact<T> => {
  const out: Record<string, unknown> = {}
  for (const key in value) {
    const v = value[key]
    if (v !== undefined) out[key] = v
  }
  return out as Compact<T>
}
