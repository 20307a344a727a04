import { ValidationError } from '../errors';
import { canonicalNumber, canonicalNumbers, type PhoneNumberEntry } from './number';
import { parseCapabilities, readNumbersCsv } from './number-csv';
import { compareNumbers, indexNumber, numberFilter, pageOf, type IndexedNumber } from './number-query';
import { expandRange, MAX_RANGE_SIZE } from './number-range';

/** The pure rules of the number inventory: validation, ranges, the CSV reader, the list query. */

function validationOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('number validation', () => {
  it('canonicalises what people type to E.164', () => {
    expect(canonicalNumber('+1 (415) 555-0123', 'number')).toBe('+14155550123');
    expect(canonicalNumber('0044 20 7946 0958', 'number')).toBe('+442079460958');
    expect(canonicalNumber('020 7946 0958', 'number', 'GB')).toBe('+442079460958');
    expect(canonicalNumber('(415) 555-0123', 'number', 'US')).toBe('+14155550123');
  });

  it('names the field and the problem: not E.164, wrong length for the country, letters', () => {
    const national = validationOf(() => canonicalNumber('4155550123', 'number'));
    expect(national.details).toEqual([{ path: 'number', message: expect.stringContaining('international form with the country code') }]);

    const short = validationOf(() => canonicalNumber('+44 20 7946 09', 'number'));
    expect(short.details[0]).toEqual({ path: 'number', message: '"+44 20 7946 09" is the wrong length for a +44 number: check the digits.' });
    const tooLong = validationOf(() => canonicalNumber('+1 415 555 01234', 'from'));
    expect(tooLong.details[0]).toEqual({ path: 'from', message: '"+1 415 555 01234" is too long for a +1 number: check the digits.' });
    const french = validationOf(() => canonicalNumber('+33 1 23 45 67', 'number'));
    expect(french.details[0]!.message).toBe('"+33 1 23 45 67" is too short for a +33 number (France): check the digits.');

    const letters = validationOf(() => canonicalNumber('+1 415 CALL NOW', 'number'));
    expect(letters.details[0]!.message).toMatch(/contains letters/);
    expect(letters.message).toMatch(/^number: /);

    // Right length, but no such number in the plan (555 is not an area code).
    expect(validationOf(() => canonicalNumber('+1 555 123 4567', 'number')).details[0]!.message).toMatch(/is not a valid number/);
  });

  it('checks a list, naming every bad entry by index, and drops repeats', () => {
    expect(canonicalNumbers(['+14155550123', '+1 415 555 0123', '+14155550124'], 'numbers')).toEqual(['+14155550123', '+14155550124']);
    const error = validationOf(() => canonicalNumbers(['+14155550123', 'abc', '+1 415'], 'numbers'));
    expect(error.details.map((d) => d.path)).toEqual(['numbers.1', 'numbers.2']);
  });
});

