import { z } from 'zod';
import type { FieldIssue } from '@switchboard/shared';

/** The one error shape every API answer uses. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. validation_failed, conflict, not_found.'),
      message: z.string().describe('What went wrong and how to fix it, for a person.'),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('One entry per bad field.'),
      requestId: z.string().optional().describe('Quote it when reporting a problem; it finds the request in the logs.'),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

export function errorBody(code: string, message: string, requestId?: string, details?: FieldIssue[]): ErrorBody {
  return { error: { code, message, ...(details && details.length > 0 ? { details } : {}), ...(requestId ? { requestId } : {}) } };
}
