import type { Request, Response } from 'restify';
import { errorBody } from './error-body';

/** An unexpected failure: logged in full, answered with a request id and nothing internal. */
export function sendError(req: Request, res: Response, error: unknown): void {
  req.log.error({ err: error }, 'unexpected error');
  if (res.headersSent) return;
  res.send(500, errorBody('internal_error', 'Something went wrong on our side. Try again; if it keeps happening, report the request id.', req.getId()));
}

/** Errors restify raises itself (unknown route, bad JSON, body too large), in our error shape. */
const RESTIFY_CODES: Record<number, { code: string; message: string }> = {
  400: { code: 'bad_request', message: 'The request body is not valid JSON.' },
  404: { code: 'not_found', message: 'No such endpoint. The API is described at /api/openapi.json.' },
  405: { code: 'method_not_allowed', message: 'This endpoint does not accept that method. The API is described at /api/openapi.json.' },
  406: { code: 'not_acceptable', message: 'This endpoint answers JSON only.' },
  413: { code: 'payload_too_large', message: 'The request body is larger than 1 MiB. Send less at once.' },
  415: { code: 'unsupported_media_type', message: 'Send the body as application/json.' },
};

export function restifyErrorBody(status: number, requestId: string): ReturnType<typeof errorBody> {
  const known = RESTIFY_CODES[status] ?? { code: 'internal_error', message: 'Something went wrong on our side. Try again; if it keeps happening, report the request id.' };
  return errorBody(known.code, known.message, requestId);
}
