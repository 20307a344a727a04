import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort, toApiError, type ApiError } from '../../api/errors';

export interface Polled<T> {
  data: T | undefined;
  /** The last failure; cleared by the next good answer. Data from before it is kept. */
  error: ApiError | undefined;
  /** Only the first load of a key: later polls refresh quietly. */
  loading: boolean;
  /** Load now (after a send, a read mark...). */
  refresh: () => void;
  setData: (update: (current: T | undefined) => T) => void;
}

/** Whether the page is shown (a hidden tab, a minimised window: no polling). */
const visible = () => typeof document === 'undefined' || document.visibilityState !== 'hidden';

/**
 * Loads `key` and then again every `intervalMs` while the page is visible, so replies
 * show up without a reload. One request at a time; a key change cancels the one running.
 */
export function usePolled<T>(load: (signal: AbortSignal) => Promise<T>, key: string, intervalMs: number): Polled<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const refreshRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    let running: AbortController | undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A refresh asked for while a request runs: load again right after it (its answer may predate the change).
    let again = false;
    setDataState(undefined);
    setError(undefined);
    setLoading(true);

    const schedule = () => {
      clearTimeout(timer);
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    const tick = async () => {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      if (!visible()) return schedule();
      const controller = new AbortController();
      running = controller;
      try {
        const value = await loadRef.current(controller.signal);
        if (stopped || controller.signal.aborted) return;
        setDataState(value);
        setError(undefined);
      } catch (failure) {
        if (stopped || controller.signal.aborted || isAbort(failure)) return;
        setError(toApiError(failure));
      } finally {
        if (running === controller) running = undefined;
        if (!stopped) setLoading(false);
      }
      if (again) {
        again = false;
        return void tick();
      }
      schedule();
    };
    const onVisible = () => {
      if (visible()) void tick();
    };
    refreshRef.current = () => void tick();
    document.addEventListener('visibilitychange', onVisible);
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      running?.abort();
      document.removeEventListener('visibilitychange', onVisible);
      refreshRef.current = () => undefined;
    };
  }, [key, intervalMs]);

  const refresh = useCallback(() => refreshRef.current(), []);
  const setData = useCallback((update: (current: T | undefined) => T) => setDataState(update), []);
  return { data, error, loading, refresh, setData };
}
