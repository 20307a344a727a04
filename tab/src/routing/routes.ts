/**
 * Hash routes. The Teams manifest deep-links to `#/admin` and `#/messages`; the rest
 * are the admin pages. Hash routing keeps every URL served by the same index.html.
 */
export type Route =
  | { page: 'home' }
  | { page: 'admin' }
  | { page: 'messages' }
  | { page: 'enterprises' }
  /** Without enterpriseId: the signed-in admin's own enterprise. */
  | { page: 'settings'; enterpriseId?: string }
  | { page: 'activity'; enterpriseId?: string }
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
    if (second === 'settings') return { page: 'settings' };
    if (second === 'activity') return { page: 'activity' };
    return { page: 'not-found', path };
  }
  const enterpriseId = decode(third);
  if (second === 'enterprises' && enterpriseId && rest.length === 0) {
    if (fourth === undefined || fourth === 'settings') return { page: 'settings', enterpriseId };
    if (fourth === 'activity') return { page: 'activity', enterpriseId };
  }
  return { page: 'not-found', path };
}

/** The canonical hash for a route. */
export function hrefFor(route: Route): string {
  switch (route.page) {
    case 'home':
      return '#/';
    case 'admin':
      return '#/admin';
    case 'messages':
      return '#/messages';
    case 'enterprises':
      return '#/admin/enterprises';
    case 'settings':
    case 'activity':
      return route.enterpriseId === undefined
        ? `#/admin/${route.page}`
        : `#/admin/enterprises/${encodeURIComponent(route.enterpriseId)}/${route.page}`;
    case 'not-found':
      return `#${route.path}`;
  }
}
