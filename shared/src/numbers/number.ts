import { z } from 'zod';
import { isSupportedCountry, parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/max';
import { ValidationError } from '../errors';
import { checkPhoneNumber, formatInternational, type E164 } from '../rules/phone';

/**
 * A phone number (DID) of the enterprise's inventory. The inventory is the one
 * source of truth for who holds a number: assigning is a conditional write of the
 * number's `holder`, so two admins racing for it end with exactly one holder.
 */
export interface NumberHolder {
  type: 'user' | 'group';
  id: string;
  /** Display name at the time of assignment, for messages ("held by Jane Doe"). */
  name: string;
}

export interface Capabilities {
  sms: boolean;
  mms: boolean;
  voice: boolean;
}

export interface PhoneNumberEntry {
  enterpriseId: string;
  number: E164;
  /** The carrier connection that serves it (managed with the messaging engine). */
  carrierConnectionId: string | null;
  capabilities: Capabilities;
  label: string;
  /** The extension shown in the Connect SMS view (the user's PBX extension), if any. */
  extension: string | null;
  /** Sending pace in SMS segments per second; null = the default for long codes (1/s). */
  segmentsPerSecond: number | null;
  holder: NumberHolder | null;
  createdAt: string;
  updatedAt: string;
}

/** US long codes are allowed about one segment a second; carriers queue (for hours) beyond it. */
export const DEFAULT_SEGMENTS_PER_SECOND = 1;

/** A number as added to the inventory: unassigned, SMS only unless told otherwise. */
export function newNumberEntry(
  enterpriseId: string,
  number: E164,
  at: string,
  details: { carrierConnectionId?: string | null; capabilities?: Capabilities; label?: string; extension?: string | null } = {},
): PhoneNumberEntry {
  return {
    enterpriseId,
    number,
    carrierConnectionId: details.carrierConnectionId ?? null,
    capabilities: { ...(details.capabilities ?? defaultCapabilities) },
    label: details.label ?? '',
    extension: details.extension ?? null,
    segmentsPerSecond: null,
    holder: null,
    createdAt: at,
    updatedAt: at,
  };
}

export type NumberStatus = 'unassigned' | 'assigned-user' | 'assigned-group';

export function numberStatus(entry: Pick<PhoneNumberEntry, 'holder'>): NumberStatus {
  if (!entry.holder) return 'unassigned';
  return entry.holder.type === 'user' ? 'assigned-user' : 'assigned-group';
}

export const capabilitiesSchema = z
  .object({ sms: z.boolean(), mms: z.boolean(), voice: z.boolean() })
  .strict()
  .describe('What the number can do.');

export const defaultCapabilities: Capabilities = { sms: true, mms: false, voice: false };

/** Who holds it, as a sentence: "Jane Doe", "the SMS group Dispatch". */
export function describeHolder(holder: NumberHolder): string {
  return holder.type === 'user' ? holder.name : `the SMS group ${holder.name}`;
}

// ---------------------------------------------------------------- fields and their rules

/** A label people give a number ("Front desk"): optional, at most 100 characters, one line. */
export const MAX_LABEL_LENGTH = 100;
export const labelSchema = z
  .string()
  .trim()
  .max(MAX_LABEL_LENGTH, `A label can have at most ${MAX_LABEL_LENGTH} characters.`)
  .regex(/^[^\p{Cc}]*$/u, 'A label cannot contain line breaks, tabs or other control characters.')
  .describe('What the number is for, e.g. "Front desk".');

/** What a carrier allows one number: long code 1/s, toll-free 3/s, short code up to 100/s. */
export const segmentsPerSecondSchema = z
  .number()
  .positive('The pace must be more than 0 segments per second.')
  .max(1000, 'At most 1000 segments per second.')
  .describe('Sending pace in SMS segments per second (long code 1, toll-free 3, short code up to 100); null for the default, 1.');

/** A PBX extension: 1 to 10 digits. */
export const extensionSchema = z
  .string()
  .trim()
  .regex(/^\d{1,10}$/, 'An extension is 1 to 10 digits, e.g. 2104.')
  .describe('The PBX extension shown beside the number, if any.');

export const carrierConnectionIdSchema = z
  .string()
  .trim()
  .min(1, 'Name the carrier connection, or send null for none.')
  .max(100, 'A carrier connection id has at most 100 characters.')
  .regex(/^[^\p{Cc}/\\#?]*$/u, 'A carrier connection id cannot contain / \\ # ? or control characters.')
  .describe('The carrier connection that serves the number.');

/** A number as people write it; canonicalised to E.164 by the service (so the message can name the field). */
export const numberInputSchema = z
  .string()
  .trim()
  .min(1, 'Enter a phone number in international form, e.g. +14155550123.')
  .max(40, 'A phone number has at most 40 characters, formatting included.')
  .describe('A phone number: E.164 (+14155550123) or as people write it ("+1 (415) 555-0123"; national forms need defaultCountry).');

// ---------------------------------------------------------------- how the API shows a number

export const numberStatusValues = ['unassigned', 'assigned-user', 'assigned-group'] as const;

export interface NumberView {
  number: E164;
  /** International format for people: "+1 415 555 0123". */
  display: string;
  label: string;
  capabilities: Capabilities;
  carrierConnectionId: string | null;
  extension: string | null;
  segmentsPerSecond: number | null;
  status: NumberStatus;
  holder: NumberHolder | null;
  createdAt: string;
  updatedAt: string;
  /** Send it back in If-Match to change or delete the number. */
  etag: string;
}

export function toNumberView(stored: { value: PhoneNumberEntry; etag: string }, display: (e164: string) => string = formatInternational): NumberView {
  const n = stored.value;
  return {
    number: n.number,
    display: display(n.number),
    label: n.label,
    capabilities: { ...n.capabilities },
    carrierConnectionId: n.carrierConnectionId,
    extension: n.extension,
    segmentsPerSecond: n.segmentsPerSecond,
    status: numberStatus(n),
    holder: n.holder ? { ...n.holder } : null,
    createdAt: n.createdAt,
    updatedAt: n.updatedAt,
    etag: stored.etag,
  };
}

export const numberHolderSchema = z
  .object({
    type: z.enum(['user', 'group']).describe('A user, or an SMS group.'),
    id: z.string().describe('The user id (Entra object id) or SMS group id.'),
    name: z.string().describe('Display name of the user or name of the group, at the time of assignment.'),
  })
  .meta({ id: 'NumberHolder' });

export const numberViewSchema = z
  .object({
    number: z.string().describe('E.164.'),
    display: z.string().describe('International format for people, e.g. "+1 415 555 0123".'),
    label: z.string(),
    capabilities: z.object({ sms: z.boolean(), mms: z.boolean(), voice: z.boolean() }),
    carrierConnectionId: z.string().nullable(),
    extension: z.string().nullable(),
    segmentsPerSecond: z.number().nullable().describe('Sending pace in SMS segments per second; null = 1 (a long code).'),
    status: z.enum(numberStatusValues),
    holder: numberHolderSchema.nullable().describe('Who holds the number; null when unassigned.'),
    createdAt: z.string(),
    updatedAt: z.string(),
    etag: z.string().describe('Send it back in If-Match to change or delete the number.'),
  })
  .meta({ id: 'PhoneNumber' });

/** The country national forms ("020 7946 0958") are read in: ISO 3166 alpha-2, e.g. US, GB. */
export const defaultCountrySchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine((code) => isSupportedCountry(code), 'Use a two-letter country code with a phone numbering plan, e.g. US or GB.')
  .transform((code) => code as CountryCode)
  .describe('Reads numbers written without a country code as numbers of this country (ISO 3166 alpha-2, e.g. US).');

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * What is wrong with a number, in words: checkPhoneNumber's rule, with the length
 * named when that is the problem ("too short for a +44 number (United Kingdom)").
 */
export function phoneProblem(input: string, defaultCountry?: CountryCode): string | undefined {
  const checked = checkPhoneNumber(input, defaultCountry);
  if (checked.ok) return undefined;
  const text = input.trim().replace(/^00(?=[1-9])/, '+');
  const length = /[a-z]/i.test(text) ? undefined : validatePhoneNumberLength(text, defaultCountry);
  if (length === 'TOO_SHORT' || length === 'TOO_LONG' || length === 'INVALID_LENGTH') {
    const parsed = parsePhoneNumberFromString(text, defaultCountry);
    const code = parsed?.countryCallingCode;
    if (code) {
      const region = parsed.country ? ` (${regionNames.of(parsed.country) ?? parsed.country})` : '';
      const what = length === 'TOO_SHORT' ? 'too short' : length === 'TOO_LONG' ? 'too long' : 'the wrong length';
      return `"${input}" is ${what} for a +${code} number${region}: check the digits.`;
    }
  }
  return checked.problem;
}

/**
 * The E.164 form of a number as someone typed it, or a ValidationError naming the
 * field and the problem ("numbers.2: "+1 555" is too short for a +1 number ...").
 */
export function canonicalNumber(input: string, field: string, defaultCountry?: CountryCode): E164 {
  const checked = checkPhoneNumber(input, defaultCountry);
  if (!checked.ok) {
    const problem = phoneProblem(input, defaultCountry)!;
    throw new ValidationError(`${field}: ${problem}`, [{ path: field, message: problem }]);
  }
  return checked.e164!;
}

/** Several at once: every bad one is named, not only the first. Duplicates are dropped (first kept). */
export function canonicalNumbers(inputs: readonly string[], field: string, defaultCountry?: CountryCode): E164[] {
  const result: E164[] = [];
  const issues: Array<{ path: string; message: string }> = [];
  inputs.forEach((input, i) => {
    const checked = checkPhoneNumber(input, defaultCountry);
    if (!checked.ok) issues.push({ path: `${field}.${i}`, message: phoneProblem(input, defaultCountry)! });
    else if (!result.includes(checked.e164!)) result.push(checked.e164!);
  });
  if (issues.length > 0) {
    throw new ValidationError(issues.length === 1 ? `${issues[0]!.path}: ${issues[0]!.message}` : `${issues.length} numbers are invalid: ${issues.map((i) => i.path).join(', ')}.`, issues);
  }
  return result;
}
