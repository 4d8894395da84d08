// The plugin's entry, as OpenClaw loads it (package.json "openclaw.extensions"). OpenClaw
// loads it through a CommonJS transform (no top-level await) and wants every hook subscribed
// during `register`, so this file subscribes synchronously and forwards to the observer once
// its module has loaded: the built copy in the package's dist/ when there is one, else the
// TypeScript source (a checkout has no dist/ until `npm run build`).
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** Every hook the observer records; `before_prompt_build` gives the prompt the model is shown. */
const HOOKS = [
  "before_prompt_build",
  "session_start",
  "session_end",
  "after_tool_call",
  "cron_changed",
  "subagent_spawned",
  "subagent_ended",
  // Needs the operator's plugins.entries.heartbeat-ledger.hooks.allowConversationAccess (as
  // before_prompt_build does from 2026.9); without it OpenClaw logs that it blocked the hook.
  "agent_end",
  // From 2026.9 the drained events are in the model input, not the prompt (needs the same consent).
  "llm_input",
  "gateway_start",
  "gateway_stop",
]
/** Hook calls that arrive while the observer module is still loading (bounded; then counted). */
const EARLY_LIMIT = 1000

const built = new URL("../../dist/infrastructure/openclaw-plugin/observer.js", import.meta.url)
const state = globalThis[Symbol.for("heartbeat-ledger.openclaw-plugin-entry")] ?? {
  observe: undefined,
  early: [],
  earlyLost: 0,
  loading: undefined,
}
globalThis[Symbol.for("heartbeat-ledger.openclaw-plugin-entry")] = state

function load(api) {
  state.loading ??= (async () => {
    const fromSource =
      process.env.HEARTBEAT_LEDGER_PLUGIN_FROM_SOURCE === "1" || !existsSync(fileURLToPath(built))
    const module = await import(fromSource ? "./observer.ts" : built.href)
    state.observe = module.observerFor(api)
    for (const [hook, event, context] of state.early.splice(0)) state.observe(hook, event, context)
    if (state.earlyLost > 0) state.observe("observer.early-lost", { count: state.earlyLost }, {})
  })().catch((error) => {
    ;(api.logger?.warn ?? console.warn)(`heartbeat-ledger: observer not started: ${String(error)}`)
  })
}

export default {
  id: "heartbeat-ledger",
  name: "heartbeat-ledger observer",
  description:
    "Records this gateway's system events, removals and heartbeat prompts into a heartbeat-ledger store.",
  // OpenClaw may call this more than once in a process: the observer is one per process.
  register(api) {
    // A full load starts the observer now. Other loads (discovery, setup, CLI metadata: a
    // `plugins install` makes one) must start no worker or store (docs/plugins/sdk-entrypoints.md),
    // yet 2026.9.6's gateway dispatches some hooks through its discovery registration: there the
    // hooks are subscribed and the observer starts only when one of them fires.
    if (api.registrationMode === undefined || api.registrationMode === "full") load(api)
    for (const hook of HOOKS) {
      try {
        api.on(hook, (event, context) => {
          try {
            if (state.observe !== undefined) state.observe(hook, event, context)
            else {
              // Not started yet (still loading, or a load that does not start it): keep the call.
              load(api)
              if (state.early.length < EARLY_LIMIT) state.early.push([hook, event, context])
              else state.earlyLost++
            }
          } catch {
            // The observer catches its own errors; nothing may reach the gateway.
          }
          return undefined
        })
      } catch (error) {
        ;(api.logger?.warn ?? console.warn)(`heartbeat-ledger: cannot subscribe to ${hook}: ${String(error)}`)
      }
    }
  },
}
