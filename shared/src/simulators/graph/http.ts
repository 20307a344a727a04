import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Small response and request helpers shared by the Entra and Graph routes. */

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Graph's error body; `innerError` carries the ids support would ask for. */
export function graphErrorBody(code: string, message: string, req: IncomingMessage, requestId: string): object {
  const clientRequestId = req.headers['client-request-id'];
  return {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': requestId, 'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : requestId },
    },
  };
}

export const newRequestId = (): string => randomUUID();

