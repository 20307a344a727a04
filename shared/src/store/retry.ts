/**
 * Retries transient storage failures (500, 503, 408, timeouts, dropped connections)
 * with exponential backoff and full jitter. Everything else fails at once: a 404,
 * 409 or 412 is an answer, not a fault.
 */
export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Time limit for a single attempt. */
  attemptTimeoutMs: number;
}

export const defaultRetryOptions: RetryOptions = { attempts: 5, baseDelayMs: 100, maxDelayMs: 4000, attemptTimeoutMs: 15000 };

const TRANSIENT_STATUS = new Set([408, 500, 502, 503, 504]);
// The SDK's network errors and undici's (the lean table client's: a kept-alive connection closed under it, a connect timeout).
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'REQUEST_SEND_ERROR', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED']);

export function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { statusCode?: number; code?: string; name?: string };
  if (e.statusCode !== undefined) return TRANSIENT_STATUS.has(e.statusCode);
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return true;
  return e.code !== undefined && TRANSIENT_CODES.has(e.code);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `operation` with an abort signal that fires after the attempt timeout. */
export async function withRetry<T>(operation: (signal: AbortSignal) => Promise<T>, options: RetryOptions = defaultRetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(AbortSignal.timeout(options.attemptTimeoutMs));
    } catch (error) {
      if (attempt >= options.attempts || !isTransient(error)) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * ceiling);
    }
  }
}
