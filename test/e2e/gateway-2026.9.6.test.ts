// A real openclaw@2026.9.6 gateway with the observer plugin (see injected-events.ts).
import { LATEST_RELEASE } from "../oracle/releases.ts"
import { injectedEventsSuite } from "./injected-events.ts"

// Its CLI wants a paired device identity to reach the gateway: the plugin is checked to load
// and observe; injecting events there is the next piece of work (docs/openclaw-plugin.md).
injectedEventsSuite(LATEST_RELEASE, { inject: false })
