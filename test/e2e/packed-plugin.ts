/**
 * The package as `npm pack` makes it, for installing the plugin the way an operator does from
 * npm (`openclaw plugins install npm-pack:<tarball>` goes through the same managed npm project
 * as an `npm:` spec): packed from a fresh copy of the checkout (tracked and new files, never
 * dist/), so the prepack's build runs there and the worktree's dist/ is left alone.
 */
import { execFileSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..")

export interface PackedPackage {
  /** The tarball's absolute path. */
  readonly tarball: string
  readonly remove: () => void
}

export function packPackage(): PackedPackage {
  const work = mkdtempSync(join(tmpdir(), "hl-e2e-pack-"))
  const checkout = join(work, "checkout")
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: repoRoot,
    encoding: "utf8",
  })
  for (const file of listed.split("\0").filter((f) => f !== "" && existsSync(join(repoRoot, f)))) {
    mkdirSync(join(checkout, dirname(file)), { recursive: true })
    copyFileSync(join(repoRoot, file), join(checkout, file))
  }
  symlinkSync(join(repoRoot, "node_modules"), join(checkout, "node_modules"))
  execFileSync("npm", ["pack", "--pack-destination", work, "--no-fund", "--no-audit"], {
    cwd: checkout,
    stdio: ["ignore", "pipe", "pipe"],
  })
  const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"))
  if (tarball === undefined) throw new Error(`npm pack left no tarball in ${work}`)
  return { tarball: join(work, tarball), remove: () => rmSync(work, { recursive: true, force: true }) }
}
