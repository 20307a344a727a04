import { pipeline } from 'node:stream/promises';
import type { Request, Response, Server } from 'restify';
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
