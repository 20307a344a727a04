import { ApiError } from '../api/errors';
import type { TokenSource } from '../api/client';
import { loadTeamsSdk } from '../host/teamsHost';

const describe = (reason: unknown): string =>
  reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'unknown reason';

async function fetchToken(): Promise<string> {
  try {
    const { authentication } = await loadTeamsSdk();
    return await authentication.getAuthToken();
  } catch (reason) {
    throw new ApiError(
      0,
      'teams_sso_failed',
      `Teams couldn't sign you in to Switchboard (${describe(reason)}). Try again; if it keeps happening, ask your admin to grant consent to the Switchboard app.`,
    );
  }
}

/**
 * Teams SSO tokens via `authentication.getAuthToken()`. Teams caches and renews
 * them itself; we hold on to the current one and ask again after a 401.
 */
export function teamsTokenSource(): TokenSource {
  let current: Promise<string> | undefined;
  const getToken = () => {
    current ??= fetchToken().catch((error: unknown) => {
      current = undefined; // let the next call try again instead of replaying the failure
      throw error;
    });
    return current;
  };
  return {
    getToken,
    refreshToken: async () => {
      current = undefined;
      try {
        return await getToken();
      } catch {
        return null;
      }
    },
  };
}
