import { describe, expect, it } from '@jest/globals';
import type { Me } from '../api/types';
import { navItems, navKeyOf, resolveView } from './access';

const provider: Me = { id: 'p', name: 'Pat', tenantId: 't0', role: 'provider-admin', providerId: 't0' };
const global: Me = { id: 'g', name: 'Grace', tenantId: 't1', role: 'global-admin', enterpriseId: 'contoso' };
const admin: Me = { ...global, id: 'a', role: 'enterprise-admin' };
const user: Me = { ...global, id: 'u', role: 'user' };

describe('navItems', () => {
  it('gives each role its pages', () => {
    expect(navItems(provider).map((i) => i.label)).toEqual(['Enterprises']);
    expect(navItems(global).map((i) => i.label)).toEqual(['Dashboard', 'Users', 'Numbers', 'Settings', 'Activity', 'Messages']);
    expect(navItems(admin).map((i) => i.label)).toEqual(['Dashboard', 'Users', 'Numbers', 'Settings', 'Activity', 'Messages']);
    expect(navItems(user).map((i) => i.label)).toEqual(['Messages']);
  });
});

describe('resolveView', () => {
  it('lands each role on its start page', () => {
    expect(resolveView({ page: 'admin' }, provider)).toEqual({ view: 'enterprises' });
    expect(resolveView({ page: 'admin' }, admin)).toEqual({ view: 'dashboard', enterpriseId: 'contoso', scoped: false });
    expect(resolveView({ page: 'home' }, user)).toEqual({ view: 'messages' });
    expect(resolveView({ page: 'admin' }, user)).toEqual({ view: 'no-access', reason: 'admins-only' });
  });

  it('scopes a provider admin to the enterprise in the URL', () => {
    const view = resolveView({ page: 'activity', enterpriseId: 'fabrikam' }, provider);
    expect(view).toEqual({ view: 'activity', enterpriseId: 'fabrikam', scoped: true });
    expect(navKeyOf(view)).toBe('enterprises');
    expect(resolveView({ page: 'settings' }, provider)).toEqual({ view: 'enterprises' });
  });

  it('keeps enterprise admins on their own enterprise', () => {
    expect(resolveView({ page: 'settings', enterpriseId: 'contoso' }, global)).toEqual({ view: 'settings', enterpriseId: 'contoso', scoped: false });
    expect(resolveView({ page: 'settings', enterpriseId: 'fabrikam' }, global)).toEqual({ view: 'no-access', reason: 'not-yours' });
    expect(resolveView({ page: 'enterprises' }, global)).toEqual({ view: 'no-access', reason: 'providers-only' });
    expect(resolveView({ page: 'settings' }, { ...admin, enterpriseId: undefined })).toEqual({ view: 'no-access', reason: 'no-enterprise' });
  });

  it('keeps users to Messages', () => {
    expect(resolveView({ page: 'activity' }, user)).toEqual({ view: 'no-access', reason: 'admins-only' });
    expect(resolveView({ page: 'messages' }, provider)).toEqual({ view: 'no-access', reason: 'enterprise-users-only' });
  });
});
