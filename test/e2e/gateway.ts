/**
 * A real OpenClaw gateway for the end-to-end suite: an installed release (test/oracle/install.ts)
 * started on loopback with a throwaway HOME, in its own process group so that stopping it stops
 * everything it started; and the release's own CLI, run against that HOME.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { releasePackageDir } from "../oracle/releases.ts"

/** The Node the project pins (node_modules/.bin/node is Node 24; system node is 20). */
export const nodeBinary = process.execPath

export interface GatewayHome {
  readonly home: string
  readonly stateDir: string
  readonly configPath: string
  readonly remove: () => void
}

/** A throwaway HOME with `.openclaw/openclaw.json` holding `config`. */
export function makeHome(config: unknown): GatewayHome {
  const home = mkdtempSync(join(tmpdir(), "hl-e2e-"))
  const stateDir = join(home, ".openclaw")
  mkdirSync(stateDir, { recursive: true })
  const configPath = join(stateDir, "openclaw.json")
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`)
  return { home, stateDir, configPath, remove: () => rmSync(home, { recursive: true, force: true }) }
}

/**
 * The environment a gateway or its CLI runs in: only the throwaway HOME's state, no colour, and
 * not the test runner's marks: OpenClaw reads `VITEST*` and `NODE_ENV=test` as its own test
 * mode (in dozens of places: its logger goes silent, `--json` output with it), and the gateway
 * under test must run as an operator runs it.
 */
function gatewayEnv(home: string, extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, NO_COLOR: "1", FORCE_COLOR: "0" }
  for (const name of Object.keys(env))
    if (name.startsWith("OPENCLAW_") || name.startsWith("VITEST") || name === "NODE_ENV") delete env[name]
  return { ...env, ...extra }
}

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `openclaw <args>` of `version` against `home`; never throws on a non-zero exit. */
export function runOpenclaw(
  version: string,
  home: string,
  args: ReadonlyArray<string>,
  options: { readonly timeoutMs?: number; readonly env?: Readonly<Record<string, string>> } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary, [join(releasePackageDir(version), "openclaw.mjs"), ...args], {
      env: gatewayEnv(home, options.env ?? {}),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), options.timeoutMs ?? 60_000)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // The group is already gone.
  }
}

const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
    server.once("error", () => resolve(false))
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
  })

/** A port p with p and p+2 free on loopback (the gateway also listens on p+2). */
export async function freeGatewayPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000)
    if ((await portFree(port)) && (await portFree(port + 1)) && (await portFree(port + 2))) return port
  }
  throw new Error("no free loopback port pair found")
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = new Socket()
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
    socket.connect(port, "127.0.0.1")
  })

export interface RunningGateway {
  readonly version: string
  readonly port: number
  readonly url: string
  readonly home: GatewayHome
  /** Everything the gateway printed so far (stdout and stderr). */
  readonly output: () => string
  /** Stops the whole process group (TERM, then KILL after a grace period) and waits for it. */
  readonly stop: () => Promise<void>
}

/**
 * Starts `openclaw gateway` of `version` on loopback and resolves once it accepts connections.
 * Rejects (after stopping it) when it exits or is not ready in time, with its output.
 */
export async function startGateway(
  version: string,
  home: GatewayHome,
  options: {
    readonly env?: Readonly<Record<string, string>>
    readonly readyTimeoutMs?: number
    /** Shared-token auth instead of `--auth none`: newer releases let only a paired device or a
     * shared-auth operator reach the gateway (2026.9.6 answers "device identity required"). */
    readonly token?: string
  } = {},
): Promise<RunningGateway> {
  const port = await freeGatewayPort()
  const auth =
    options.token === undefined ? ["--auth", "none"] : ["--auth", "token", "--token", options.token]
  const child = spawn(
    nodeBinary,
    [
      join(releasePackageDir(version), "openclaw.mjs"),
      "gateway",
      "--dev",
      "--allow-unconfigured",
      ...auth,
      "--bind",
      "loopback",
      "--port",
      String(port),
    ],
    { env: gatewayEnv(home.home, options.env ?? {}), stdio: ["ignore", "pipe", "pipe"], detached: true },
  )
  let output = ""
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-200_000)
  }
  child.stdout?.on("data", append)
  child.stderr?.on("data", append)
  let exited = false
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true
      resolve()
    }),
  )
  const stop = async () => {
    if (exited) return
    killGroup(child, "SIGTERM")
    const grace = setTimeout(() => killGroup(child, "SIGKILL"), 5_000)
    await exit
    clearTimeout(grace)
    // Anything the gateway started that outlived it.
    killGroup(child, "SIGKILL")
  }
  const deadline = Date.now() + (options.readyTimeoutMs ?? 45_000)
  while (!(await accepts(port))) {
    if (exited || Date.now() > deadline) {
      await stop()
      throw new Error(
        `openclaw@${version} gateway ${exited ? "exited" : "was not ready in time"} (port ${port}):\n${output.slice(-4000)}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { version, port, url: `ws://127.0.0.1:${port}`, home, output: () => output, stop }
}
