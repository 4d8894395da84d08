/**
 * One real gateway of a release with our plugin installed by OpenClaw's own
 * `openclaw plugins install` (linked from this checkout, or the packed package through
 * `npm-pack:`), its store configured in the plugin's config, and the scripted model as its
 * only model. The end-to-end tests drive it through OpenClaw's CLI.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { type GatewayHome, makeHome, type RunningGateway, runOpenclaw, startGateway } from "./gateway.ts"
import { type IrcServer, ircChannelConfig, startIrcServer } from "./irc-server.ts"
import { packPackage } from "./packed-plugin.ts"
import { type Script, type ScriptedModel, startScriptedModel } from "./scripted-model.ts"

/** The plugin is the package itself (package.json `openclaw.extensions`, openclaw.plugin.json). */
export const PLUGIN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..")

export interface ObservedGatewayOptions {
  /** `link`: `plugins install --link <checkout>` (the source); `npm-pack`: `npm pack`, then
   * `plugins install npm-pack:<tarball>` (the built package and its registry dependencies). */
  readonly install?: "link" | "npm-pack"
  /** Run the gateway with shared-token auth (newer releases refuse an unpaired `--auth none` client). */
  readonly tokenAuth?: boolean
  /** A real IRC server (ngircd, irc-server.ts) the gateway's IRC channel joins, and the
   * heartbeat's delivery target: a heartbeat with a user to deliver to. */
  readonly irc?: boolean
}

/** The home's openclaw.json: the scripted model as the agents' primary, no update check. */
export const scriptedModelConfig = (baseUrl: string) => ({
  update: { checkOnStart: false },
  models: {
    mode: "merge",
    providers: {
      scripted: {
        baseUrl,
        api: "openai-completions",
        apiKey: "scripted-local",
        models: [
          {
            id: "m1",
            name: "Scripted",
            reasoning: false,
            input: ["text"],
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
            contextWindow: 128_000,
            maxTokens: 4096,
          },
        ],
      },
    },
  },
  agents: { defaults: { model: { primary: "scripted/m1" } } },
})

export interface ObservedGateway {
  readonly gateway: RunningGateway
  readonly model: ScriptedModel
  readonly home: GatewayHome
  /** The IRC server the gateway delivers to, when `irc` was asked for. */
  readonly irc: IrcServer | undefined
  readonly storeUrl: string
  /** `openclaw system event --text … --mode <mode>` through the gateway; returns the CLI's result. */
  readonly systemEvent: (
    text: string,
    mode?: "now" | "next-heartbeat",
  ) => Promise<{ readonly code: number | null; readonly output: string }>
  readonly cli: (args: ReadonlyArray<string>) => ReturnType<typeof runOpenclaw>
  /** `--url <gateway> --token <token>`: what a CLI call needs to reach this gateway. */
  readonly client: ReadonlyArray<string>
  /** `cli` with the client flags that reach the running gateway (`--url`, `--token`) appended. */
  readonly gatewayCli: (args: ReadonlyArray<string>) => ReturnType<typeof runOpenclaw>
  /** Stops the gateway and the model, removes the home. Safe to call twice. */
  readonly close: () => Promise<void>
}

/**
 * Pairs the home's CLI device with the CLI's default operator scopes (all of them). The gateway
 * approves a loopback device's first pairing with exactly the scopes that first call asked for,
 * and every broader ask later is a "scope upgrade pending approval" (`openclaw system event`
 * asks for admin only, `openclaw cron add` for more). `openclaw gateway call` of a method the
 * scope table does not classify asks for the defaults; the call itself then fails as
 * "unknown method", which is the expected answer.
 */
async function pairCli(version: string, home: string, client: ReadonlyArray<string>): Promise<void> {
  const paired = await runOpenclaw(version, home, [
    "gateway",
    "call",
    "heartbeat-ledger.e2e.pair",
    "--json",
    ...client,
  ])
  const said = paired.stdout + paired.stderr
  // Newer releases (2026.9.6) refuse a URL override without a paired device identity: there
  // the CLI is not paired this way (see systemEvent).
  if (!/unknown method|device identity required/.test(said))
    throw new Error(`openclaw@${version}: pairing the CLI failed:\n${said}`)
}

