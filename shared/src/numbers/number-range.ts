import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { ValidationError } from '../errors';
import { checkPhoneNumber, formatInternational, type E164 } from '../rules/phone';
import { canonicalNumber, phoneProblem } from './number';

/** The most numbers one range may add. */
export const MAX_RANGE_SIZE = 1000;

export interface ExpandedRange {
  /** Valid numbers of the range, ascending. */
  numbers: E164[];
  /** Numbers inside the range that are not valid for their country (skipped). */
  invalid: Array<{ number: string; problem: string }>;
}

/**
 * Every number from `from` to `to`, both included: both valid, in the same country,
 * of the same length, `from` not after `to`, at most 1,000 numbers. Each number in
 * between is validated too; the invalid ones are listed, not added.
 */
export function expandRange(fromInput: string, toInput: string, defaultCountry?: CountryCode): ExpandedRange {
  const issues: Array<{ path: string; message: string }> = [];
  const check = (input: string, field: string) => {
    try {
      return canonicalNumber(input, field, defaultCountry);
    } catch (error) {
      if (error instanceof ValidationError) issues.push(...error.details);
      return undefined;
    }
  };
  const from = check(fromInput, 'from');
  const to = check(toInput, 'to');
  if (!from || !to) throw new ValidationError(`The range is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join(' ')}`, issues);

  const fromParsed = parsePhoneNumberFromString(from)!;
  const toParsed = parsePhoneNumberFromString(to)!;
  if (fromParsed.country !== toParsed.country || fromParsed.countryCallingCode !== toParsed.countryCallingCode) {
    const message = `${formatInternational(from)} (${fromParsed.country ?? '+' + fromParsed.countryCallingCode}) and ${formatInternational(to)} (${toParsed.country ?? '+' + toParsed.countryCallingCode}) are in different countries: a range stays within one country.`;
    throw new ValidationError(message, [{ path: 'to', message }]);
  }
  if (from.length !== to.length) {
    const message = `${formatInternational(from)} and ${formatInternational(to)} have different lengths: a range runs between numbers of the same length.`;
    throw new ValidationError(message, [{ path: 'to', message }]);
  }
  const start = BigInt(from.slice(1));
  const end = BigInt(to.slice(1));
  if (end < start) {
    const message = `The range ends (${formatInternational(to)}) before it starts (${formatInternational(from)}): swap them.`;
    throw new ValidationError(message, [{ path: 'to', message }]);
  }
  const size = end - start + 1n;
  if (size > BigInt(MAX_RANGE_SIZE)) {
    const message = `The range holds ${size.toLocaleString('en-US')} numbers; add at most ${MAX_RANGE_SIZE.toLocaleString('en-US')} at once.`;
    throw new ValidationError(message, [{ path: 'to', message }]);
  }
  const numbers: E164[] = [];
  const invalid: ExpandedRange['invalid'] = [];
  for (let value = start; value <= end; value++) {
    const candidate = `+${value.toString()}`;
    const checked = checkPhoneNumber(candidate);
    if (checked.ok && checked.e164 === candidate) numbers.push(checked.e164);
    else invalid.push({ number: candidate, problem: phoneProblem(candidate) ?? `"${candidate}" is not a valid number.` });
  }
  return { numbers, invalid };
}
