import { formatInternational } from '@switchboard/shared';

/** Adaptive Card version Teams renders on every client. */
export const CARD_VERSION = '1.5';
export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

/** A time Teams shows in the reader's own time zone and locale (`{{DATE()}}`/`{{TIME()}}` take RFC 3339 without fractions). */
export function localTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const rfc3339 = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${rfc3339}, SHORT)}} {{TIME(${rfc3339})}}`;
}

/** "Jane Doe +1 415 555 0123", or the number alone. */
export function who(number: string, name?: string | null): string {
  return name ? `${name} ${formatInternational(number)}` : formatInternational(number);
}
