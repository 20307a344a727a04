/**
 * The fields that differ between two flat-ish objects, as before/after halves, so
 * the feed shows what changed rather than two whole copies. Nested objects are
 * compared by value and reported with dotted paths.
 */
export function changes(before: object, after: object): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const result = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  walk(before as Record<string, unknown>, after as Record<string, unknown>, '', result);
  return result;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function walk(a: Record<string, unknown>, b: Record<string, unknown>, prefix: string, out: ReturnType<typeof changes>): void {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const path = prefix + key;
    const left = a[key];
    const right = b[key];
    if (isPlainObject(left) && isPlainObject(right)) walk(left, right, path + '.', out);
    else if (JSON.stringify(left) !== JSON.stringify(right)) {
      out.before[path] = left ?? null;
      out.after[path] = right ?? null;
    }
  }
}
