import type { DevSignInResult } from '../api/types';
import type { TokenSource } from '../api/client';

/** sessionStorage: a dev sign-in lasts as long as the browser tab, never longer. */
const KEY = 'switchboard.devSession';

export interface DevSession {
  token: string;
  expiresAt: string;
}

const storage = (): Storage | undefined => {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // storage blocked (e.g. sandboxed frame): sign in again per load
  }
};

/** The stored session, unless missing, unreadable or expired. */
export function readDevSession(now: number = Date.now()): DevSession | null {
  const raw = storage()?.getItem(KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Partial<DevSession>;
    if (typeof session.token !== 'string' || typeof session.expiresAt !== 'string') return null;
    const expires = Date.parse(session.expiresAt);
    if (!Number.isNaN(expires) && expires <= now) return null;
    return { token: session.token, expiresAt: session.expiresAt };
  } catch {
    return null;
  }
}

export function saveDevSession(result: DevSignInResult): DevSession {
  const session = { token: result.token, expiresAt: result.expiresAt };
  try {
    storage()?.setItem(KEY, JSON.stringify(session));
  } catch {
    // Quota or privacy mode: the session still works until the page reloads.
  }
  return session;
}

export function clearDevSession(): void {
  try {
    storage()?.removeItem(KEY);
  } catch {
    // nothing stored, nothing to clear
  }
}

/** Dev tokens cannot be refreshed: a 401 ends the session and the user picks an identity again. */
export function devTokenSource(session: DevSession, onEnded: () => void): TokenSource {
  return {
    getToken: async () => session.token,
    refreshToken: async () => null,
    onSessionEnded: () => {
      clearDevSession();
      onEnded();
    },
  };
}
