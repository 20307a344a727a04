import { backoffMs, classifyConnectorError, parseRetryAfter } from './connector-errors';

/** Errors as botframework-connector raises them (RestError: statusCode, response with headers and body text). */
const restError = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`status ${status}`), { statusCode: status, response: { status, headers: { get: (name: string) => headers[name.toLowerCase()] }, bodyAsText: JSON.stringify(body) } });

describe('classifyConnectorError', () => {
  it('reads a 403 as a user who blocked or removed the app, with Teams\' code', () => {
    const failure = classifyConnectorError(restError(403, { error: { code: 'MessageWritesBlocked', message: 'Thread is blocked' } }));
    expect(failure).toMatchObject({ kind: 'blocked', status: 403, code: 'MessageWritesBlocked' });
    expect(failure.reason).toContain('MessageWritesBlocked');
  });

  it('retries 429, 412, 502 and 504, honouring Retry-After', () => {
    expect(classifyConnectorError(restError(429, { error: { code: 'Throttled' } }, { 'retry-after': '3' }))).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 3_000 });
    for (const status of [412, 502, 504]) expect(classifyConnectorError(restError(status, {}))).toMatchObject({ kind: 'retry', status });
  });

  it('retries when there was no answer at all', () => {
    expect(classifyConnectorError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({ kind: 'retry', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('reads 404 as a chat that is gone, and 400 as refused for good', () => {
    expect(classifyConnectorError(restError(404, { error: { code: 'ConversationNotFound' } })).kind).toBe('gone');
    expect(classifyConnectorError(restError(400, { error: { code: 'BadSyntax', message: 'Invalid card' } }))).toMatchObject({ kind: 'refused', reason: expect.stringContaining('Invalid card') });
  });
});

describe('parseRetryAfter and backoffMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('waits at least Retry-After, else doubles with full jitter up to 5 minutes', () => {
    expect(backoffMs(1, 2_000, () => 0)).toBe(2_000);
    expect(backoffMs(1, undefined, () => 1)).toBe(1_000);
    expect(backoffMs(3, undefined, () => 1)).toBe(4_000);
    expect(backoffMs(30, undefined, () => 1)).toBe(300_000);
    expect(backoffMs(3, undefined, () => 0)).toBe(250);
  });
});
