import type { IncomingHttpHeaders } from 'node:http';

/**
 * The slice of OData that Graph clients use against directory objects: `$select`,
 * a simple `$filter`, `$top`, `Prefer: odata.maxpagesize`, and Graph's error shape.
 */

/** An error answered in Graph's shape: `{ error: { code, message, innerError } }`. */
export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const badRequest = (code: string, message: string) => new GraphRequestError(400, code, message);

/** A query option by name; Graph accepts `$select` and `select`, in any case. */
export function queryOption(query: URLSearchParams, name: string): string | undefined {
  const wanted = [`$${name}`.toLowerCase(), name.toLowerCase()];
  for (const [key, value] of query) if (wanted.includes(key.toLowerCase())) return value;
  return undefined;
}

/** Properties an entity type exposes, with the type name Graph puts in its error messages. */
export interface EntityType {
  name: string;
  properties: readonly string[];
  /** What Graph returns when the caller names no `$select`. */
  defaultSelect: readonly string[];
}

function canonicalProperty(type: EntityType, name: string): string {
  const found = type.properties.find((p) => p.toLowerCase() === name.toLowerCase());
  if (!found) throw badRequest('BadRequest', `Could not find a property named '${name}' on type '${type.name}'.`);
  return found;
}

/** The properties to return: `$select` (names checked, case fixed, id always included) or the defaults. */
export function parseSelect(value: string | undefined, type: EntityType): string[] {
  if (value === undefined || value.trim() === '') return [...type.defaultSelect];
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  if (names.includes('*')) return [...type.properties];
  return [...new Set(['id', ...names.map((name) => canonicalProperty(type, name))])];
}

export function project(entity: object, select: readonly string[]): Record<string, unknown> {
  const source = entity as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of select) out[name] = source[name] ?? null;
  return out;
}

export type Filter = (entity: object) => boolean;

const STARTS_WITH = /^\s*startswith\(\s*([A-Za-z]+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$/i;
const EQUALS = /^\s*([A-Za-z]+)\s+eq\s+'((?:[^']|'')*)'\s*$/i;

/**
 * `startswith(prop,'x')` or `prop eq 'x'` on a string property, compared ignoring case
 * as Graph does for directory objects. Anything else is refused the way Graph refuses
 * queries it does not support, so a client cannot come to rely on more.
 */
export function parseFilter(value: string | undefined, type: EntityType): Filter | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const match = STARTS_WITH.exec(value) ?? EQUALS.exec(value);
  if (!match) throw badRequest('Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified: '${value}'. The simulator supports startswith(property,'text') and property eq 'text'.`);
  const property = canonicalProperty(type, match[1]!);
  const literal = match[2]!.replace(/''/g, "'").toLowerCase();
  const startsWith = STARTS_WITH.test(value);
  return (entity) => {
    const actual = (entity as Record<string, unknown>)[property];
    if (typeof actual !== 'string') return false;
    const lower = actual.toLowerCase();
    return startsWith ? lower.startsWith(literal) : lower === literal;
  };
}

export const MAX_PAGE_SIZE = 999;

/** `$top` when given (1..999, else 400, as Graph answers); undefined otherwise. */
export function parseTop(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const top = Number(value);
  if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE) {
    throw badRequest('Request_BadRequest', `Invalid page size specified: '${value}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`);
  }
  return top;
}

/** `Prefer: odata.maxpagesize=N`, capped at 999; undefined when absent or unreadable. */
export function preferredPageSize(headers: IncomingHttpHeaders): number | undefined {
  const prefer = headers['prefer'];
  const text = Array.isArray(prefer) ? prefer.join(',') : prefer ?? '';
  const match = /odata\.maxpagesize\s*=\s*"?(\d+)"?/i.exec(text);
  if (!match) return undefined;
  const size = Number(match[1]);
  return size >= 1 ? Math.min(size, MAX_PAGE_SIZE) : undefined;
}
