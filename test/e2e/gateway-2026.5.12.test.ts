// A real openclaw@2026.5.12 gateway with the observer plugin (see injected-events.ts),
// and the cron-run / background-exec proof on it (cron-exec-tests.ts).
import { FIXED_RELEASE } from "../oracle/releases.ts"
import { injectedEventsSuite } from "./injected-events.ts"

injectedEventsSuite(FIXED_RELEASE, { cron: "fixed", irc: true })
