import type { Me } from '../api/types';
import { isEnterpriseAdmin } from '../format/roles';
import type { Route, WorkspacePage } from './routes';

/** What the shell renders for a route, once it knows who is signed in. */
export type View =
  | { view: 'enterprises' }
  /** `scoped`: a provider admin acting on one of their enterprises. */
  | { view: WorkspacePage; enterpriseId: string; scoped: boolean }
  | { view: 'messages' }
  | { view: 'no-access'; reason: 'admins-only' | 'providers-only' | 'no-enterprise' | 'not-yours' | 'enterprise-users-only' }
  | { view: 'not-found' };

/** Nav values; several views light up the same item (an enterprise's pages → Enterprises). */
export type NavKey = 'enterprises' | WorkspacePage | 'messages';

export interface NavItem {
  key: NavKey;
  label: string;
  href: string;
}

/** The pages each role works with, in nav order. */
export function navItems(me: Me): NavItem[] {
  const enterprises: NavItem = { key: 'enterprises', label: 'Enterprises', href: '#/admin/enterprises' };
  const page = (key: WorkspacePage, label: string): NavItem => ({ key, label, href: `#/admin/${key}` });
  const messages: NavItem = { key: 'messages', label: 'Messages', href: '#/messages' };
  if (me.role === 'provider-admin') return [enterprises];
  if (isEnterpriseAdmin(me.role)) {
    return [page('dashboard', 'Dashboard'), page('users', 'Users'), page('numbers', 'Numbers'), page('settings', 'Settings'), page('activity', 'Activity'), messages];
  }
  return [messages];
}

/** Each role's landing page, used for `#/` and `#/admin`. */
function landing(me: Me, route: 'home' | 'admin'): View {
  if (me.role === 'provider-admin') return { view: 'enterprises' };
  if (isEnterpriseAdmin(me.role)) {
    return me.enterpriseId ? { view: 'dashboard', enterpriseId: me.enterpriseId, scoped: false } : { view: 'no-access', reason: 'no-enterprise' };
  }
  return route === 'admin' ? { view: 'no-access', reason: 'admins-only' } : { view: 'messages' };
}

/**
 * Resolves a route for the signed-in user. The server enforces access on every call;
 * this only keeps people from landing on pages that can't work for them.
 */
export function resolveView(route: Route, me: Me): View {
  const provider = me.role === 'provider-admin';
  const enterpriseAdmin = isEnterpriseAdmin(me.role);
  switch (route.page) {
    case 'home':
    case 'admin':
      return landing(me, route.page);
    case 'messages':
      return provider ? { view: 'no-access', reason: 'enterprise-users-only' } : { view: 'messages' };
    case 'enterprises':
      return provider ? { view: 'enterprises' } : { view: 'no-access', reason: 'providers-only' };
    case 'dashboard':
    case 'users':
    case 'numbers':
    case 'settings':
    case 'activity': {
      if (provider) {
        return route.enterpriseId === undefined ? { view: 'enterprises' } : { view: route.page, enterpriseId: route.enterpriseId, scoped: true };
      }
      if (!enterpriseAdmin) return { view: 'no-access', reason: 'admins-only' };
      if (!me.enterpriseId) return { view: 'no-access', reason: 'no-enterprise' };
      if (route.enterpriseId !== undefined && route.enterpriseId !== me.enterpriseId) return { view: 'no-access', reason: 'not-yours' };
      return { view: route.page, enterpriseId: me.enterpriseId, scoped: false };
    }
    case 'not-found':
      return { view: 'not-found' };
  }
}

/** Which nav item a view belongs to, if any. */
export function navKeyOf(view: View): NavKey | undefined {
  switch (view.view) {
    case 'enterprises':
      return 'enterprises';
    case 'dashboard':
    case 'users':
    case 'numbers':
    case 'settings':
    case 'activity':
      return view.scoped ? 'enterprises' : view.view;
    case 'messages':
      return 'messages';
    default:
      return undefined;
  }
}
