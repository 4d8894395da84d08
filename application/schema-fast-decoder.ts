/**
 * A decoder compiled once from an Effect Schema's AST into one plain JavaScript function, for
 * the hot path of replay. It answers only "valid, and here is the value Effect would have
 * decoded" or INVALID; it never explains. A caller falls back to Effect's own decoder on
 * INVALID, so every error still comes from Effect.
 *
 * It compiles only this subset, and reproduces Effect 4.1's decoding of it under the default
 * parse options (what `Schema.decodeUnknownExit(schema)` uses; the parsers in `SchemaAST.ts`):
 * - `Objects` without index signatures (Struct, TaggedStruct): of type "object", not null, not
 *   an array; each declared key read, and tested with `in` when its value is undefined (so a
 *   key is present exactly when `in` says so, an inherited one too, as in Effect); present
 *   keys decoded, in declaration order, into a new plain object; an absent key allowed only
 *   when `optionalKey`; undeclared keys dropped (Effect's default
 *   `onExcessProperty: "ignore"`). An empty Struct accepts anything but null and undefined and
 *   returns it as is.
 * - `Arrays` with one rest element and no fixed elements (`Schema.Array`): a new array.
 * - `String`, `Number` (NaN and ±Infinity included), `Boolean`: the input itself.
 * - `Literal`, and an `anyOf` Union of plain Literals (`Schema.Literals`): the Schema's own
 *   literal, which equals the input (`Object.is`) — for a string, the one string object every
 *   decoded tag shares, where the input is a fresh copy read from JSON.
 * - an `anyOf` Union of plain `String`/`Number`/`Boolean` (a thread id that is a string or a
 *   number): the input itself when its `typeof` is one of them.
 * - checks (`Filter`, `FilterGroup`) on any of these, evaluated by calling each filter's own
 *   `run` on the decoded value with the arguments Effect gives it, in Effect's order: exactly
 *   Effect's check, whatever it is (`isInt` is the one the event Schemas use).
 * Anything else — a transformation (`encoding`), `encodingChecks`, index signatures, tuples,
 * other unions, declarations (classes, Date, …), suspensions, other keywords, a `__proto__`
 * key, an unknown kind of check — makes the compiler return `undefined`: no fast decoder.
 * Constructor defaults (`TaggedStruct`'s `_tag`) play no part: Effect applies them when
 * constructing, not when decoding.
 *
 * The function is generated source (`new Function`), so that each property read is its own
 * site with its own inline cache: a tree of closures shares one site across all properties and
 * decoded 3–4× slower. Only property names go into the source, as JSON string literals; every
 * other value (literals, filters, AST nodes, symbol keys) is passed in as a constant. Where
 * code generation is disallowed, the compiler returns `undefined`.
 */
import { type Schema, SchemaAST } from "effect"

/** The compiled decoder's "not valid" (a valid value is never this symbol). */
export const INVALID: unique symbol = Symbol("schema-fast-decoder/invalid")
export type Invalid = typeof INVALID

/**
 * Returns exactly what Effect's decoder would return for a valid input, or INVALID when
 * Effect's decoder would fail (including when reading the input throws).
 */
export type FastDecoder<A> = (input: unknown) => A | Invalid

/** The parse options `Schema.decodeUnknownExit(schema)` hands to checks: the defaults. */
const DEFAULT_PARSE_OPTIONS: SchemaAST.ParseOptions = Object.freeze({})

/**
 * Compiles `schema`'s AST, once, into a FastDecoder; `undefined` when the AST has anything
 * outside the subset above (use Effect's decoder then).
 */
export function compileFastDecoder<A>(schema: Schema.Codec<A, A>): FastDecoder<A> | undefined {
  const emitter = new Emitter()
  const statements: Array<string> = []
  const output = emitter.node(schema.ast, "input", statements)
  if (output === undefined) return undefined
  const source = `"use strict";return function decode(input){try{${statements.join("")}return ${output}}catch{return I}}`
  try {
    return new Function("I", "C", source)(INVALID, emitter.constants) as FastDecoder<A>
  } catch {
    return undefined // code generation from strings is disallowed here
  }
}

/**
 * Writes a node's decoding as statements that `return I` on the first failure, and gives back
 * the expression holding the decoded value (`undefined`: the node is outside the subset).
 */
class Emitter {
  readonly constants: Array<unknown> = []
  private variables = 0

  private variable(): string {
    return `v${this.variables++}`
  }

  private constant(value: unknown): string {
    this.constants.push(value)
    return `C[${this.constants.length - 1}]`
  }

  /** A string literal goes into the source as a JSON string; any other literal as a constant. */
  private literal(value: SchemaAST.LiteralValue): string {
    return typeof value === "string" ? JSON.stringify(value) : this.constant(value)
  }

  node(ast: SchemaAST.AST, input: string, out: Array<string>): string | undefined {
    if (ast.encoding !== undefined) return undefined
    if ("encodingChecks" in ast && ast.encodingChecks !== undefined) return undefined
    const value = this.base(ast, input, out)
    if (value === undefined || ast.checks === undefined) return value
    return this.checks(ast, ast.checks, value, out) ? value : undefined
  }

  private base(ast: SchemaAST.AST, input: string, out: Array<string>): string | undefined {
    switch (ast._tag) {
      case "String":
      case "Number":
      case "Boolean":
        out.push(`if(typeof ${input}!=="${ast._tag.toLowerCase()}")return I;`)
        return input
      case "Literal": {
        // The Schema's own value, not the input's equal copy: a string read from JSON is a fresh
        // string, and every later switch or Map lookup on a tag would compare or hash it again.
        const literal = this.literal(ast.literal)
        out.push(`if(${input}!==${literal})return I;`)
        return typeof ast.literal === "string" ? literal : input
      }
      case "Union":
        return this.literals(ast, input, out)
      case "Arrays":
        return this.array(ast, input, out)
      case "Objects":
        return this.struct(ast, input, out)
      default:
        return undefined
    }
  }

