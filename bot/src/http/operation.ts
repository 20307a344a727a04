import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { Principal } from '@switchboard/shared';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OperationInput<P, Q, B> {
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  /** The If-Match header, when the operation requires one. */
  ifMatch: string;
  requestId: string;
}

/** What a streaming operation's handler returns: the body as a stream, and headers to send with it. */
export interface StreamResult {
  stream: Readable;
  /** E.g. Content-Disposition. The content type comes from the operation's response. */
  headers?: Record<string, string>;
}

/** A JSON answer, described by a zod schema (none for 204). */
export interface JsonResponse<R extends z.ZodType> {
  /** 202: accepted, the work goes on in the background. */
  status: 200 | 201 | 202 | 204;
  description: string;
  schema?: R;
  stream?: never;
}

/** A non-JSON answer written as it is produced (a file download). */
export interface StreamResponse {
  status: 200;
  description: string;
  /** E.g. `text/csv; charset=utf-8`. */
  contentType: string;
  stream: true;
}

interface OperationBase<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  id: string;
  method: Method;
  /** OpenAPI style: `/api/admin/enterprises/{enterpriseId}`. */
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  /** Must carry `.meta({ id })`: request bodies are named components. */
  body?: B;
  /** Require `If-Match` with the ETag the caller read (optimistic concurrency). */
  requiresIfMatch?: boolean;
  /**
   * Also accept the body as a file of these media types (e.g. `text/csv`, as uploaded),
   * besides JSON: its text (UTF-8, or UTF-16 with a byte order mark) reaches the body
   * schema as `{ [field]: text }`. Both forms may be up to `maxBytes` (instead of the
   * server's usual 1 MiB); `tooLarge` is the message beyond that.
   */
  fileBody?: { contentTypes: readonly string[]; field: string; maxBytes: number; tooLarge: string };
}

/**
 * One admin API endpoint: its route, the zod schemas that validate the request,
 * the schema of its answer, and the handler. The same description drives request
 * validation and the OpenAPI document, so the two cannot drift apart.
 */
export interface JsonOperation<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType>
  extends OperationBase<P, Q, B> {
  response: JsonResponse<R>;
  handle(input: OperationInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<z.input<R>>;
}

/** An endpoint whose answer is streamed (e.g. a CSV export); errors before the stream starts are JSON as usual. */
export interface StreamOperation<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> extends OperationBase<P, Q, B> {
  response: StreamResponse;
  handle(input: OperationInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<StreamResult>;
}

export type Operation = JsonOperation | StreamOperation;

export const isStreamOperation = (op: Operation): op is StreamOperation => op.response.stream === true;

/** Identity function that lets TypeScript infer the handler's types from the schemas. */
export function defineOperation<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  operation: JsonOperation<P, Q, B, R>,
): Operation {
  return operation as unknown as Operation;
}

/** Like `defineOperation`, for an endpoint that streams its answer. */
export function defineStreamOperation<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(operation: StreamOperation<P, Q, B>): Operation {
  return operation as unknown as Operation;
}
