/**
 * One real gateway of a release with our plugin installed by OpenClaw's own
 * `openclaw plugins install --link`, its store configured in the plugin's config, and the
 * scripted model as its only model. The end-to-end tests drive it through OpenClaw's CLI.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { type GatewayHome, makeHome, type RunningGateway, runOpenclaw, startGateway } from "./gateway.ts"
import { type Script, type ScriptedModel, startScriptedModel } from "./scripted-model.ts"

export const PLUGIN_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "infrastructure",
  "openclaw-plugin",
)

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
  readonly storeUrl: string
  /** `openclaw system event --text … --mode <mode>` through the gateway; returns the CLI's result. */
  readonly systemEvent: (
    text: string,
    mode?: "now" | "next-heartbeat",
  ) => Promise<{ readonly code: number | null; readonly output: string }>
  readonly cli: (args: ReadonlyArray<string>) => ReturnType<typeof runOpenclaw>
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
export async function startObservedGateway(version: string, script: Script): Promise<ObservedGateway> {
  const model = await startScriptedModel(script)
  const home = makeHome(scriptedModelConfig(model.baseUrl))
  let gateway: RunningGateway | undefined
  try {
    // Newer releases ask before installing from a local path and before granting its
    // capabilities, and take `--force` / `--accept-capabilities` as the non-interactive answers
    // (which older releases refuse): add each one only when the release asks for it.
    const install = ["plugins", "install", "--link", PLUGIN_DIR]
    let installed = await runOpenclaw(version, home.home, install)
    for (const flag of ["--force", "--accept-capabilities", "--force"]) {
      const said = installed.stdout + installed.stderr
      if (installed.code === 0 || install.includes(flag) || !said.includes(flag)) continue
      install.push(flag)
      installed = await runOpenclaw(version, home.home, install)
    }
    if (installed.code !== 0)
      throw new Error(
        `openclaw@${version} plugins install exited ${installed.code}:\n${installed.stdout}\n${installed.stderr}`,
      )
    const storeUrl = `sqlite:${join(home.home, "observed.db")}`
    const config = JSON.parse(readFileSync(home.configPath, "utf8")) as {
      plugins?: { entries?: Record<string, { config?: unknown }> }
    }
    const entries = config.plugins?.entries ?? {}
    entries["heartbeat-ledger"] = { ...entries["heartbeat-ledger"], config: { store: storeUrl } }
    config.plugins = { ...config.plugins, entries }
    writeFileSync(home.configPath, `${JSON.stringify(config, null, 2)}\n`)
    const running = await startGateway(version, home, { env: { HEARTBEAT_LEDGER_PLUGIN_FROM_SOURCE: "1" } })
    gateway = running
    const client = ["--url", running.url, "--token", "e2e"]
    await pairCli(version, home.home, client)
    let closed = false
    return {
      gateway: running,
      model,
      home,
      storeUrl,
      cli: (args) => runOpenclaw(version, home.home, args),
      gatewayCli: (args) => runOpenclaw(version, home.home, [...args, ...client]),
      systemEvent: async (text, mode = "now") => {
        const event = ["system", "event", "--text", text, "--mode", mode, "--json"]
        let result = await runOpenclaw(version, home.home, [...event, ...client])
        // Newer releases want a paired device identity for a URL override; without the
        // override the CLI connects to the gateway's port as the home's own device (any token
        // does with `--auth none`, but one must be given).
        if (result.code !== 0 && /device identity required/.test(result.stdout + result.stderr))
          result = await runOpenclaw(version, home.home, [...event, "--token", "e2e"], {
            env: { OPENCLAW_GATEWAY_PORT: String(running.port) },
          })
        return { code: result.code, output: result.stdout + result.stderr }
      },
      close: async () => {
        if (closed) return
        closed = true
        await running.stop()
        await model.close()
        home.remove()
      },
    }
  } catch (error) {
    await gateway?.stop()
    await model.close()
    home.remove()
    throw error
  }
}
