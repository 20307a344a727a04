/** What a failed Bot Connector call means for delivery. */
export type ConnectorFailure =
  /** Worth trying again: throttled (429), 412, 502, 504, 5xx, or the network. `retryAfterMs` from Retry-After. */
  | { kind: 'retry'; status?: number; retryAfterMs?: number; reason: string }
  /** 403: the user blocked or removed the app (MessageWritesBlocked, ConversationBlockedByUser, ...). */
  | { kind: 'blocked'; status: 403; code: string; reason: string }
  /** 404: the conversation is gone (a chat we knew was deleted): create it again. */
  | { kind: 'gone'; status: 404; reason: string }
  /** Anything else: Teams refused this message; retrying would not help. */
  | { kind: 'refused'; status?: number; reason: string };

const RETRYABLE = new Set([408, 412, 429, 500, 502, 503, 504]);

function headerOf(error: any, name: string): string | undefined {
  const headers = error?.response?.headers;
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  return headers[name] ?? headers[name.toLowerCase()];
}

/** Retry-After in seconds or as an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The error code and message of a Bot Connector error body (`{"error":{"code","message"}}`). */
function bodyError(error: any): { code?: string; message?: string } {
  const fromBody = error?.body?.error ?? error?.details?.error;
  if (fromBody) return { code: fromBody.code, message: fromBody.message };
  const text = error?.response?.bodyAsText;
  if (typeof text === 'string' && text !== '') {
    try {
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
      return { code: parsed.error?.code, message: parsed.error?.message };
    } catch {
      return {};
    }
  }
  return {};
}

export function classifyConnectorError(error: unknown): ConnectorFailure {
  const e = error as any;
  const status: number | undefined = e?.statusCode ?? e?.response?.status;
  const { code, message } = bodyError(e);
  const words = `${status ?? 'no answer'}${code ? ` ${code}` : ''}${message ? `: ${message}` : e?.message ? `: ${e.message}` : ''}`;
  if (status === 403) {
    return { kind: 'blocked', status, code: code ?? 'Forbidden', reason: `Teams refused the message (${code ?? '403'}): the user blocked the app or removed it.` };
  }
  if (status === 404) return { kind: 'gone', status, reason: `The chat no longer exists (${words}).` };
  if (status === undefined || RETRYABLE.has(status)) {
    const retryAfterMs = parseRetryAfter(headerOf(e, 'retry-after'));
    return { kind: 'retry', ...(status !== undefined ? { status } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), reason: words };
  }
  return { kind: 'refused', status, reason: words };
}

/** Exponential backoff with full jitter, at least Retry-After when Teams gave one. */
export function backoffMs(attempt: number, retryAfterMs: number | undefined, random = Math.random): number {
  const ceiling = Math.min(300_000, 1_000 * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(random() * ceiling);
  return retryAfterMs !== undefined ? retryAfterMs + Math.round(random() * 250) : Math.max(250, jittered);
}
