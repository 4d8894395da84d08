/**
 * The one stand-in of the end-to-end suite: the model. A loopback HTTP server speaking the
 * OpenAI chat-completions protocol (streamed chunks, then `[DONE]`), answering each request
 * from a script: the gateway, its tools, queues, cron, heartbeat and our plugin stay real.
 */
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"

/** One chat message as the gateway sends it (only what the script looks at). */
export interface ChatMessage {
  readonly role: string
  readonly content?: unknown
  readonly tool_calls?: ReadonlyArray<unknown>
}

export interface ChatRequest {
  readonly model?: string
  readonly messages: ReadonlyArray<ChatMessage>
  readonly tools?: ReadonlyArray<{ readonly function?: { readonly name?: string } }>
}

/** What the model answers: text, or one tool call (the gateway runs the tool and asks again). */
export type ScriptedAnswer =
  | { readonly _tag: "Text"; readonly text: string; readonly delayMs?: number }
  | { readonly _tag: "ToolCall"; readonly name: string; readonly arguments: Record<string, unknown> }

export type Script = (request: ChatRequest) => ScriptedAnswer

/** The text of a message's content (a string, or an array of `{ type: "text", text }` parts). */
export const contentText = (content: unknown): string =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content
          .map((part: unknown) =>
            typeof part === "object" && part !== null && "text" in part && typeof part.text === "string"
              ? part.text
              : "",
          )
          .join("")
      : ""

/** Every message's text, joined: what a script matches on. */
export const requestText = (request: ChatRequest): string =>
  request.messages.map((message) => contentText(message.content)).join("\n")

export interface ScriptedModel {
  /** `http://127.0.0.1:<port>/v1`, the provider's baseUrl. */
  readonly baseUrl: string
  /** Every request received, in order, for the test to look at. */
  readonly requests: ReadonlyArray<ChatRequest>
  readonly close: () => Promise<void>
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })

let callCounter = 0

/** The streamed chunks of one answer, as an OpenAI-compatible server sends them. */
function chunksOf(answer: ScriptedAnswer, model: string): ReadonlyArray<unknown> {
  const base = { id: `chatcmpl-${++callCounter}`, object: "chat.completion.chunk", created: 0, model }
  const choice = (delta: unknown, finish: string | null) => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: finish }],
  })
  const usage = { ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }
  if (answer._tag === "Text")
    return [choice({ role: "assistant", content: answer.text }, null), choice({}, "stop"), usage]
  const call = {
    index: 0,
    id: `call_${callCounter}`,
    type: "function",
    function: { name: answer.name, arguments: JSON.stringify(answer.arguments) },
  }
  return [choice({ role: "assistant", tool_calls: [call] }, null), choice({}, "tool_calls"), usage]
}

export async function startScriptedModel(script: Script): Promise<ScriptedModel> {
  const requests: ChatRequest[] = []
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request)
      if (request.method === "GET" && request.url?.endsWith("/models")) {
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({ object: "list", data: [{ id: "scripted", object: "model" }] }))
        return
      }
      if (request.method !== "POST" || !request.url?.endsWith("/chat/completions")) {
        response.writeHead(404).end()
        return
      }
      const parsed = JSON.parse(body) as ChatRequest & { readonly stream?: boolean }
      requests.push(parsed)
      const answer = script(parsed)
      // A slow answer keeps the turn open (a background command can finish inside it).
      if (answer._tag === "Text" && answer.delayMs !== undefined)
        await new Promise((resolve) => setTimeout(resolve, answer.delayMs))
      const chunks = chunksOf(answer, parsed.model ?? "scripted")
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
      for (const chunk of chunks) response.write(`data: ${JSON.stringify(chunk)}\n\n`)
      response.end("data: [DONE]\n\n")
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
