/** Event texts and keys an attacker controls (a webhook body, a command's output). */
export const HOSTILE_TEXTS = [
  "<script>alert(1)</script>",
  '<img src=x onerror="alert(2)">',
  "</style><h1>pwned</h1><style>",
  "\u001b[31mRED\u001b[0m \u001b]8;;https://evil.example/\u0007click me\u001b]8;;\u0007",
  "\u001b[2J\u001b[Hscreen cleared; ok\rFAKE OK\u202egnp.exe",
]

/** A hook session nobody's heartbeat drains, its key itself hostile: the texts stay stranded. */
export const HOSTILE_KEY = "agent:main:hook:<b>x</b>:1"

export const hostileImport = (): string =>
  HOSTILE_TEXTS.map((text, index) =>
    JSON.stringify({
      at: `2025-06-02T10:00:0${index}Z`,
      source: "hook",
      sessionKey: HOSTILE_KEY,
      policy: {},
      name: "webhook",
      text,
    }),
  ).join("\n")
