/**
 * The `at` of an import line: an RFC 3339 date-time with a zone, on a real calendar date, in a
 * sane year range. `Date.parse` alone shifts impossible dates (`2025-02-30` → 2 March) or takes
 * year 0, so the fields are checked one by one before it reads them.
 */
import { Schema } from "effect"

/** Years outside this range are refused: a line dated 9999 would throttle every later sweep. */
export const MIN_YEAR = 2000
export const MAX_YEAR = 2099

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/i

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
]

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** Why `text` is not an instant we accept, or undefined when it is. */
export function instantProblem(text: string): string | undefined {
  const match = RFC_3339.exec(text)
  if (match === null)
    return "Expected an ISO-8601 (RFC 3339) date-time with seconds and a zone, e.g. 2025-06-02T08:00:00Z or 2025-06-02T10:00:00+02:00"
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (year < MIN_YEAR || year > MAX_YEAR) return `year ${match[1]} is outside ${MIN_YEAR}–${MAX_YEAR}`
  if (month < 1 || month > 12) return `month ${match[2]} does not exist`
  const days = daysIn(year, month)
  if (day < 1 || day > days)
    return `${match[1]}-${match[2]}-${match[3]} is not a date (${MONTHS[month - 1]} ${year} has ${days} days)`
  if (hour > 23 || minute > 59) return `${match[4]}:${match[5]} is not a time of day`
  if (second > 59) return `second ${match[6]} does not exist (leap seconds cannot be represented)`
  if (match[9] !== undefined && (Number(match[10]) > 23 || Number(match[11]) > 59))
    return `zone offset ${match[8]} does not exist`
  return undefined
}

/** An RFC 3339 instant (above), decoded by `epochOf`. */
export const Instant = Schema.String.check(Schema.makeFilter((text: string) => instantProblem(text) ?? true))

/** `at` of a validated line in epoch milliseconds (digits past milliseconds are dropped). */
export const epochOf = (at: string): number => Date.parse(at)
