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

/**
 * One admin API endpoint: its route, the zod schemas that validate the request,
 * the schema of its answer, and the handler. The same description drives request
 * validation and the OpenAPI document, so the two cannot drift apart.
 */
export interface Operation<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
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
  response: { status: 200 | 201 | 204; description: string; schema?: R };
  handle(input: OperationInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<z.input<R>>;
}

/** Identity function that lets TypeScript infer the handler's types from the schemas. */
export function defineOperation<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  operation: Operation<P, Q, B, R>,
): Operation {
  return operation as unknown as Operation;
}
