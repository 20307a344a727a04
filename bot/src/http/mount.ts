import { pipeline } from 'node:stream/promises';
import restify, { type Next, type Request, type RequestHandler, type Response, type Server } from 'restify';
import { z } from 'zod';
import { AppError, parseOrThrow, type Principal } from '@switchboard/shared';
import { errorBody } from './error-body';
import { isStreamOperation, type Operation } from './operation';
import { sendError } from './respond';

export interface Authenticator {
  verify(authorization: string | undefined): Promise<Principal>;
}

const emptyObject = z.object({});

/** OpenAPI `{name}` segments become restify `:name` segments. */
export const restifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** Text of an uploaded file: UTF-16 when it starts with that byte order mark, else UTF-8 (what is not UTF-8 shows as U+FFFD). */
function fileText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return bytes.toString('utf8');
}

/** Carrier webhooks: their bodies are kept as the exact bytes received (signatures cover them). */
export const SMS_WEBHOOK_ROUTE = '/api/sms/:type/:connectionId';

/** The exact request body of a carrier webhook, as read by `bodyParsing`. */
export const rawBodyOf = (req: Request): Buffer => ((req as unknown as { rawBody?: unknown }).rawBody instanceof Buffer ? (req as unknown as { rawBody: Buffer }).rawBody : Buffer.alloc(0));

/**
 * Body parsing for the server: restify's bodyParser (JSON, `maxBodyBytes`) for every
 * route, except operations with a `fileBody`, whose body is read here up to their own
 * limit and taken as JSON or, for their file media types, as the file's text.
 */
export function bodyParsing(operations: readonly Operation[], maxBodyBytes: number): RequestHandler[] {
  const standard = restify.plugins.bodyParser({ maxBodySize: maxBodyBytes, mapParams: false, rejectUnknown: false }) as unknown as RequestHandler[];
  const withFiles = new Map(operations.filter((op) => op.fileBody).map((op) => [`${op.method} ${restifyPath(op.path)}`, op]));
  const fileOperation = (req: Request) => {
    const route = req.getRoute() as { method?: string; path?: unknown } | undefined;
    return route ? withFiles.get(`${String(route.method).toUpperCase()} ${String(route.path)}`) : undefined;
  };

  const isWebhook = (req: Request) => {
    const route = req.getRoute() as { path?: unknown } | undefined;
    return route?.path === SMS_WEBHOOK_ROUTE;
  };

  // Webhooks: the raw bytes on `req.rawBody` (a Buffer), never parsed or re-serialized here.
  const readRawBody = (req: Request, res: Response, next: Next) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.once('error', (error) => next(error));
    req.once('end', () => {
      if (size > maxBodyBytes) {
        res.send(413, errorBody('payload_too_large', `A webhook body can be at most ${maxBodyBytes} bytes.`, req.getId()));
        return next(false);
      }
      (req as unknown as { rawBody: Buffer }).rawBody = Buffer.concat(chunks);
      return next();
    });
    req.resume();
  };

  const readFileBody = (op: Operation, req: Request, res: Response, next: Next) => {
    const { contentTypes, field, maxBytes, tooLarge } = op.fileBody!;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.once('error', (error) => next(error));
    req.once('end', () => {
      if (size > maxBytes) {
        res.send(413, errorBody('payload_too_large', tooLarge, req.getId()));
        return next(false);
      }
      const bytes = Buffer.concat(chunks);
      const type = (req.contentType() || '').toLowerCase();
      if (bytes.length === 0) return next();
      if (type === 'application/json' || type.endsWith('+json')) {
        try {
          req.body = JSON.parse(bytes.toString('utf8'));
        } catch {
          res.send(400, errorBody('bad_request', 'The request body is not valid JSON.', req.getId()));
          return next(false);
        }
        return next();
      }
      if (contentTypes.includes(type)) {
        req.body = { [field]: fileText(bytes) };
        return next();
      }
      res.send(415, errorBody('unsupported_media_type', `Send the file as ${contentTypes.join(' or ')}, or as JSON with the file's text in "${field}".`, req.getId()));
      return next(false);
    });
    req.resume();
  };

  // The same number of handlers as restify's, each deferring to it unless the route takes files.
  // Without credentials a file is not even read: the answer is 401 whatever its size.
  return standard.map((handler, index) => (req: Request, res: Response, next: Next) => {
    if (isWebhook(req)) return index === 0 ? readRawBody(req, res, next) : next();
    const op = fileOperation(req);
    if (!op) return handler(req, res, next);
    if (index === 0 && req.header('authorization')) return readFileBody(op, req, res, next);
    return next();
  });
}

/**
 * Registers each operation on the server: authenticate, validate path, query and
 * body with the operation's schemas, call the handler, answer with JSON (or, for a
 * streaming operation, pipe its stream to the response with backpressure).
 */
export function mountOperations(server: Server, operations: readonly Operation[], authenticator: Authenticator): void {
  for (const op of operations) {
    const route = restifyPath(op.path);
    const handler = async (req: Request, res: Response) => {
      const requestId = req.getId();
      try {
        const principal = await authenticator.verify(req.header('authorization'));
        const params = parseOrThrow(op.params ?? emptyObject, req.params ?? {}, 'path');
        const query = parseOrThrow(op.query ?? emptyObject, req.query ?? {}, 'query string');
        const body = op.body ? parseOrThrow(op.body, req.body ?? {}, 'request body') : undefined;
        const ifMatch = req.header('if-match');
        if (op.requiresIfMatch && !ifMatch) {
          res.send(428, errorBody('precondition_required', 'Send the If-Match header with the ETag you read, so a change made meanwhile by someone else is not overwritten.', requestId));
          return;
        }
        const input = { principal, params, query, body, ifMatch: ifMatch ?? '', requestId };
        if (isStreamOperation(op)) {
          const { stream, headers } = await op.handle(input);
          res.writeHead(op.response.status, { ...headers, 'content-type': op.response.contentType, 'cache-control': 'no-store' });
          try {
            await pipeline(stream, res);
          } catch (error) {
            // The status line is gone: the only honest signal left is a cut connection.
            req.log.error({ err: error }, 'streamed answer failed');
            res.destroy();
          }
          return;
        }
        const result = await op.handle(input);
        if (op.response.status === 204) {
          res.send(204);
          return;
        }
        const etag = (result as { etag?: unknown } | undefined)?.etag;
        if (typeof etag === 'string') res.header('ETag', etag);
        res.send(op.response.status, result);
      } catch (error) {
        if (error instanceof AppError) {
          res.send(error.status, errorBody(error.code, error.message, requestId, error.details));
          return;
        }
        sendError(req, res, error);
      }
    };
    switch (op.method) {
      case 'GET':
        server.get(route, handler);
        break;
      case 'POST':
        server.post(route, handler);
        break;
      case 'PUT':
        server.put(route, handler);
        break;
      case 'PATCH':
        server.patch(route, handler);
        break;
      case 'DELETE':
        server.del(route, handler);
        break;
    }
  }
}
