import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request as undiciRequest } from 'undici';
import type { WebhookRequest } from '../../carriers';
import { readBody } from '../request-body';

/** Loopback HTTP plumbing shared by the carrier fakes and the carrier simulator. */

export interface LoopbackServer {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

/** One request as a fake saw it (bodies are kept: these are test servers). */
export interface RecordedCarrierRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** What the fake answered. */
  status: number;
}

export type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => Promise<void> | void;

export async function startLoopbackServer(handler: Handler, options: ServerOptions = {}): Promise<LoopbackServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((body) => handler(req, body, res))
      .catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'fake_failure', message: (error as Error).message } });
        else res.destroy();
      });
  });
  // As a carrier's API does: connections stay open between calls. (Under about 2 s, undici's fetch,
  // which subtracts a second from the server's keep-alive hint, would open a connection per call.)
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return {
    baseUrl: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function record(req: IncomingMessage, body: Buffer, status: number): RecordedCarrierRequest {
  const url = new URL(req.url ?? '/', 'http://fake');
  return { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { ...req.headers }, body: body.toString('utf8'), status };
}

/** Credentials from an `Authorization: Basic` header, or undefined. */
export function basicAuth(req: IncomingMessage): { user: string; password: string } | undefined {
  const value = req.headers.authorization;
  const match = value ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(value.trim()) : null;
  if (!match) return undefined;
  const text = Buffer.from(match[1]!, 'base64').toString('utf8');
  const at = text.indexOf(':');
  return at < 0 ? undefined : { user: text.slice(0, at), password: text.slice(at + 1) };
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const match = req.headers.authorization ? /^Bearer\s+(\S+)$/i.exec(req.headers.authorization.trim()) : null;
  return match?.[1];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DeliveryResult {
  status: number;
  body: string;
}

/** The fakes' webhook deliveries share kept-alive connections, as a carrier's do (undici's `request`: far less CPU than fetch). */
const webhookAgent = new Agent({ keepAliveTimeout: 30_000 });

/** POSTs a signed webhook request (as a fake built it) to its URL, the way the carrier would. */
export async function deliverWebhook(request: WebhookRequest, timeoutMs = 5000): Promise<DeliveryResult> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  const response = await undiciRequest(request.url, { method: 'POST', headers, body: request.rawBody, dispatcher: webhookAgent, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return { status: response.statusCode, body: await response.body.text() };
}

export interface ReceivedWebhook extends WebhookRequest {
  path: string;
}

export interface WebhookReceiver extends LoopbackServer {
  /** Every request received, as a WebhookRequest with the full URL it was sent to. */
  received: ReceivedWebhook[];
  /** Resolves once `count` requests have arrived in total (rejects after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
}

/**
 * A stand-in for our webhook endpoint in tests: records each request as a
 * WebhookRequest and answers what `answer` returns (default 200 `{}`).
 */
export async function startWebhookReceiver(
  answer: (request: ReceivedWebhook) => { status: number; body?: string; contentType?: string } | Promise<{ status: number; body?: string; contentType?: string }> = () => ({ status: 200 }),
  options: ServerOptions = {},
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let baseUrl = '';
  const server = await startLoopbackServer(async (req, body, res) => {
    const url = new URL(req.url ?? '/', baseUrl);
    const request: ReceivedWebhook = { url: url.toString(), path: url.pathname, headers: { ...req.headers }, rawBody: body };
    received.push(request);
    for (const waiter of waiters.filter((w) => received.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const reply = await answer(request);
    const text = reply.body ?? '{}';
    res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }, options);
  baseUrl = server.baseUrl;
  return {
    ...server,
    received,
    waitFor(count, timeoutMs = 3000) {
      if (received.length >= count) return Promise.resolve(received.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Expected ${count} webhook requests within ${timeoutMs} ms, got ${received.length}.`)), timeoutMs);
        waiters.push({ count, resolve: () => { clearTimeout(timer); resolve(received.slice()); } });
      });
    },
  };
}