/** Installs the plugin into a fresh home of `version`, starts its gateway. Throws, cleaned up, on failure. */
export async function startObservedGateway(
  version: string,
  script: Script,
  options: ObservedGatewayOptions = {},
): Promise<ObservedGateway> {
  const model = await startScriptedModel(script)
  const irc = options.irc === true ? await startIrcServer() : undefined
  const base = scriptedModelConfig(model.baseUrl)
  const delivery = irc === undefined ? undefined : ircChannelConfig(irc)
  const home = makeHome(
    delivery === undefined
      ? base
      : {
          ...base,
          channels: delivery.channels,
          agents: { defaults: { ...base.agents.defaults, heartbeat: delivery.heartbeat } },
        },
  )
  const packed = options.install === "npm-pack" ? packPackage() : undefined
  let gateway: RunningGateway | undefined
  try {
    // Newer releases ask before installing from a local path and before granting its
    // capabilities, and take `--force` / `--accept-capabilities` as the non-interactive answers
    // (which older releases refuse): add each one only when the release asks for it.
    const install = ["plugins", "install"]
    install.push(...(packed === undefined ? ["--link", PLUGIN_DIR] : [`npm-pack:${packed.tarball}`]))
    let installed = await runOpenclaw(version, home.home, install)
    // Every attempt's words, for the error: the last one alone may say nothing.
    const attempts = [installed]
    // 2026.5.7's scanner blocks the package for the CLI's child_process launcher and the
    // compiled decoder's `new Function`, without naming its override: that flag is added on
    // the block's own words (docs/openclaw-plugin.md says to review first).
    const asks: ReadonlyArray<readonly [string, string]> = [
      ["--force", "--force"],
      ["--accept-capabilities", "--accept-capabilities"],
      ["--force", "--force"],
      ["--dangerously-force-unsafe-install", "dangerous code patterns"],
    ]
    for (const [flag, asked] of asks) {
      const said = installed.stdout + installed.stderr
      if (installed.code === 0 || install.includes(flag) || !said.includes(asked)) continue
      install.push(flag)
      installed = await runOpenclaw(version, home.home, install)
      attempts.push(installed)
    }
    if (installed.code !== 0)
      throw new Error(
        `openclaw@${version} plugins install exited ${installed.code}:\n` +
          attempts
            .map((attempt) => `exit ${attempt.code}:\n${attempt.stdout}\n${attempt.stderr}`)
            .join("\n---\n"),
      )
    const storeUrl = `sqlite:${join(home.home, "observed.db")}`
    const config = JSON.parse(readFileSync(home.configPath, "utf8")) as {
      plugins?: { entries?: Record<string, { config?: unknown }> }
    }
    const entries = config.plugins?.entries ?? {}
    entries["heartbeat-ledger"] = { ...entries["heartbeat-ledger"], config: { store: storeUrl } }
    config.plugins = { ...config.plugins, entries }
    writeFileSync(home.configPath, `${JSON.stringify(config, null, 2)}\n`)
    // The operator's consent to let the plugin see prompts (`before_prompt_build`, needed for
    // it from 2026.9), model input and run ends, given as docs/openclaw-plugin.md says: through
    // OpenClaw's own `config set`.
    const consent = await runOpenclaw(version, home.home, [
      "config",
      "set",
      "plugins.entries.heartbeat-ledger.hooks.allowConversationAccess",
      "true",
    ])
    if (consent.code !== 0)
      throw new Error(
        `openclaw@${version} config set exited ${consent.code}:\n${consent.stdout}\n${consent.stderr}`,
      )
    // A linked checkout runs the TypeScript source (never a stale dist/); a packed install has
    // only the built code.
    const token = options.tokenAuth === true ? `e2e-${process.pid}-${Date.now()}` : undefined
    const running = await startGateway(version, home, {
      env: packed === undefined ? { HEARTBEAT_LEDGER_PLUGIN_FROM_SOURCE: "1" } : {},
      ...(token === undefined ? {} : { token }),
    })
    packed?.remove()
    gateway = running
    const client = ["--url", running.url, "--token", token ?? "e2e"]
    await pairCli(version, home.home, client)
    let closed = false
    return {
      gateway: running,
      model,
      home,
      irc,
      storeUrl,
      client,
      cli: (args) => runOpenclaw(version, home.home, args),
      gatewayCli: (args) => runOpenclaw(version, home.home, [...args, ...client]),
      systemEvent: async (text, mode = "now") => {
        const event = ["system", "event", "--text", text, "--mode", mode, "--json"]
        const result = await runOpenclaw(version, home.home, [...event, ...client])
        return { code: result.code, output: result.stdout + result.stderr }
      },
      close: async () => {
        if (closed) return
        closed = true
        await running.stop()
        await model.close()
        await irc?.stop()
        home.remove()
      },
    }
  } catch (error) {
    await gateway?.stop()
    await model.close()
    await irc?.stop()
    home.remove()
    packed?.remove()
    throw error
  }
}
