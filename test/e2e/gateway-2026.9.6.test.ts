// A real openclaw@2026.9.6 gateway with the observer plugin (see injected-events.ts).
import { LATEST_RELEASE } from "../oracle/releases.ts"
import { injectedEventsSuite } from "./injected-events.ts"

injectedEventsSuite(LATEST_RELEASE)
