import { checkPhoneNumber, countryOf, findPhoneNumbers } from './phone';

describe('findPhoneNumbers', () => {
  it('finds numbers written in different forms, canonical, in order', () => {
    const text = 'Jane called from (425) 555-0142, her office is +44 20 7946 0958 and the shop 206.555.0100.';
    expect(findPhoneNumbers(text, 'US')).toEqual(['+14255550142', '+442079460958', '+12065550100']);
  });

  it('lists a number written twice once, at its first place', () => {
    expect(findPhoneNumbers('+1 206 555 0100, then 425-555-0142, then again +12065550100', 'US')).toEqual(['+12065550100', '+14255550142']);
  });

  it('reads numbers without a country code for the default country', () => {
    expect(findPhoneNumbers('ring 020 7946 0958 please', 'GB')).toEqual(['+442079460958']);
    expect(findPhoneNumbers('ring 020 7946 0958 please', 'US')).toEqual([]);
  });

  it('without a default country, takes only international numbers', () => {
    expect(findPhoneNumbers('(425) 555-0142 or +1 425 555 0199')).toEqual(['+14255550199']);
  });

  it('takes 00 as the international prefix, as checkPhoneNumber does', () => {
    expect(findPhoneNumbers('call 0044 20 7946 0958', 'US')).toEqual(['+442079460958']);
    expect(checkPhoneNumber('0044 20 7946 0958').e164).toBe('+442079460958');
  });

  it('ignores order numbers, dates, amounts and invalid numbers', () => {
    expect(findPhoneNumbers('Order 123456 of 2026-11-21 for $1,250.00; ref 555-0000; +1 111 111 1111', 'US')).toEqual([]);
  });

  it('finds nothing in a text without digits', () => {
    expect(findPhoneNumbers('', 'US')).toEqual([]);
    expect(findPhoneNumbers('See you tomorrow!', 'US')).toEqual([]);
  });

  it('finds a number inside HTML-free text next to words and punctuation', () => {
    expect(findPhoneNumbers('Customer:+14255550142.Thanks', 'US')).toEqual(['+14255550142']);
  });
});

describe('countryOf', () => {
  it('names the country of an E.164 number', () => {
    expect(countryOf('+14255550100')).toBe('US');
    expect(countryOf('+442079460958')).toBe('GB');
    expect(countryOf('not a number')).toBeUndefined();
  });
});
