/** Real HTTP calls with Node's fetch, answered as status + headers + parsed body. */
export interface JsonAnswer<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the raw text. */
  body: T;
  text: string;
}

export interface CallOptions {
  method?: string;
  token?: string;
  /** Serialised as JSON unless it is already a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call<T = any>(url: string, options: CallOptions = {}): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** Asserts the one error shape every API answer uses and returns it. */
export function expectError(answer: JsonAnswer, status: number, code: string): { code: string; message: string; requestId: string; details?: Array<{ path: string; message: string }> } {
  expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code });
  expect(answer.body).toEqual({
    error: expect.objectContaining({ code, message: expect.any(String), requestId: expect.any(String) }),
  });
  expect(answer.body.error.message.length).toBeGreaterThan(0);
  expect(answer.body.error.requestId).toBe(answer.headers.get('x-request-id'));
  return answer.body.error;
}
