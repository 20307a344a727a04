import { createContext, useContext } from 'react';

export interface Session {
  mode: 'dev' | 'teams';
  /** Only dev sign-in can sign out; in Teams the Teams account is the session. */
  signOut?: () => void;
}

export const SessionContext = createContext<Session>({ mode: 'teams' });

export const useSession = (): Session => useContext(SessionContext);
