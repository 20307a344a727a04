import { ApiError } from './errors';
import { requestFile, requestJson, type DownloadedFile, type RequestOptions } from './http';

/** Where the client gets bearer tokens; one implementation per sign-in mode. */
export interface TokenSource {
  getToken(): Promise<string>;
  /** Called after a 401: a fresh token to retry once with, or null when the session is over. */
  refreshToken(): Promise<string | null>;
  /** The server refused the session for good; e.g. send the user back to sign-in. */
  onSessionEnded?(error: ApiError): void;
}

export interface ApiClient {
  request<T>(path: string, options?: RequestOptions): Promise<T>;
  /** A GET answered with a file (CSV), with the same sign-in handling as `request`. */
  download(path: string, options?: Pick<RequestOptions, 'signal'>): Promise<DownloadedFile>;
}

const withToken = (options: RequestOptions, token: string): RequestOptions => ({
  ...options,
  headers: { ...options.headers, Authorization: `Bearer ${token}` },
});

/** JSON over fetch with `Authorization: Bearer`, retrying once with a fresh token on 401. */
export function createApiClient(tokens: TokenSource): ApiClient {
  return {
    async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
      try {
        return await requestJson<T>(path, withToken(options, await tokens.getToken()));
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        const fresh = await tokens.refreshToken();
        if (fresh === null) {
          tokens.onSessionEnded?.(error);
          throw error;
        }
        try {
          return await requestJson<T>(path, withToken(options, fresh));
        } catch (retryError) {
          if (retryError instanceof ApiError && retryError.status === 401) tokens.onSessionEnded?.(retryError);
          throw retryError;
        }
      }
    },
    async download(path: string, options: Pick<RequestOptions, 'signal'> = {}): Promise<DownloadedFile> {
      const send = (token: string) => requestFile(path, { signal: options.signal, headers: { Authorization: `Bearer ${token}` } });
      try {
        return await send(await tokens.getToken());
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        const fresh = await tokens.refreshToken();
        if (fresh === null) {
          tokens.onSessionEnded?.(error);
          throw error;
        }
        return send(fresh);
      }
    },
  };
}
