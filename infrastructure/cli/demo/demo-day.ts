/**
 * The frame of the demo's gateway day: a fixed start (two runs with one seed record the same
 * log), its length, the retention its sweeps apply, and the units its plan is written in.
 */
export const DEMO_DAY_START = Date.UTC(2025, 5, 2, 0, 0, 0)
export const SECOND = 1000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DEMO_DAY_LENGTH = 24 * HOUR
/** `cron.sessionRetention` for the demo's sweeps. */
export const DEMO_RETENTION = "6h"
