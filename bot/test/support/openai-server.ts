import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the scripted model does with a user's message: call a tool, or just answer. */
export type ScriptedTurn = { tool: string; args: Record<string, unknown> } | { text: string };

export interface ChatMessage {
  role: string;
  content?: unknown;
  name?: string;
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

/** One request the server answered (or refused). */
export interface CompletionRequest {
  authorization: string | undefined;
  body: { model?: string; messages?: ChatMessage[]; tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>; tool_choice?: unknown; [key: string]: unknown };
  status: number;
}

export interface FakeOpenAiOptions {
  apiKey: string;
  /** Chooses the tool call for the user's message (the last user message of the request). */
  script: (userText: string) => ScriptedTurn;
  /** The final answer once tool results came back; default: the results, joined. */
  final?: (results: string[]) => string;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/**
 * A loopback OpenAI-compatible server for `POST /v1/chat/completions`. It checks what
 * OpenAI checks (the bearer key, a model, well-formed messages and tools, every tool
 * call answered by a tool message, tool calls naming declared tools) and answers in
 * OpenAI's wire format: a scripted tool call for a user's message, then a final
 * assistant message once the tool results arrive.
 */
export class FakeOpenAi {
  readonly requests: CompletionRequest[] = [];
  /** Tool calls it answered with, in order. */
  readonly toolCalls: Array<{ id: string; name: string; args: Record<string, unknown>; userText: string }> = [];
  /** Tool results it received, by call id. */
  readonly toolResults = new Map<string, string>();
  /** Set to make the next requests fail with this HTTP status (e.g. 503). */
  failWith: number | undefined;
  /** Set to make only requests that carry tool results fail with this HTTP status (a failure partway through a turn). */
  failToolResultsWith: number | undefined;
  /** Set to answer tool results with this tool call again, `times` more times (a model that keeps calling tools). */
  repeat: { tool: string; args: Record<string, unknown>; times: number } | undefined;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: FakeOpenAiOptions,
  ) {}

  static async start(options: FakeOpenAiOptions): Promise<FakeOpenAi> {
    let fake: FakeOpenAi | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => fake!.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeOpenAi(server, `http://127.0.0.1:${port}/v1`, options);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(res: ServerResponse, status: number, body: unknown, record?: CompletionRequest): void {
    if (record) record.status = status;
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${randomBytes(8).toString('hex')}` });
    res.end(JSON.stringify(body));
  }

  private refuse(res: ServerResponse, status: number, message: string, code: string | null, record?: CompletionRequest): void {
    this.answer(res, status, { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code } }, record);
  }

  private handle(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== '/v1/chat/completions') return this.refuse(res, 404, `Unknown request URL: ${req.method} ${path}.`, 'unknown_url');
    let body: CompletionRequest['body'];
    try {
      body = JSON.parse(raw) as CompletionRequest['body'];
    } catch {
      return this.refuse(res, 400, 'We could not parse the JSON body of your request.', null);
    }
    const record: CompletionRequest = { authorization: req.headers.authorization, body, status: 0 };
    this.requests.push(record);
    if (req.headers.authorization !== `Bearer ${this.options.apiKey}`) return this.refuse(res, 401, 'Incorrect API key provided.', 'invalid_api_key', record);
    if (this.failWith) return this.refuse(res, this.failWith, 'The server is overloaded.', null, record);
    if (this.failToolResultsWith && body.messages?.[body.messages.length - 1]?.role === 'tool') return this.refuse(res, this.failToolResultsWith, 'The server is overloaded.', null, record);
    const problem = this.checkBody(body);
    if (problem) return this.refuse(res, 400, problem, null, record);

    const messages = body.messages!;
    const last = messages[messages.length - 1]!;
    let message: Record<string, unknown>;
    let finish: string;
    if (last.role === 'tool' && this.repeat && this.repeat.times > 0) {
      this.repeat.times--;
      const id = `call_${randomBytes(12).toString('hex')}`;
      this.toolCalls.push({ id, name: this.repeat.tool, args: this.repeat.args, userText: '' });
      this.toolResults.set(last.tool_call_id!, String(last.content ?? ''));
      message = { role: 'assistant', content: null, refusal: null, tool_calls: [{ id, type: 'function', function: { name: this.repeat.tool, arguments: JSON.stringify(this.repeat.args) } }] };
      finish = 'tool_calls';
    } else if (last.role === 'tool') {
      const results: string[] = [];
      for (let i = messages.length - 1; i >= 0 && messages[i]!.role === 'tool'; i--) {
        const content = String(messages[i]!.content ?? '');
        this.toolResults.set(messages[i]!.tool_call_id!, content);
        results.unshift(content);
      }
      message = { role: 'assistant', content: (this.options.final ?? ((r) => r.join('\n\n')))(results), refusal: null };
      finish = 'stop';
    } else {
      const userText = [...messages].reverse().find((m) => m.role === 'user');
      const text = typeof userText?.content === 'string' ? userText.content : '';
      const turn = this.options.script(text);
      if ('tool' in turn) {
        if (!body.tools?.some((t) => t.function.name === turn.tool)) return this.refuse(res, 400, `The scripted tool ${turn.tool} is not among the request's tools.`, null, record);
        const id = `call_${randomBytes(12).toString('hex')}`;
        this.toolCalls.push({ id, name: turn.tool, args: turn.args, userText: text });
        message = { role: 'assistant', content: null, refusal: null, tool_calls: [{ id, type: 'function', function: { name: turn.tool, arguments: JSON.stringify(turn.args) } }] };
        finish = 'tool_calls';
      } else {
        message = { role: 'assistant', content: turn.text, refusal: null };
        finish = 'stop';
      }
    }
    this.answer(
      res,
      200,
      {
        id: `chatcmpl-${randomBytes(12).toString('hex')}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
        system_fingerprint: 'fp_loopback',
      },
      record,
    );
  }

  /** The request checks OpenAI makes (the subset our client can get wrong). */
  private checkBody(body: CompletionRequest['body']): string | undefined {
    if (typeof body.model !== 'string' || body.model === '') return "you must provide a model parameter";
    if (!Array.isArray(body.messages) || body.messages.length === 0) return "'messages' must contain at least one message.";
    if (body.tools !== undefined) {
      if (!Array.isArray(body.tools)) return "'tools' must be an array.";
      for (const [i, tool] of body.tools.entries()) {
        if (tool.type !== 'function' || !tool.function || !TOOL_NAME.test(tool.function.name)) return `Invalid 'tools[${i}]': a function with a name of letters, digits, _ and - (at most 64).`;
        const parameters = tool.function.parameters as { type?: string } | undefined;
        if (parameters !== undefined && parameters.type !== 'object') return `Invalid schema for function '${tool.function.name}': schema must be a JSON Schema of 'type: "object"'.`;
      }
    }
    const open = new Set<string>();
    for (const [i, m] of body.messages.entries()) {
      if (!ROLES.has(m.role)) return `Invalid value for 'messages[${i}].role': '${m.role}'.`;
      if (open.size > 0 && m.role !== 'tool') return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
      if (m.role === 'tool') {
        if (!m.tool_call_id || !open.delete(m.tool_call_id)) return `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`;
      } else if (m.role === 'assistant' && Array.isArray(m.tool_calls)) {
        for (const call of m.tool_calls) open.add(call.id);
      } else if (m.content === undefined || m.content === null) {
        if (m.role !== 'assistant') return `Invalid value for 'messages[${i}].content': expected a string, got null.`;
      }
    }
    if (open.size > 0) return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
    return undefined;
  }
}
