import { isTransient, withRetry } from './retry';

describe('withRetry', () => {
  const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2, attemptTimeoutMs: 1000 };

  it('classifies transient failures', () => {
    for (const statusCode of [408, 500, 502, 503, 504]) expect(isTransient({ statusCode })).toBe(true);
    for (const statusCode of [400, 404, 409, 412]) expect(isTransient({ statusCode })).toBe(false);
    expect(isTransient({ code: 'ECONNRESET' })).toBe(true);
    expect(isTransient({ name: 'AbortError' })).toBe(true);
    expect(isTransient(new Error('bug'))).toBe(false);
  });

  it('retries transient failures until one succeeds', async () => {
    let calls = 0;
    const result = await withRetry(async () => {
      calls++;
      if (calls < 3) throw Object.assign(new Error('busy'), { statusCode: 503 });
      return 'done';
    }, fast);
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('does not retry an answer and stops after the last attempt', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw Object.assign(new Error('gone'), { statusCode: 404 }); }, fast)).rejects.toThrow('gone');
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetry(async () => { calls++; throw Object.assign(new Error('busy'), { statusCode: 503 }); }, fast)).rejects.toThrow('busy');
    expect(calls).toBe(4);
  });
});
