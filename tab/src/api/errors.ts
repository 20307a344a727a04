import type { ErrorBody, FieldIssue } from './types';

/** Every failure the UI shows: an HTTP error from the API, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[] = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const isErrorBody = (value: unknown): value is ErrorBody => {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
};

/** What to say when the server sent no usable error body (a proxy page, an empty 502...). */
export function fallbackMessage(status: number): string {
  if (status === 401) return 'Your sign-in has expired. Sign in again.';
  if (status === 403) return "You don't have permission to do this.";
  if (status === 404) return "We couldn't find what you asked for. It may have been removed.";
  if (status === 409 || status === 412) return 'Someone else changed this at the same time. Reload and try again.';
  if (status === 429) return 'Switchboard is busy. Wait a moment and try again.';
  if (status >= 500) return 'Switchboard had a problem handling this request. Try again in a moment.';
  return `The request failed (HTTP ${status}).`;
}

/** Reads the `{ error: { code, message, details, requestId } }` body, tolerating anything else. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const headerRequestId = response.headers.get('x-request-id') ?? undefined;
  if (isErrorBody(body)) {
    const { code, message, details, requestId } = body.error;
    const issues = Array.isArray(details) ? details.filter((d) => typeof d?.path === 'string' && typeof d?.message === 'string') : [];
    return new ApiError(response.status, typeof code === 'string' ? code : 'error', message, issues, requestId ?? headerRequestId);
  }
  return new ApiError(response.status, `http_${response.status}`, fallbackMessage(response.status), [], headerRequestId);
}

export const isAbort = (error: unknown): boolean => error instanceof DOMException && error.name === 'AbortError';

/** Normalises anything thrown (a TypeError from fetch, a Teams SDK string...) into an ApiError. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof TypeError) {
    return new ApiError(0, 'network', "Couldn't reach Switchboard. Check your connection and try again.");
  }
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'Something went wrong.';
  return new ApiError(0, 'unexpected', message);
}

/**
 * Splits an error's field details into those a form shows next to its own fields and
 * the rest, which belong in the form's message bar.
 */
export function splitFieldIssues<F extends string>(
  error: ApiError | undefined,
  fields: readonly F[],
): { byField: Partial<Record<F, string>>; other: FieldIssue[] } {
  const byField: Partial<Record<F, string>> = {};
  const other: FieldIssue[] = [];
  for (const issue of error?.details ?? []) {
    const field = fields.find((f) => f === issue.path);
    if (field === undefined) other.push(issue);
    // Several issues on one field read fine as one sentence after another.
    else byField[field] = byField[field] ? `${byField[field]} ${issue.message}` : issue.message;
  }
  return { byField, other };
}
