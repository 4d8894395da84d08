/**
 * The `// #region name` … `// #endregion` blocks of docs/examples/*.ts, with the imports as an
 * embedder writes them: what the docs show (doc-examples.test.ts) and what a fresh consumer
 * project compiles and runs (pack.test.ts).
 */

/** The examples import the source tree; an embedder imports the package. */
const AS_PUBLISHED: ReadonlyArray<readonly [string, string]> = [
  ['"../../infrastructure/openclaw/index.ts"', '"heartbeat-ledger/openclaw"'],
  ['"../../infrastructure/index.ts"', '"heartbeat-ledger"'],
]

/** `// #region name` … `// #endregion` of a source file, with the imports as published. */
export const regions = (source: string): Map<string, string> => {
  const found = new Map<string, string>()
  for (const match of source.matchAll(/^\/\/ #region (\S+)\n([\s\S]*?)^\/\/ #endregion$/gm)) {
    let body = (match[2] ?? "").trim()
    for (const [local, published] of AS_PUBLISHED) body = body.replaceAll(local, published)
    found.set(match[1] ?? "", body)
  }
  return found
}
