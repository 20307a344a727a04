import { ValidationError } from '../errors';

/**
 * Table Storage refuses `/ \ # ?` and control characters in PartitionKey and RowKey.
 * We percent-encode those (and `%` itself, so the encoding is reversible, and `!`,
 * which we reserve as the first character of index rows). Everything else is kept as is, so
 * ordinary keys stay readable and prefix range queries keep working.
 */
const NEEDS_ESCAPE = /[/\\#?%!\u0000-\u001f\u007f-\u009f]/g;
const ESCAPED = /%([0-9A-F]{2})/g;
const MAX_KEY_LENGTH = 1024;

export function escapeKey(value: string): string {
  const escaped = value.replace(NEEDS_ESCAPE, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
  if (escaped.length > MAX_KEY_LENGTH) {
    throw new ValidationError(`A key may be at most ${MAX_KEY_LENGTH} characters once encoded; shorten it.`, [
      { path: 'key', message: `longer than ${MAX_KEY_LENGTH} characters once encoded` },
    ]);
  }
  return escaped;
}

export function unescapeKey(key: string): string {
  return key.replace(ESCAPED, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Quotes a string for use inside an OData filter literal. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const MAX_TIME = 9_999_999_999_999;

/**
 * Newest first in ascending key order: an inverted millisecond timestamp, 13 digits.
 * (Table Storage sorts by RowKey only; time-ordered lists start their keys with this.)
 */
export function invertedTime(at: Date | string): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return String(MAX_TIME - (Number.isNaN(ms) ? 0 : ms)).padStart(13, '0');
}
