import { describe, expect, it } from '@jest/globals';
import { hashFilters, hrefFor, parseHash, type Route } from './routes';

describe('parseHash', () => {
  it.each<[string, Route]>([
    ['', { page: 'home' }],
    ['#/', { page: 'home' }],
    ['#/admin', { page: 'admin' }],
    ['#/admin/', { page: 'admin' }],
    ['#/messages', { page: 'messages' }],
    ['#/admin/enterprises', { page: 'enterprises' }],
    ['#/admin/settings', { page: 'settings' }],
    ['#/admin/activity', { page: 'activity' }],
    ['#/admin/dashboard', { page: 'dashboard' }],
    ['#/admin/users', { page: 'users' }],
    ['#/admin/numbers', { page: 'numbers' }],
    ['#/admin/enterprises/contoso', { page: 'dashboard', enterpriseId: 'contoso' }],
    ['#/admin/enterprises/contoso/users', { page: 'users', enterpriseId: 'contoso' }],
    ['#/admin/enterprises/contoso/settings', { page: 'settings', enterpriseId: 'contoso' }],
    ['#/admin/enterprises/contoso/activity', { page: 'activity', enterpriseId: 'contoso' }],
    ['#/admin/enterprises/a%20b/activity', { page: 'activity', enterpriseId: 'a b' }],
    ['#/admin?theme=dark', { page: 'admin' }],
  ])('%s', (hash, route) => {
    expect(parseHash(hash)).toEqual(route);
  });

  it('reports unknown paths as not found', () => {
    expect(parseHash('#/nope')).toEqual({ page: 'not-found', path: '/nope' });
    expect(parseHash('#/admin/people')).toEqual({ page: 'not-found', path: '/admin/people' });
    expect(parseHash('#/admin/enterprises/x/phones')).toEqual({ page: 'not-found', path: '/admin/enterprises/x/phones' });
    expect(parseHash('#/admin/enterprises/%E0%A4%A/settings').page).toBe('not-found');
  });
});

describe('hrefFor', () => {
  it('round-trips through parseHash', () => {
    const routes: Route[] = [
      { page: 'messages' },
      { page: 'enterprises' },
      { page: 'settings' },
      { page: 'numbers', enterpriseId: 'contoso' },
      { page: 'activity', enterpriseId: 'id/with?odd#chars' },
    ];
    for (const route of routes) expect(parseHash(hrefFor(route))).toEqual(route);
  });

  it('carries a page\'s filters in the hash, read back as they were given', () => {
    const href = hrefFor({ page: 'users', enterpriseId: 'contoso' }, { license: 'without', services: 'sms-enabled' });
    expect(href).toBe('#/admin/enterprises/contoso/users?license=without&services=sms-enabled');
    expect(parseHash(href)).toEqual({ page: 'users', enterpriseId: 'contoso' });
    expect(Object.fromEntries(hashFilters(href))).toEqual({ license: 'without', services: 'sms-enabled' });
    expect(hrefFor({ page: 'numbers' }, {})).toBe('#/admin/numbers');
    expect([...hashFilters('#/admin/numbers')]).toEqual([]);
  });
});
