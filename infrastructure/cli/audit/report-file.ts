/**
 * Where `audit --html FILE` may write: never over the store it reads (its file, WAL, shared
 * memory or journal, also through a symlink or a hard link), and over an existing file only
 * when that file is one of our reports or `--force` says so. The report is written beside the
 * target and renamed over it: owner-only (0600, like the store) and never half-written.
 */
import {
  closeSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from "node:fs"
import { basename, dirname, join, resolve } from "node:path"

/** In the head of every report: what tells our report from somebody else's file. */
export const REPORT_MARKER = '<meta name="generator" content="heartbeat-ledger audit report">'
/** Reports from before the marker are recognised by their title, which is as early in the head. */
const OLD_REPORT_TITLE = "<title>heartbeat-ledger audit</title>"
const HEAD_BYTES = 1024

/** The files SQLite keeps for the database at `path`. */
const sqliteFiles = (path: string) => ["", "-wal", "-shm", "-journal"].map((suffix) => `${path}${suffix}`)

const statOf = (path: string): Stats | undefined => {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

/** The real path, or for a file not there yet its real directory and its name. */
const realPathOf = (path: string): string => {
  try {
    return realpathSync(path)
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path))
    } catch {
      return resolve(path)
    }
  }
}

const sameFile = (a: string, b: string): boolean => {
  const [sa, sb] = [statOf(a), statOf(b)]
  if (sa !== undefined && sb !== undefined) return sa.dev === sb.dev && sa.ino === sb.ino
  return realPathOf(a) === realPathOf(b)
}

const headOf = (path: string): string => {
  const fd = openSync(path, "r")
  try {
    const buffer = Buffer.alloc(HEAD_BYTES)
    return buffer.toString("utf8", 0, readSync(fd, buffer, 0, HEAD_BYTES, 0))
  } finally {
    closeSync(fd)
  }
}

/**
 * Why the report may not go to `target`, or undefined when it may. `storePath` is the SQLite
 * file the audit reads (undefined for other stores).
 */
export function reportTargetRefusal(
  target: string,
  storePath: string | undefined,
  force: boolean,
): string | undefined {
  if (storePath !== undefined && sqliteFiles(resolve(storePath)).some((file) => sameFile(target, file)))
    return `${target} is the store the audit reads (${storePath}); write the report elsewhere`
  const existing = statOf(target)
  if (existing === undefined) return undefined
  if (!existing.isFile()) return `${target} exists and is not a regular file`
  if (force) return undefined
  const head = headOf(target)
  if (head.includes(REPORT_MARKER) || head.includes(OLD_REPORT_TITLE)) return undefined
  return `${target} exists and is not a heartbeat-ledger report; pass --force to overwrite it`
}

/** Writes `html` to `target` through an owner-only file beside it, renamed over the target. */
export function writeReportFile(target: string, html: string): void {
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`)
  try {
    const fd = openSync(temporary, "wx", 0o600)
    try {
      writeFileSync(fd, html)
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, target)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
}
