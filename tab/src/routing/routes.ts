/**
 * Hash routes. The Teams manifest deep-links to `#/admin` and `#/messages`; the rest
 * are the admin pages. Hash routing keeps every URL served by the same index.html.
 */
/** The pages of one enterprise, in navigation order. */
export const WORKSPACE_PAGES = ['dashboard', 'users', 'numbers', 'settings', 'activity'] as const;
export type WorkspacePage = (typeof WORKSPACE_PAGES)[number];
const isWorkspacePage = (value: string | undefined): value is WorkspacePage => (WORKSPACE_PAGES as readonly (string | undefined)[]).includes(value);

export type Route =
  | { page: 'home' }
  | { page: 'admin' }
  | { page: 'messages' }
  | { page: 'enterprises' }
  /** One enterprise's page; without enterpriseId: the signed-in admin's own enterprise. */
  | { page: WorkspacePage; enterpriseId?: string }
  | { page: 'not-found'; path: string };

const decode = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

/** `#/admin/enterprises/abc/settings?theme=dark` → `{ page: 'settings', enterpriseId: 'abc' }`. */
export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  const parts = path.split('/').filter(Boolean);
  const [first, second, third, fourth, ...rest] = parts;
  if (parts.length === 0) return { page: 'home' };
  if (first === 'messages' && parts.length === 1) return { page: 'messages' };
  if (first !== 'admin') return { page: 'not-found', path };
  if (second === undefined) return { page: 'admin' };
  if (third === undefined) {
    if (second === 'enterprises') return { page: 'enterprises' };
    if (isWorkspacePage(second)) return { page: second };
    return { page: 'not-found', path };
  }
  const enterpriseId = decode(third);
  if (second === 'enterprises' && enterpriseId && rest.length === 0) {
    if (fourth === undefined) return { page: 'dashboard', enterpriseId };
    if (isWorkspacePage(fourth)) return { page: fourth, enterpriseId };
  }
  return { page: 'not-found', path };
}

/**
 * A page's filters in the hash (`#/admin/users?license=without`): how a link opens a
 * page already filtered. Pages read only the names they know and check the values.
 */
export function hashFilters(hash: string): URLSearchParams {
  const at = hash.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : hash.slice(at + 1));
}

/** The canonical hash for a route, with a page's filters when given. */
export function hrefFor(route: Route, filters?: Readonly<Record<string, string>>): string {
  const query = filters && Object.keys(filters).length > 0 ? `?${new URLSearchParams(filters as Record<string, string>).toString()}` : '';
  return pathFor(route) + query;
}

function pathFor(route: Route): string {
  switch (route.page) {
    case 'home':
      return '#/';
    case 'admin':
      return '#/admin';
    case 'messages':
      return '#/messages';
    case 'enterprises':
      return '#/admin/enterprises';
    case 'dashboard':
    case 'users':
    case 'numbers':
    case 'settings':
    case 'activity':
      return route.enterpriseId === undefined
        ? `#/admin/${route.page}`
        : `#/admin/enterprises/${encodeURIComponent(route.enterpriseId)}/${route.page}`;
    case 'not-found':
      return `#${route.path}`;
  }
}
