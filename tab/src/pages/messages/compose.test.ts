import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../../api/errors';
import { isSendShortcut, placeSendError, recipientProblem, segmentCounter } from './compose';

describe('the composer counter', () => {
  it('counts with the shared rule: GSM-7 until one character needs UCS-2', () => {
    expect(segmentCounter('').label).toBe('0 segments · GSM-7 · 160 left');
    expect(segmentCounter('Your order is ready.').label).toBe('1 segment · GSM-7 · 140 left');
    expect(segmentCounter('a'.repeat(290)).label).toBe('2 segments · GSM-7 · 16 left');
    // One emoji makes the whole message UCS-2 (70 units, 67 per part; the emoji takes 2).
    expect(segmentCounter('Your order is ready 📦').label).toBe('1 segment · UCS-2 · 48 left');
    // Extension characters count 2 in GSM-7.
    expect(segmentCounter('{}').count).toMatchObject({ encoding: 'GSM-7', units: 4 });
  });

  it('refuses more than 10 segments with a clear message, naming UCS-2 when it is the cause', () => {
    const gsm = segmentCounter('a'.repeat(153 * 10));
    expect(gsm).toMatchObject({ tooLong: false, label: '10 segments · GSM-7 · 0 left' });
    const over = segmentCounter('a'.repeat(153 * 10 + 1));
    expect(over.tooLong).toBe(true);
    expect(over.problem).toBe('Too long: 11 segments; a message may have at most 10. Shorten it.');
    const ucs2 = segmentCounter('é'.repeat(600) + 'ж'.repeat(100));
    expect(ucs2.tooLong).toBe(true);
    expect(ucs2.problem).toMatch(/UCS-2/);
  });
});

describe('placing a failed send\'s error', () => {
  it('puts field issues next to their field and nothing twice', () => {
    const error = new ApiError(400, 'validation_failed', 'That number is not valid.', [{ path: 'to', message: 'That number is not valid.' }]);
    expect(placeSendError(error)).toEqual({ byField: { to: 'That number is not valid.' } });
    const body = new ApiError(400, 'validation_failed', 'Bad.', [{ path: 'body', message: 'Too long.' }, { path: 'media', message: 'No MMS.' }, { path: 'x', message: 'Other.' }]);
    expect(placeSendError(body)).toEqual({ byField: { body: 'Too long. No MMS.' }, general: 'Other.' });
  });

  it('puts an opt-out next to the recipient, and anything else above the composer', () => {
    const optedOut = new ApiError(409, 'opted_out', '+1 206 555 0100 replied STOP to +1 425 555 0100 on 1 May.');
    expect(placeSendError(optedOut)).toEqual({ byField: { to: optedOut.message } });
    const forbidden = new ApiError(403, 'forbidden', 'You have no SMS number to send from.');
    expect(placeSendError(forbidden)).toEqual({ byField: {}, general: 'You have no SMS number to send from.' });
  });

  it('checks the recipient before sending', () => {
    expect(recipientProblem('  ')).toMatch(/Enter the number/);
    expect(recipientProblem('Bob')).toMatch(/international form/);
    expect(recipientProblem('+1 206 555 0100')).toBeUndefined();
  });

  it('sends on Ctrl+Enter or Cmd+Enter only', () => {
    expect(isSendShortcut({ key: 'Enter', ctrlKey: true, metaKey: false })).toBe(true);
    expect(isSendShortcut({ key: 'Enter', ctrlKey: false, metaKey: true })).toBe(true);
    expect(isSendShortcut({ key: 'Enter', ctrlKey: false, metaKey: false })).toBe(false);
    expect(isSendShortcut({ key: 'a', ctrlKey: true, metaKey: false })).toBe(false);
  });
});