  /** `Schema.Literals([...])`: valid when the input is one of the literals. */
  private literals(ast: SchemaAST.Union, input: string, out: Array<string>): string | undefined {
    const mode = ast.options?.mode
    if (mode !== undefined && mode !== "anyOf") return undefined
    const keywords = ast.types.map((member) =>
      (member._tag === "String" || member._tag === "Number" || member._tag === "Boolean") &&
      member.encoding === undefined &&
      member.checks === undefined
        ? member._tag.toLowerCase()
        : undefined,
    )
    if (keywords.length > 0 && keywords.every((keyword) => keyword !== undefined)) {
      out.push(`if(!${this.constant(new Set(keywords))}.has(typeof ${input}))return I;`)
      return input
    }
    const literals = new Set<SchemaAST.LiteralValue>()
    for (const member of ast.types) {
      if (!SchemaAST.isLiteral(member) || member.encoding !== undefined || member.checks !== undefined) {
        return undefined
      }
      literals.add(member.literal)
    }
    // Set and Map membership is SameValueZero: it differs from Effect's === only for NaN, never a
    // Literal. Strings only map to themselves (see Literal); a number is the input (0 may be -0).
    if (![...literals].every((literal) => typeof literal === "string")) {
      out.push(`if(!${this.constant(literals)}.has(${input}))return I;`)
      return input
    }
    const canonical = this.variable()
    const own = new Map([...literals].map((literal) => [literal, literal]))
    out.push(
      `const ${canonical}=${this.constant(own)}.get(${input});`,
      `if(${canonical}===undefined)return I;`,
    )
    return canonical
  }

  /** `Schema.Array(item)`: a new array of the decoded items. */
  private array(ast: SchemaAST.Arrays, input: string, out: Array<string>): string | undefined {
    const [item, ...tail] = ast.rest
    if (ast.elements.length !== 0 || item === undefined || tail.length !== 0) return undefined
    const result = this.variable()
    const length = this.variable()
    const index = this.variable()
    const element = this.variable()
    const body: Array<string> = [`const ${element}=${input}[${index}];`]
    const decoded = this.node(item, element, body)
    if (decoded === undefined) return undefined
    out.push(
      `if(!Array.isArray(${input}))return I;`,
      `const ${length}=${input}.length,${result}=[];`,
      `for(let ${index}=0;${index}<${length};${index}++){${body.join("")}${result}.push(${decoded})}`,
    )
    return result
  }

  /** `Schema.Struct({...})`: a new object of the declared keys present, in declaration order. */
  private struct(ast: SchemaAST.Objects, input: string, out: Array<string>): string | undefined {
    if (ast.indexSignatures.length !== 0) return undefined
    if (ast.propertySignatures.length === 0) {
      out.push(`if(${input}===null||${input}===undefined)return I;`)
      return input
    }
    out.push(`if(typeof ${input}!=="object"||${input}===null||Array.isArray(${input}))return I;`)
    const result = this.variable()
    const allRequired = ast.propertySignatures.every((signature) => !SchemaAST.isOptional(signature.type))
    // All keys required: one object literal at the end; otherwise assign as keys turn up.
    const fields: Array<string> = []
    if (!allRequired) out.push(`const ${result}={};`)
    for (const { name, type } of ast.propertySignatures) {
      // Effect reads and writes a `__proto__` key specially; not worth mirroring.
      if (name === "__proto__") return undefined
      const key = typeof name === "string" ? JSON.stringify(name) : this.constant(name)
      const value = this.variable()
      const body: Array<string> = []
      const decoded = this.node(type, value, body)
      if (decoded === undefined) return undefined
      // Read first, and ask `in` only of an undefined value: a key whose value is defined is
      // present (own or inherited, as `in` says), and one lookup per key is saved.
      const read = `const ${value}=${input}[${key}];`
      const present = `(${value}!==undefined||${key} in ${input})`
      if (allRequired) {
        out.push(read, `if(!${present})return I;`, ...body)
        fields.push(typeof name === "string" ? `${key}:${decoded}` : `[${key}]:${decoded}`)
      } else if (SchemaAST.isOptional(type)) {
        out.push(read, `if(${present}){${body.join("")}${result}[${key}]=${decoded}}`)
      } else {
        out.push(read, `if(!${present})return I;`, ...body, `${result}[${key}]=${decoded};`)
      }
    }
    if (allRequired) out.push(`const ${result}={${fields.join(",")}};`)
    return result
  }

  /**
   * The node's checks: each Filter's own `run`, depth first through FilterGroups as Effect
   * runs them; any issue fails. `false` for a kind of check it does not know.
   */
  private checks(
    ast: SchemaAST.AST,
    checks: ReadonlyArray<SchemaAST.Check<unknown>>,
    value: string,
    out: Array<string>,
  ): boolean {
    for (const check of checks) {
      if (check._tag === "FilterGroup") {
        if (!this.checks(ast, check.checks, value, out)) return false
      } else if (check._tag === "Filter") {
        const run = `${this.constant(check)}.run(${value},${this.constant(ast)},${this.constant(DEFAULT_PARSE_OPTIONS)})`
        out.push(`if(${run})return I;`)
      } else {
        return false
      }
    }
    return true
  }
}
