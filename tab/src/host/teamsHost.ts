/**
 * teams-js is loaded only when the page might be inside Teams: on import it fetches its
 * list of valid host domains from a CDN, which a plain browser tab has no use for.
 */
export const loadTeamsSdk = () => import('./teamsSdk');

/** Where the tab runs: inside a Teams (or Microsoft 365) host, or a plain browser tab. */
export interface Host {
  inTeams: boolean;
  /** The host's theme name at start-up ("default", "dark", "contrast", ...). */
  theme?: string;
}

const BROWSER: Host = { inTeams: false };

/**
 * A top-level window with no opener and no native bridge cannot be a Teams host:
 * skip the SDK handshake there so plain browsers don't wait for the timeout.
 */
function cannotBeTeams(): boolean {
  try {
    return window.self === window.top && !window.opener && !('nativeInterface' in window);
  } catch {
    return false; // a cross-origin parent throws on access: we are framed
  }
}

const timeout = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms));

async function detect(timeoutMs: number): Promise<Host> {
  if (cannotBeTeams()) return BROWSER;
  try {
    const ready = loadTeamsSdk().then(async ({ app }) => {
      await app.initialize();
      return app;
    });
    ready.catch(() => undefined); // a late failure after the timeout is expected, not an error
    const outcome = await Promise.race([ready, timeout(timeoutMs)]);
    if (outcome === 'timeout') return BROWSER;
    const context = await outcome.getContext();
    return { inTeams: true, theme: context.app.theme };
  } catch {
    return BROWSER;
  }
}

let detection: Promise<Host> | undefined;

/** Detects the host once per page load (the SDK may only be initialised once). */
export function detectHost(timeoutMs = 1500): Promise<Host> {
  detection ??= detect(timeoutMs);
  return detection;
}

/** Tells Teams the app has loaded, so it hides its loading indicator. */
export function notifyLoaded(host: Host): void {
  if (!host.inTeams) return;
  loadTeamsSdk()
    .then(({ app }) => app.notifySuccess())
    .catch(() => undefined);
}

/** Follows Teams theme changes; Teams offers no way to unsubscribe, so call it once. */
export function onTeamsThemeChange(handler: (theme: string) => void): void {
  void loadTeamsSdk().then(({ app }) => app.registerOnThemeChangeHandler(handler));
}
