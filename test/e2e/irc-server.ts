/**
 * A real IRC server for the end-to-end suite: Debian's `ngircd` (.ci/run installs it), run in
 * the foreground on a free loopback port with its own config in a throwaway directory, stopped
 * by its pid. The gateway's bundled IRC channel connects to it, so a heartbeat has a user to
 * deliver to: only then does OpenClaw put an exec completion's text in the heartbeat's prompt
 * (without a deliverable channel the model is told "user delivery is disabled").
 */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freeGatewayPort } from "./gateway.ts"

export interface IrcServer {
  readonly port: number
  /** The channel the gateway joins and its heartbeat delivers to. */
  readonly channel: string
  /** Everything ngircd printed so far. */
  readonly output: () => string
  /** The messages a user in `channel` received so far (`PRIVMSG` texts), from a listener
   * client the harness keeps in the channel: what the gateway delivered. */
  readonly received: () => ReadonlyArray<string>
  readonly stop: () => Promise<void>
}

/** The gateway's `channels.irc` and heartbeat delivery for `server`: plaintext, loopback. */
export const ircChannelConfig = (server: IrcServer) => ({
  channels: {
    irc: {
      enabled: true,
      host: "127.0.0.1",
      port: server.port,
      tls: false,
      nick: "e2eoclaw", // ngircd allows 9 characters
      channels: [server.channel],
      dmPolicy: "disabled",
      groupPolicy: "disabled",
    },
  },
  heartbeat: { target: "irc", to: server.channel },
})

const accepting = (output: string, port: number) => output.includes(`]:${port} `)

/** Starts ngircd; rejects (after stopping it) when it exits or does not listen in time. */
export async function startIrcServer(): Promise<IrcServer> {
  const dir = mkdtempSync(join(tmpdir(), "hl-ircd-"))
  const port = await freeGatewayPort()
  const config = join(dir, "ngircd.conf")
  // As root ngircd switches to "nobody" by itself; PAM, ident and DNS off: nothing leaves loopback.
  writeFileSync(
    config,
    [
      "[Global]",
      "Name = irc.e2e.local",
      "Info = heartbeat-ledger e2e",
      "AdminInfo1 = heartbeat-ledger e2e",
      "AdminInfo2 = loopback",
      "AdminEMail = e2e@localhost",
      "Listen = 127.0.0.1",
      `Ports = ${port}`,
      "MotdPhrase = e2e",
      "[Options]",
      "PAM = no",
      "Ident = no",
      "DNS = no",
      "",
    ].join("\n"),
  )
  // Debian puts it in /usr/sbin, which a non-root PATH may not hold.
  const binary = existsSync("/usr/sbin/ngircd") ? "/usr/sbin/ngircd" : "ngircd"
  const child = spawn(binary, ["--nodaemon", "--config", config], { stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-50_000)
  }
  child.stdout.on("data", append)
  child.stderr.on("data", append)
  let exited = false
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true
      resolve()
    })
    child.once("error", (error) => {
      exited = true
      output += `\n${String(error)}`
      resolve()
    })
  })
  const stop = async () => {
    if (!exited && child.pid !== undefined) process.kill(child.pid, "SIGTERM")
    await exit
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 10_000
  while (!accepting(output, port)) {
    if (exited || Date.now() > deadline) {
      await stop()
      throw new Error(`ngircd ${exited ? "exited" : "did not listen in time"} (port ${port}):\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const channel = "#e2e"
  let listener: Listener
  try {
    listener = await listen(port, channel)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    port,
    channel,
    output: () => output,
    received: () => listener.received,
    stop: async () => {
      listener.socket.destroy()
      await stop()
    },
  }
}

interface Listener {
  readonly socket: Socket
  readonly received: ReadonlyArray<string>
}

/** A plain IRC user that joins `channel` and keeps what is said there (RFC 1459 lines). */
function listen(port: number, channel: string): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const socket = new Socket()
    const received: string[] = []
    let pending = ""
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the IRC listener did not join ${channel} in time`))
    }, 10_000)
    socket.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    socket.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8")
      const lines = pending.split("\r\n")
      pending = lines.pop() ?? ""
      for (const line of lines) {
        if (line.startsWith("PING ")) socket.write(`PONG ${line.slice(5)}\r\n`)
        // 001: registered; then join the channel.
        else if (/^:\S+ 001 /.test(line)) socket.write(`JOIN ${channel}\r\n`)
        // 366: end of the channel's names list, the join is complete.
        else if (/^:\S+ 366 /.test(line)) {
          clearTimeout(timer)
          resolve({ socket, received })
        } else {
          const said = new RegExp(`^:\\S+ PRIVMSG ${channel} :(.*)$`).exec(line)
          if (said !== null) received.push(said[1] as string)
        }
      }
    })
    socket.connect(port, "127.0.0.1", () => socket.write("NICK e2euser\r\nUSER e2euser 0 * :e2e\r\n"))
  })
}