describe('number ranges', () => {
  it('expands a range, both ends included', () => {
    const range = expandRange('+1 415 555 0100', '+14155550109');
    expect(range.numbers).toHaveLength(10);
    expect(range.numbers[0]).toBe('+14155550100');
    expect(range.numbers[9]).toBe('+14155550109');
    expect(range.invalid).toEqual([]);
    expect(expandRange('+14155550100', '+14155550100').numbers).toEqual(['+14155550100']);
  });

  it(`allows at most ${MAX_RANGE_SIZE} numbers`, () => {
    expect(expandRange('+14155550000', '+14155550999').numbers).toHaveLength(1000);
    const error = validationOf(() => expandRange('+14155550000', '+14155551000'));
    expect(error.details).toEqual([{ path: 'to', message: 'The range holds 1,001 numbers; add at most 1,000 at once.' }]);
  });

  it('refuses ranges across countries, lengths, or backwards, and bad ends', () => {
    expect(validationOf(() => expandRange('+14155550100', '+442079460958')).details[0]!.message).toMatch(/different countries/);
    // Both +1, but the United States and Canada.
    expect(validationOf(() => expandRange('+14155550100', '+14165550100')).details[0]!.message).toMatch(/\(US\).*\(CA\).*different countries/);
    expect(validationOf(() => expandRange('+14155550109', '+14155550100')).details[0]!.message).toMatch(/ends .* before it starts/);
    const bad = validationOf(() => expandRange('nope', '+1 415'));
    expect(bad.details.map((d) => d.path)).toEqual(['from', 'to']);
  });

  it('validates each number of the range: every one is either added or listed as invalid', () => {
    const range = expandRange('+44 20 7946 0950', '+44 20 7946 0999');
    expect(range.numbers.length + range.invalid.length).toBe(50);
    for (const number of range.numbers) expect(canonicalNumber(number, 'n')).toBe(number);
    // The ends themselves must be valid: a range cannot start or end on a number the plan does not allow.
    expect(validationOf(() => expandRange('+12069999990', '+12070000009')).details).toEqual([{ path: 'to', message: expect.stringMatching(/not a valid number/) }]);
  });
});

describe('the numbers CSV', () => {
  it('reads what spreadsheets write: BOM, CRLF, quoted cells, blank and trailing lines', () => {
    const csv = '\uFEFFNumber,Label,Capabilities,Carrier,Extension\r\n"+1 415 555 0123","Front desk, main",sms;mms,twilio-main,2104\r\n\r\n,,,,\r\n+14155550124,"Says ""hi""",,,\r\n\r\n\r\n';
    const file = readNumbersCsv(csv);
    expect(file.hasHeader).toBe(true);
    expect(file.rows).toEqual([
      { line: 2, number: '+1 415 555 0123', label: 'Front desk, main', capabilities: 'sms;mms', carrier: 'twilio-main', extension: '2104' },
      { line: 5, number: '+14155550124', label: 'Says "hi"', capabilities: '', carrier: '', extension: '' },
    ]);
  });

  it('takes columns by header name in any order, ignores unknown ones, and works without a header', () => {
    const file = readNumbersCsv('Ext;Phone number;Notes\n12;+14155550123;call me\n');
    expect(file.rows[0]).toMatchObject({ number: '+14155550123', extension: '12' });
    expect(file.ignoredColumns).toEqual(['Notes']);
    const headerless = readNumbersCsv('+14155550123,Desk\n+14155550124\n');
    expect(headerless.hasHeader).toBe(false);
    expect(headerless.rows.map((r) => [r.line, r.number, r.label])).toEqual([
      [1, '+14155550123', 'Desk'],
      [2, '+14155550124', ''],
    ]);
  });

  it('refuses an empty file and one it cannot read', () => {
    expect(validationOf(() => readNumbersCsv('\uFEFF\r\n')).message).toMatch(/empty/);
    expect(validationOf(() => readNumbersCsv('number\n"+14155550123\n')).message).toMatch(/cannot be read/);
  });

  it('reads capabilities', () => {
    expect(parseCapabilities('')).toEqual({});
    expect(parseCapabilities('SMS | Voice')).toEqual({ capabilities: { sms: true, mms: false, voice: true } });
    expect(parseCapabilities('sms, fax').problem).toBe('Unknown capability "fax": use sms, mms and voice, e.g. "sms;mms".');
  });
});

