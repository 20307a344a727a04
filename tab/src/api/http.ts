import { ApiError, errorFromResponse, toApiError, isAbort } from './errors';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One JSON request with no credentials; the authenticated client builds on it. */
export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, body, signal: options.signal, cache: 'no-store' });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw toApiError(error);
  }
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(response.status, 'bad_response', 'Switchboard sent an answer the app could not read. Try again.');
  }
}

/** A file the server sends as a download (a CSV export, a template). */
export interface DownloadedFile {
  blob: Blob;
  /** From Content-Disposition, when the server named the file. */
  fileName?: string;
}

/** The file name of `Content-Disposition`, preferring the RFC 5987 `filename*` form. */
export function fileNameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (encoded?.[1]) {
    try {
      return decodeURIComponent(encoded[1].trim());
    } catch {
      // Fall back to the plain form below.
    }
  }
  return /filename="([^"]*)"/i.exec(disposition)?.[1] ?? undefined;
}

/** One GET of a file; errors are read like `requestJson`'s. */
export async function requestFile(path: string, options: Pick<RequestOptions, 'headers' | 'signal'> = {}): Promise<DownloadedFile> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { Accept: 'text/csv, application/json', ...options.headers }, signal: options.signal, cache: 'no-store' });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw toApiError(error);
  }
  if (!response.ok) throw await errorFromResponse(response);
  const fileName = fileNameOf(response.headers.get('content-disposition'));
  return { blob: await response.blob(), ...(fileName ? { fileName } : {}) };
}
