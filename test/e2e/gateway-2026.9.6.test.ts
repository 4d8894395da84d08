// A real openclaw@2026.9.6 gateway with the observer plugin (see injected-events.ts). It refuses
// an unpaired client of a `--auth none` gateway ("device identity required"), so it runs with a
// shared token, as an operator's gateway does; and the plugin is installed the way an operator
// installs it from npm: the packed package through `plugins install npm-pack:<tarball>`.
import { LATEST_RELEASE } from "../oracle/releases.ts"
import { injectedEventsSuite } from "./injected-events.ts"

injectedEventsSuite(LATEST_RELEASE, { install: "npm-pack", tokenAuth: true })