describe('the numbers query', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const entry = (number: string, over: Partial<PhoneNumberEntry> = {}): IndexedNumber =>
    indexNumber({
      value: { enterpriseId: 'e', number: number as PhoneNumberEntry['number'], carrierConnectionId: null, capabilities: { sms: true, mms: false, voice: false }, label: '', extension: null, segmentsPerSecond: null, holder: null, createdAt: at, updatedAt: at, ...over },
      etag: `W/"${number}"`,
    });
  const all = [
    entry('+14155550123', { label: 'Front desk', holder: { type: 'user', id: 'jane', name: 'Jane Doe' }, carrierConnectionId: 'twilio' }),
    entry('+14155550124', { label: 'Back office', capabilities: { sms: true, mms: true, voice: true } }),
    entry('+442079460958', { holder: { type: 'group', id: 'g', name: 'Dispatch' }, carrierConnectionId: 'telnyx', extension: '2104' }),
    entry('+14155550125', { capabilities: { sms: false, mms: false, voice: true } }),
  ];
  const numbers = (list: readonly IndexedNumber[]) => list.map((e) => e.stored.value.number);
  const sorted = (sort: Parameters<typeof compareNumbers>[0], order: 'asc' | 'desc' = 'asc') => [...all].sort(compareNumbers(sort, order));

  it('searches digits ignoring formatting (international and national forms) and words', () => {
    const find = (search: string) => numbers(all.filter(numberFilter({ search })));
    expect(find('555 01')).toEqual(['+14155550123', '+14155550124', '+14155550125']);
    expect(find('(415) 555-0123')).toEqual(['+14155550123']);
    expect(find('020 7946')).toEqual(['+442079460958']);
    expect(find('front')).toEqual(['+14155550123']);
    expect(find('jane doe')).toEqual(['+14155550123']);
    expect(find('dispatch')).toEqual(['+442079460958']);
    expect(find('2104')).toEqual(['+442079460958']);
  });

  it('filters by status, carrier, capability and holder; filters stack', () => {
    expect(numbers(all.filter(numberFilter({ status: 'unassigned' })))).toEqual(['+14155550124', '+14155550125']);
    expect(numbers(all.filter(numberFilter({ status: 'assigned-user' })))).toEqual(['+14155550123']);
    expect(numbers(all.filter(numberFilter({ status: 'assigned-group' })))).toEqual(['+442079460958']);
    expect(numbers(all.filter(numberFilter({ carrierConnectionId: 'telnyx' })))).toEqual(['+442079460958']);
    expect(numbers(all.filter(numberFilter({ capability: 'voice' })))).toEqual(['+14155550124', '+14155550125']);
    expect(numbers(all.filter(numberFilter({ capability: 'sms', status: 'unassigned' })))).toEqual(['+14155550124']);
    expect(numbers(all.filter(numberFilter({ holderId: 'jane' })))).toEqual(['+14155550123']);
  });

  it('sorts by each column, empties last, ties by number', () => {
    expect(numbers(sorted('number'))).toEqual(['+14155550123', '+14155550124', '+14155550125', '+442079460958']);
    expect(numbers(sorted('number', 'desc'))).toEqual(['+442079460958', '+14155550125', '+14155550124', '+14155550123']);
    expect(numbers(sorted('label'))).toEqual(['+14155550124', '+14155550123', '+14155550125', '+442079460958']);
    expect(numbers(sorted('label', 'desc'))).toEqual(['+14155550123', '+14155550124', '+14155550125', '+442079460958']);
    expect(numbers(sorted('status'))).toEqual(['+14155550124', '+14155550125', '+14155550123', '+442079460958']);
    expect(numbers(sorted('status', 'desc'))).toEqual(['+442079460958', '+14155550123', '+14155550124', '+14155550125']);
    expect(numbers(sorted('holder'))).toEqual(['+442079460958', '+14155550123', '+14155550124', '+14155550125']);
    expect(numbers(sorted('carrier', 'desc'))).toEqual(['+14155550123', '+442079460958', '+14155550124', '+14155550125']);
  });

  it('pages after filtering, with the total', () => {
    const page = pageOf(sorted('number'), { capability: 'sms', offset: 1, limit: 1 });
    expect({ numbers: numbers(page.items), total: page.total, offset: page.offset, limit: page.limit }).toEqual({ numbers: ['+14155550124'], total: 3, offset: 1, limit: 1 });
  });
});
