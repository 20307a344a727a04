import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createApiClient, type TokenSource } from './client';
import { ApiError, splitFieldIssues } from './errors';

type Call = { url: string; init: RequestInit };
let calls: Call[];
let answers: Response[];
const realFetch = globalThis.fetch;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

beforeEach(() => {
  calls = [];
  answers = [];
  globalThis.fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const answer = answers.shift();
    if (!answer) throw new TypeError('no answer queued');
    return answer;
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

const header = (call: Call | undefined, name: string) => new Headers(call?.init.headers).get(name);

function tokens(fresh: string | null = 'fresh'): TokenSource & { ended: ApiError[] } {
  const ended: ApiError[] = [];
  return { ended, getToken: async () => 'first', refreshToken: async () => fresh, onSessionEnded: (e) => ended.push(e) };
}

describe('api client', () => {
  it('sends the bearer token and JSON, and returns the parsed body', async () => {
    answers.push(json(200, { ok: true }));
    const result = await createApiClient(tokens()).request('/api/x', { method: 'PATCH', body: { a: 1 }, headers: { 'If-Match': 'e1' } });
    expect(result).toEqual({ ok: true });
    expect(header(calls[0], 'authorization')).toBe('Bearer first');
    expect(header(calls[0], 'content-type')).toBe('application/json');
    expect(header(calls[0], 'if-match')).toBe('e1');
    expect(calls[0]?.init.body).toBe('{"a":1}');
  });

  it('retries once with a fresh token after a 401', async () => {
    answers.push(json(401, { error: { code: 'unauthorized', message: 'expired' } }), json(200, { ok: 1 }));
    const source = tokens();
    await expect(createApiClient(source).request('/api/x')).resolves.toEqual({ ok: 1 });
    expect(header(calls[1], 'authorization')).toBe('Bearer fresh');
    expect(source.ended).toEqual([]);
  });

  it('ends the session when no fresh token is available', async () => {
    answers.push(json(401, { error: { code: 'unauthorized', message: 'expired' } }));
    const source = tokens(null);
    await expect(createApiClient(source).request('/api/x')).rejects.toMatchObject({ status: 401, message: 'expired' });
    expect(source.ended).toHaveLength(1);
    expect(calls).toHaveLength(1);
  });

  it('turns the error body into an ApiError with field details', async () => {
    const details = [
      { path: 'name', message: 'Give the enterprise a name.' },
      { path: 'settings.foo', message: 'Unknown.' },
    ];
    answers.push(json(400, { error: { code: 'validation_failed', message: 'Bad.', details, requestId: 'r1' } }));
    const error = await createApiClient(tokens()).request('/api/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', requestId: 'r1', details });
    expect(splitFieldIssues(error as ApiError, ['name', 'tenantId'] as const)).toEqual({
      byField: { name: 'Give the enterprise a name.' },
      other: [{ path: 'settings.foo', message: 'Unknown.' }],
    });
  });

  it('explains answers without an error body, and network failures', async () => {
    answers.push(new Response('<html>bad gateway</html>', { status: 502, headers: { 'x-request-id': 'r2' } }));
    await expect(createApiClient(tokens()).request('/api/x')).rejects.toMatchObject({ status: 502, requestId: 'r2', message: expect.stringMatching(/Try again/) });
    await expect(createApiClient(tokens()).request('/api/x')).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('returns undefined for 204', async () => {
    answers.push(new Response(null, { status: 204 }));
    await expect(createApiClient(tokens()).request('/api/x', { method: 'DELETE' })).resolves.toBeUndefined();
  });
});
