/**
 * The launcher's fallback where `process.execve` does not exist (Windows): the CLI runs in a
 * child Node. A SIGKILL of the launcher cannot be forwarded, so the child is tied to it by an
 * IPC channel instead: the operating system closes the channel when the launcher dies, for any
 * reason, and the child then kills itself at once (watchLauncher, in main.ts), before its next
 * write. Catchable signals are passed on; the launcher exits with the child's status.
 */
import { spawn } from "node:child_process"
import { constants } from "node:os"

/** Set in the child's environment: "your launcher is watching over an IPC channel". */
export const LAUNCHER_IPC_ENV = "HEARTBEAT_LEDGER_LAUNCHER_IPC"

export function runInChild(nodeArgs: ReadonlyArray<string>): void {
  const child = spawn(process.execPath, nodeArgs, {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, [LAUNCHER_IPC_ENV]: "1" },
  })
  // A supervisor's SIGTERM reaches only this process: pass it on. (A terminal's Ctrl-C reaches
  // both, and the CLI handles it.)
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => child.kill(signal))
  }
  child.on("error", (error) => {
    process.stderr.write(`heartbeat-ledger: cannot start ${process.execPath}: ${error.message}\n`)
    process.exit(2)
  })
  child.on("exit", (code, signal) => {
    process.exit(code ?? 128 + (signal === null ? 1 : constants.signals[signal]))
  })
}

/**
 * In the CLI's process: when started by runInChild, die the moment the launcher's channel
 * closes. SIGKILL of ourselves, not an orderly exit: an orphan must not write one more event.
 */
export function watchLauncher(): void {
  if (process.env[LAUNCHER_IPC_ENV] !== "1" || process.channel === undefined) return
  delete process.env[LAUNCHER_IPC_ENV]
  process.on("disconnect", () => process.kill(process.pid, "SIGKILL"))
  // The channel must not keep the CLI alive once its work is done.
  process.channel.unref()
}
