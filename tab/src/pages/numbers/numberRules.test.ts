import { describe, expect, it } from '@jest/globals';
import { capabilitiesText, extensionProblem, holderText, labelProblem, numberProblem, rangePreview, statusFromLink, withNumber, withoutNumber } from './numberRules';

describe('numbers page rules', () => {
  it('opens the inventory filtered by the status a link asks for, and only a known one', () => {
    expect(statusFromLink(new URLSearchParams('status=unassigned'))).toBe('unassigned');
    expect(statusFromLink(new URLSearchParams('status=everything'))).toBeUndefined();
    expect(statusFromLink(new URLSearchParams(''))).toBeUndefined();
  });

  it('checks numbers with the server rule', () => {
    expect(numberProblem('+1 (415) 555-0123')).toBeUndefined();
    expect(numberProblem('')).toMatch(/international form/);
    expect(numberProblem('+1 555')).toMatch(/too short/);
  });

  it('previews a range or names the end that is wrong', () => {
    expect(rangePreview('+14155550100', '+14155550109')).toEqual({ count: 10, invalid: 0 });
    expect(rangePreview('+14155550100', '+442079460958')).toEqual({ problems: { to: expect.stringMatching(/different countries/) } });
    expect(rangePreview('+1 555', '+14155550109')).toEqual({ problems: { from: expect.stringMatching(/too short/) } });
    expect(rangePreview('+14155550000', '+14155559999')).toEqual({ problems: { to: expect.stringMatching(/1,?000/) } });
  });

  it('describes labels, capabilities and holders', () => {
    expect(labelProblem('Front desk')).toBeUndefined();
    expect(labelProblem('x'.repeat(101))).toMatch(/at most 100/);
    expect(labelProblem('a\tb')).toMatch(/control characters/);
    expect(extensionProblem('')).toBeUndefined();
    expect(extensionProblem('2104')).toBeUndefined();
    expect(extensionProblem('21a')).toMatch(/1 to 10 digits/);
    expect(capabilitiesText({ sms: true, mms: true, voice: false })).toBe('SMS, MMS');
    expect(capabilitiesText({ sms: false, mms: false, voice: false })).toBe('None');
    expect(holderText({ holder: null })).toBe('Unassigned');
    expect(holderText({ holder: { type: 'group', id: 'g', name: 'Dispatch' } })).toBe('SMS group Dispatch');
  });

  it('adds a number to a user once and takes it away', () => {
    expect(withNumber(['+1'], '+2')).toEqual(['+1', '+2']);
    expect(withNumber(['+1', '+2'], '+2')).toEqual(['+1', '+2']);
    expect(withoutNumber(['+1', '+2'], '+1')).toEqual(['+2']);
  });
});
