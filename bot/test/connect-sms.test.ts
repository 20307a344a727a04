import { defaultCapabilities, type DirectoryUser, type PhoneNumberEntry } from '@switchboard/shared';
import { makeUser } from '../../shared/test/users';
import type { Runtime } from '../src/runtime';
import { devTokens } from './support/dev-sign-in';
import { call, expectError, type JsonAnswer } from './support/http';
import { startTestRuntime, stopAll } from './support/runtime';

/**
 * The Connect SMS view over HTTP against the real server and Azurite: the list with
 * numbers and extensions, search by name, number and extension, the enabled filter,
 * enabling several users at once (those without a number are skipped and named),
 * disabling, the activity feed, and access.
 */
const IDENTITIES = ['provider-admin', 'contoso-global-admin', 'contoso-admin', 'contoso-user', 'fabrikam-global-admin'] as const;

const at = '2026-01-01T00:00:00.000Z';
const entry = (e164: string, holder: { id: string; name: string } | null, extension: string | null = null): PhoneNumberEntry => ({
  enterpriseId: 'contoso',
  number: e164 as PhoneNumberEntry['number'],
  carrierConnectionId: null,
  capabilities: { ...defaultCapabilities },
  label: '',
  extension,
  segmentsPerSecond: null,
  holder: holder ? { type: 'user', ...holder } : null,
  createdAt: at,
  updatedAt: at,
});

const users: DirectoryUser[] = [
  makeUser({ enterpriseId: 'contoso', id: 'alice', displayName: 'Alice Archer', sms: { enabled: true, numbers: ['+14155550200'] }, tags: ['VIP'] }),
  makeUser({ enterpriseId: 'contoso', id: 'bob', displayName: 'Bob Baker', sms: { enabled: false, numbers: ['+14155550201'] }, tags: ['Sales', 'Night'] }),
  makeUser({ enterpriseId: 'contoso', id: 'carol', displayName: 'Carol Cruz' }),
  makeUser({ enterpriseId: 'contoso', id: 'dave', displayName: 'Dave Dunn', removed: true }),
  makeUser({ enterpriseId: 'contoso', id: 'erin', displayName: 'Érin Eastwood', teamsLicensed: false, sms: { enabled: false, numbers: ['+14155550206', '+442079460958'] } }),
];

