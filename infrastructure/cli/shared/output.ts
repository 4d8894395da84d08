/** Writing to stdout from Effect code (the reports are printed whole, once). */
import { Effect } from "effect"

export const writeStdout = (text: string) => Effect.sync(() => void process.stdout.write(text))

export const writeStderr = (text: string) => Effect.sync(() => void process.stderr.write(text))
