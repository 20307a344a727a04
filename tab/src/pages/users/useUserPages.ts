import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort, toApiError, type ApiError } from '../../api/errors';
import type { UserRow, UsersApi, UsersFilter } from '../../api/users';

/** Rows per request: a screenful several times over, small enough to answer in a few ms. */
export const PAGE_SIZE = 100;

export interface UserPages {
  /** Rows matching the current query; undefined until its first page arrived. */
  total: number | undefined;
  /** The row at `index`, or undefined while its page loads. */
  rowAt: (index: number) => UserRow | undefined;
  /** Loads the pages covering rows `from` to `to` (inclusive) that are not there yet. */
  ensureRange: (from: number, to: number) => void;
  /** The first page of a new query (or a reload) is on its way; the rows shown are the previous ones. */
  loading: boolean;
  error: ApiError | undefined;
  /** Loads the current query again from the start, keeping the rows on screen until it answers. */
  reload: () => void;
  /** Replaces a row everywhere it is loaded (e.g. with what a save answered). */
  replaceRow: (row: UserRow) => void;
  /** Bumps on every change of the rows, so the table re-renders. */
  version: number;
}

interface Loaded {
  key: string;
  total: number;
  pages: Map<number, UserRow[]>;
}

/**
 * The Users page's rows, fetched a page at a time from the server's query as the
 * table scrolls: 50,000 users never live in the browser at once, and a search is one
 * small request. A new query keeps the old rows visible until its first page answers,
 * and answers to older queries are dropped.
 */
export function useUserPages(api: UsersApi, enterpriseId: string, query: UsersFilter): UserPages {
  const key = JSON.stringify(query);
  const loadedRef = useRef<Loaded | undefined>(undefined);
  const inflight = useRef(new Map<string, AbortController>());
  const [version, setVersion] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError>();
  const [attempt, setAttempt] = useState(0);
  const queryRef = useRef(query);
  queryRef.current = query;
  const bump = () => setVersion((v) => v + 1);

  const abortAll = () => {
    for (const controller of inflight.current.values()) controller.abort();
    inflight.current.clear();
  };

  useEffect(() => {
    abortAll();
    const controller = new AbortController();
    inflight.current.set(`${key}#0`, controller);
    setLoading(true);
    setError(undefined);
    api.listUsers(enterpriseId, { ...queryRef.current, offset: 0, limit: PAGE_SIZE }, controller.signal).then(
      (page) => {
        if (controller.signal.aborted) return;
        inflight.current.delete(`${key}#0`);
        loadedRef.current = { key, total: page.total, pages: new Map([[0, page.items]]) };
        setLoading(false);
        bump();
      },
      (failure: unknown) => {
        if (controller.signal.aborted || isAbort(failure)) return;
        inflight.current.delete(`${key}#0`);
        setError(toApiError(failure));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [api, enterpriseId, key, attempt]);

  useEffect(() => () => abortAll(), []);

  const ensureRange = useCallback(
    (from: number, to: number) => {
      const loaded = loadedRef.current;
      if (!loaded || loaded.key !== key) return;
      const last = Math.min(to, loaded.total - 1);
      for (let page = Math.floor(Math.max(0, from) / PAGE_SIZE); page * PAGE_SIZE <= last; page++) {
        const id = `${key}#${page}`;
        if (loaded.pages.has(page) || inflight.current.has(id)) continue;
        const controller = new AbortController();
        inflight.current.set(id, controller);
        api.listUsers(enterpriseId, { ...queryRef.current, offset: page * PAGE_SIZE, limit: PAGE_SIZE }, controller.signal).then(
          (answer) => {
            inflight.current.delete(id);
            if (loadedRef.current !== loaded) return;
            loaded.pages.set(page, answer.items);
            bump();
          },
          (failure: unknown) => {
            inflight.current.delete(id);
            if (controller.signal.aborted || isAbort(failure) || loadedRef.current !== loaded) return;
            setError(toApiError(failure));
          },
        );
      }
    },
    [api, enterpriseId, key],
  );

  const rowAt = useCallback((index: number) => loadedRef.current?.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], []);

  const replaceRow = useCallback((row: UserRow) => {
    const loaded = loadedRef.current;
    if (!loaded) return;
    for (const items of loaded.pages.values()) {
      const at = items.findIndex((item) => item.id === row.id);
      if (at >= 0) items[at] = row;
    }
    bump();
  }, []);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);

  return { total: loadedRef.current?.total, rowAt, ensureRange, loading, error, reload, replaceRow, version };
}