describe('Connect SMS API', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
    await runtime.services.userRepository.createMany([...users, makeUser({ enterpriseId: 'fabrikam', id: 'frank', displayName: 'Frank Fabrikam' })]);
    await runtime.services.numberRepository.createMany([
      entry('+14155550200', { id: 'alice', name: 'Alice Archer' }, '2104'),
      entry('+14155550201', { id: 'bob', name: 'Bob Baker' }),
      entry('+14155550206', { id: 'erin', name: 'Érin Eastwood' }, '2106'),
      entry('+442079460958', { id: 'erin', name: 'Érin Eastwood' }, '2107'),
      entry('+14155550299', null, '2999'),
    ]);
  });
  afterAll(() => stopAll(runtime));

  const admin = () => tokens['contoso-global-admin'];
  const list = (query = '', token = admin(), enterprise = 'contoso') => call(`${url}/api/admin/enterprises/${enterprise}/connect-sms${query}`, { token });
  const post = (action: 'enable' | 'disable', userIds: unknown, token = admin(), enterprise = 'contoso') =>
    call(`${url}/api/admin/enterprises/${enterprise}/connect-sms/${action}`, { token, body: { userIds } });
  const ids = (answer: JsonAnswer) => {
    expect(answer.status).toBe(200);
    return (answer.body.items as Array<{ id: string }>).map((row) => row.id);
  };
  const stored = async (id: string) => (await runtime.services.userRepository.require('contoso', id)).value;

  it('lists users by name with their numbers, extensions and SMS state, removed users left out', async () => {
    const answer = await list();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ total: 4, offset: 0, limit: 100, counts: { enabled: 1, disabled: 2, withoutNumber: 1 } });
    expect(answer.body.items).toEqual([
      { id: 'alice', name: 'Alice Archer', username: 'alice@contoso.com', numbers: [{ number: '+14155550200', display: '+1 415 555 0200', extension: '2104' }], enabled: true, sms: 'enabled', licensed: true },
      { id: 'bob', name: 'Bob Baker', username: 'bob@contoso.com', numbers: [{ number: '+14155550201', display: '+1 415 555 0201', extension: null }], enabled: false, sms: 'disabled', licensed: true },
      { id: 'carol', name: 'Carol Cruz', username: 'carol@contoso.com', numbers: [], enabled: false, sms: 'not-configured', licensed: true },
      {
        id: 'erin',
        name: 'Érin Eastwood',
        username: 'erin@contoso.com',
        numbers: [
          { number: '+14155550206', display: '+1 415 555 0206', extension: '2106' },
          { number: '+442079460958', display: '+44 20 7946 0958', extension: '2107' },
        ],
        enabled: false,
        sms: 'disabled',
        licensed: false,
      },
    ]);
  });

  it('searches by name, number or extension, filters by enabled, and pages', async () => {
    expect(ids(await list('?search=bob'))).toEqual(['bob']);
    expect(ids(await list('?search=erin%20east'))).toEqual(['erin']); // accents ignored
    expect(ids(await list(`?search=${encodeURIComponent('555 0201')}`))).toEqual(['bob']);
    expect(ids(await list(`?search=${encodeURIComponent('(415) 555-02')}`))).toEqual(['alice', 'bob', 'erin']);
    expect(ids(await list('?search=2104'))).toEqual(['alice']);
    expect(ids(await list('?search=2107'))).toEqual(['erin']);
    expect(ids(await list('?enabled=true'))).toEqual(['alice']);
    expect(ids(await list('?enabled=false'))).toEqual(['bob', 'carol', 'erin']);
    const page = await list('?enabled=false&offset=1&limit=1');
    expect(ids(page)).toEqual(['carol']);
    expect(page.body).toMatchObject({ total: 3, offset: 1, limit: 1 });
    const bad = expectError(await list('?enabled=maybe&limit=0'), 400, 'validation_failed');
    expect(bad.details!.map((d) => d.path).sort()).toEqual(['enabled', 'limit']);
  });

  it('enables several users in one step, skipping and naming those without a number', async () => {
    const answer = await post('enable', ['bob', 'carol', 'erin', 'nobody', 'alice', 'dave', 'bob']);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      enabled: ['bob', 'erin', 'alice'],
      skipped: [
        { id: 'carol', name: 'Carol Cruz', reason: 'No SMS number assigned' },
        { id: 'nobody', name: 'nobody', reason: 'Not in the directory' },
        { id: 'dave', name: 'Dave Dunn', reason: 'Removed from the Microsoft 365 directory' },
      ],
      failed: [],
    });
    // Only enabled flipped: numbers and tags kept.
    expect(await stored('bob')).toMatchObject({ sms: { enabled: true, numbers: ['+14155550201'] }, tags: ['Sales', 'Night'] });
    expect(await stored('erin')).toMatchObject({ sms: { enabled: true, numbers: ['+14155550206', '+442079460958'] } });
    expect((await stored('carol')).sms).toEqual({ enabled: false, numbers: [] });
    expect(ids(await list('?enabled=true'))).toEqual(['alice', 'bob', 'erin']); // the list sees it at once

    const feed = (await call(`${url}/api/admin/enterprises/contoso/activity?pageSize=5`, { token: admin() })).body.items as Array<Record<string, any>>;
    expect(feed[0]).toMatchObject({
      action: 'sms.connect.enabled',
      actor: { name: 'Grace Global' },
      summary:
        'Turned SMS on for 2 users: Bob Baker, Érin Eastwood. Skipped 3: Carol Cruz (no SMS number assigned), nobody (not in the directory), Dave Dunn (removed from the Microsoft 365 directory).',
    });
    expect(feed.slice(1, 3).map((entry) => entry.action)).toEqual(['user.sms.updated', 'user.sms.updated']);

    // Again: nothing to do, nothing recorded beyond the skips.
    const again = await post('enable', ['bob', 'erin']);
    expect(again.body).toEqual({ enabled: ['bob', 'erin'], skipped: [], failed: [] });
  });

  it('disables users, keeping their numbers', async () => {
    const answer = await post('disable', ['bob', 'carol']);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ disabled: ['bob', 'carol'], skipped: [], failed: [] });
    expect((await stored('bob')).sms).toEqual({ enabled: false, numbers: ['+14155550201'] });
    const feed = (await call(`${url}/api/admin/enterprises/contoso/activity?pageSize=2`, { token: admin() })).body.items as Array<Record<string, any>>;
    expect(feed[0]).toMatchObject({ action: 'sms.connect.disabled', summary: 'Turned SMS off for 1 user: Bob Baker.' });
  });

  it('refuses an empty or oversized selection, naming the field', async () => {
    expect(expectError(await post('enable', []), 400, 'validation_failed').details).toEqual([{ path: 'userIds', message: 'Choose at least one user.' }]);
    expect(expectError(await post('disable', Array.from({ length: 501 }, (_, i) => `u${i}`)), 400, 'validation_failed').details).toEqual([
      { path: 'userIds', message: 'Choose at most 500 users at once.' },
    ]);
  });

  it('lets admins in, refuses plain users (403) and other enterprises (404)', async () => {
    expect((await list('', tokens['contoso-admin'])).status).toBe(200);
    expect((await list('', tokens['provider-admin'])).status).toBe(200);
    expectError(await list('', tokens['contoso-user']), 403, 'forbidden');
    expectError(await post('enable', ['bob'], tokens['contoso-user']), 403, 'forbidden');
    expectError(await list('', tokens['fabrikam-global-admin']), 404, 'not_found');
    expectError(await post('disable', ['bob'], tokens['fabrikam-global-admin']), 404, 'not_found');
    expectError(await post('enable', ['frank'], tokens['provider-admin'], 'fabrikam'), 403, 'forbidden');
    expect((await stored('bob')).sms.enabled).toBe(false);
  });
});
