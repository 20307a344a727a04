import { useCallback, useState } from 'react';
import { toApiError, type ApiError } from '../api/errors';

export interface AsyncActionState {
  busy: boolean;
  failure: ApiError | undefined;
}

/**
 * Runs one API call: busy while it runs, the previous failure cleared first, and anything
 * thrown kept as an ApiError. Resolves to that failure, or undefined when the call succeeded.
 */
export async function attempt(action: () => Promise<unknown>, report: (state: AsyncActionState) => void): Promise<ApiError | undefined> {
  report({ busy: true, failure: undefined });
  try {
    await action();
    report({ busy: false, failure: undefined });
    return undefined;
  } catch (error) {
    const failure = toApiError(error);
    report({ busy: false, failure });
    return failure;
  }
}

export interface AsyncAction extends AsyncActionState {
  /** Runs `action` (which does the follow-up too, e.g. reload and close); resolves to its failure, if any. */
  run: (action: () => Promise<unknown>) => Promise<ApiError | undefined>;
  clearFailure: () => void;
}

/** The busy flag and failure of a dialog's or card's save, delete... */
export function useAsyncAction(): AsyncAction {
  const [state, setState] = useState<AsyncActionState>({ busy: false, failure: undefined });
  const run = useCallback((action: () => Promise<unknown>) => attempt(action, setState), []);
  const clearFailure = useCallback(() => setState((current) => (current.failure ? { ...current, failure: undefined } : current)), []);
  return { ...state, run, clearFailure };
}
