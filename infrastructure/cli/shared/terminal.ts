/**
 * Terminal output: colour only on a TTY and never with NO_COLOR, and untrusted text (event
 * texts, keys) made harmless — escape sequences and other control characters are shown as
 * visible `\x1b`-style escapes instead of reaching the terminal raw.
 */

/** C0 and C1 controls, DEL, and the bidirectional overrides that can disguise text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

const escapeChar = (char: string): string => {
  const code = char.codePointAt(0) ?? 0
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`
}

/** One line of untrusted text, safe to print: newlines and tabs are escaped too. */
export const safeText = (text: string): string => text.replace(UNSAFE, escapeChar)

export interface Colours {
  readonly enabled: boolean
  readonly bold: (text: string) => string
  readonly dim: (text: string) => string
  readonly red: (text: string) => string
  readonly green: (text: string) => string
  readonly yellow: (text: string) => string
  readonly cyan: (text: string) => string
}

const sgr = (enabled: boolean, open: number, close: number) => (text: string) =>
  enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text

export const makeColours = (enabled: boolean): Colours => ({
  enabled,
  bold: sgr(enabled, 1, 22),
  dim: sgr(enabled, 2, 22),
  red: sgr(enabled, 31, 39),
  green: sgr(enabled, 32, 39),
  yellow: sgr(enabled, 33, 39),
  cyan: sgr(enabled, 36, 39),
})

/** https://no-color.org: any non-empty NO_COLOR turns colour off. */
export const colourWanted = (stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env) =>
  stream.isTTY === true && !env.NO_COLOR

export const stdoutColours = (): Colours => makeColours(colourWanted(process.stdout))

/** The visible width of a string that may hold our own SGR colour codes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: strips our own colour codes
export const visibleLength = (text: string): number => text.replace(/\u001b\[[0-9;]*m/g, "").length
