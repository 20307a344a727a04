import { findPhoneNumbersInText, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * Phone numbers, one rule for the whole product: stored and compared as E.164
 * (`+` and up to 15 digits), accepted in the forms people type, validated against
 * each country's numbering plan by libphonenumber-js.
 */
export type E164 = string & { readonly __brand: 'E164' };

export interface PhoneCheck {
  ok: boolean;
  /** The canonical form when ok. */
  e164?: E164;
  /** What is wrong and how to write it, when not ok. */
  problem?: string;
}

const E164_SHAPE = /^\+[1-9]\d{1,14}$/;

/**
 * Parses "+1 (555) 123-4567", "0044 20 7946 0958" or, with a default country,
 * "020 7946 0958". Numbers must be valid for their country, not merely well formed.
 */
export function checkPhoneNumber(input: string, defaultCountry?: CountryCode): PhoneCheck {
  const text = input.trim().replace(/^00(?=[1-9])/, '+');
  if (text === '') return { ok: false, problem: 'Enter a phone number in international form, e.g. +14155550123.' };
  if (/[a-z]/i.test(text.replace(/\s*(ext\.?|x)\s*\d+$/i, ''))) return { ok: false, problem: `"${input}" contains letters: use digits only, e.g. +14155550123.` };
  const parsed = parsePhoneNumberFromString(text, defaultCountry);
  if (!parsed) {
    return { ok: false, problem: `"${input}" is not a phone number: write it in international form with the country code, e.g. +14155550123.` };
  }
  if (!parsed.isValid()) {
    return { ok: false, problem: `"${input}" is not a valid number${parsed.country ? ` for ${parsed.country}` : ''}: check the digits and the country code.` };
  }
  const e164 = parsed.number;
  if (!E164_SHAPE.test(e164)) return { ok: false, problem: `"${input}" is longer than E.164 allows (15 digits).` };
  return { ok: true, e164: e164 as E164 };
}

/** The canonical E.164 form, or throws with the problem (for values already validated elsewhere). */
export function toE164(input: string, defaultCountry?: CountryCode): E164 {
  const checked = checkPhoneNumber(input, defaultCountry);
  if (!checked.ok) throw new Error(checked.problem);
  return checked.e164!;
}

export function isE164(value: string): value is E164 {
  return E164_SHAPE.test(value);
}

/** "+1 415 555 0123": for people; storage and comparison always use E.164. */
export function formatInternational(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/** The digits only, for "search as you type" matching of numbers however they are written. */
export function digitsOf(value: string): string {
  return value.replace(/\D/g, '');
}

/**
 * The phone numbers written in a free text ("call Jane at (425) 555-0142 or
 * +44 20 7946 0958"), canonical E.164, each once, in the order they first appear.
 * Numbers without a country code are read for `defaultCountry`; only numbers valid
 * for their country count, so order numbers, dates and amounts are not taken.
 */
export function findPhoneNumbers(text: string, defaultCountry?: CountryCode): E164[] {
  // "0044 20 ..." as people write it in Europe: 00 is the international prefix, as in checkPhoneNumber.
  const normalised = text.replace(/(^|[^\d+])00(?=[1-9]\d)/g, '$1+');
  const found = findPhoneNumbersInText(normalised, defaultCountry ? { defaultCountry } : {});
  const numbers: E164[] = [];
  for (const { number } of found) {
    const e164 = number.number;
    if (number.isValid() && E164_SHAPE.test(e164) && !numbers.includes(e164 as E164)) numbers.push(e164 as E164);
  }
  return numbers;
}

/** The country a number belongs to ("US" for +1 425 ...), to read numbers written without a country code the same way. */
export function countryOf(e164: string): CountryCode | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}
