/**
 * Every TypeScript block in the docs is a `#region` of a file under docs/examples/, which the
 * typecheck covers: a doc example that stops compiling (a renamed field, an API that is not
 * exported) fails `tsc`, and a block edited in the doc alone fails here.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { regions } from "./doc-regions.ts"

const dedent = (lines: ReadonlyArray<string>): string => {
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)?.[0].length ?? 0))
  return lines
    .map((l) => l.slice(indent))
    .join("\n")
    .trim()
}

/** The ```ts blocks of a Markdown file, each without the indentation of the list it sits in. */
const codeBlocks = (markdown: string): string[] => {
  const blocks: string[] = []
  let open: string[] | undefined
  for (const line of markdown.split("\n")) {
    const fence = /^\s*```(\w*)\s*$/.exec(line)
    if (fence !== null && open === undefined) {
      if (fence[1] === "ts") open = []
      else if (fence[1] !== "") open = undefined
      continue
    }
    if (fence !== null && open !== undefined) {
      blocks.push(dedent(open))
      open = undefined
      continue
    }
    open?.push(line)
  }
  return blocks
}

describe("the docs' code examples", () => {
  const docs = [
    "README.md",
    ...readdirSync("docs")
      .filter((f) => f.endsWith(".md"))
      .map((f) => join("docs", f)),
  ]
  const examples = new Map<string, string>()
  for (const file of readdirSync("docs/examples").filter((f) => f.endsWith(".ts"))) {
    for (const [name, body] of regions(readFileSync(join("docs/examples", file), "utf8")))
      examples.set(`${file}#${name}`, body)
  }

  it("are each a region of a type-checked file under docs/examples/", () => {
    let blocks = 0
    for (const doc of docs) {
      for (const block of codeBlocks(readFileSync(doc, "utf8"))) {
        blocks++
        expect([...examples.values()], `${doc}:\n${block}`).toContain(block)
      }
    }
    expect(blocks).toBeGreaterThan(0)
  })

  it("leave no region that no doc shows", () => {
    const shown = new Set(docs.flatMap((doc) => codeBlocks(readFileSync(doc, "utf8"))))
    for (const [where, body] of examples) expect(shown.has(body), where).toBe(true)
  })

  it("read blocks and regions as written (the helpers themselves)", () => {
    expect(codeBlocks("a\n  ```ts\n  x()\n    y()\n  ```\n```sh\nno\n```\n")).toEqual(["x()\n  y()"])
    expect([
      ...regions('// #region r\nimport "../../infrastructure/openclaw/index.ts"\n// #endregion\n'),
    ]).toEqual([["r", 'import "heartbeat-ledger/openclaw"']])
  })
})
