import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../errors';

/** Turns zod issues into field issues: a dotted path and a message saying what to fix. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  const pathOf = (parts: readonly PropertyKey[]) => parts.map(String).join('.') || '(body)';
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: 'Unknown field: remove it (check the spelling).' }))
      : [{ path: pathOf(issue.path), message: issue.message }],
  );
}

/** Parses `input` with `schema`, or throws a ValidationError naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = fieldIssues(result.error);
  const names = [...new Set(details.map((d) => d.path))].join(', ');
  throw new ValidationError(`The ${what} has invalid fields: ${names}.`, details);
}
