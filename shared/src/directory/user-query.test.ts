import { generatedUsers, makeUser, stored } from '../../test/users';
import { ValidationError } from '../errors';
import { parseOrThrow } from '../validation';
import type { DirectoryUser } from './user';
import { compareFor, compileFilter, fold, indexUser, queryUsers, sortUsers, userQuerySchema, type IndexedUser, type QueryContext, type UserQuery } from './user-query';
import { UserSnapshot } from './user-snapshot';
import { toUserRow } from './user-view';

/**
 * The Users page query as a pure function: every filter alone and stacked, search
 * by digits, every sort column both ways, and paging.
 */
const people: DirectoryUser[] = [
  makeUser({ id: 'alice', displayName: 'Archer, Alice', sms: { enabled: true, numbers: ['+15551234567'] }, tags: ['Sales', 'VIP'] }),
  makeUser({ id: 'bob', displayName: 'Zimmer Bob', teamsLicensed: false, tags: ['sales'] }),
  makeUser({ id: 'carol', displayName: 'Émilie Carré', sms: { enabled: false, numbers: ['+442071234567'] }, tags: ['Support'], chatAccess: 'deny' }),
  makeUser({ id: 'dave', displayName: 'Dunn Dave', removed: true, tags: ['VIP'] }),
  makeUser({ id: 'erin', displayName: 'Baker Erin', inSelection: false, chatAccess: 'allow', sms: { enabled: true, numbers: ['+15559876543'] } }),
  makeUser({ id: 'frank', displayName: 'Dunn Frank', tags: ['Night shift'] }),
];
const groups = new Map([['frank', [{ number: '+15550001111', groupId: 'g1' }]]]);
const index = (users = people) => users.map((u) => indexUser(stored(u), groups.get(u.id) ?? []));
const chatOn: QueryContext = { enterpriseChatEnabled: true };
const chatOff: QueryContext = { enterpriseChatEnabled: false };

const ids = (query: Partial<UserQuery>, context = chatOn, users = index()) => queryUsers(users, query, context).items.map((e) => e.user.id);

describe('users query: filters', () => {
  it('shows active users by username by default; status picks removed or all', () => {
    expect(ids({})).toEqual(['alice', 'bob', 'carol', 'erin', 'frank']);
    expect(ids({ status: 'removed' })).toEqual(['dave']);
    expect(ids({ status: 'all' })).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
  });

  it('quick search looks in username, display name, mail, numbers and tags, ignoring case and accents', () => {
    expect(ids({ search: 'ALICE' })).toEqual(['alice']);
    expect(ids({ search: 'archer' })).toEqual(['alice']);
    expect(ids({ search: 'emilie carre' })).toEqual(['carol']);
    expect(ids({ search: 'vip' })).toEqual(['alice']); // dave has it too, but is removed
    expect(ids({ search: 'vip', status: 'all' })).toEqual(['alice', 'dave']);
    expect(ids({ search: 'sales' })).toEqual(['alice', 'bob']);
    expect(ids({ search: 'night' })).toEqual(['frank']);
    expect(ids({ search: 'contoso.com' })).toHaveLength(5);
    expect(ids({ search: '   ' })).toHaveLength(5);
  });

  it('quick search needs every word to match somewhere', () => {
    expect(ids({ search: 'alice vip' })).toEqual(['alice']);
    expect(ids({ search: 'vip alice' })).toEqual(['alice']);
    expect(ids({ search: 'alice support' })).toEqual([]);
  });

  it('quick search finds numbers by their digits, ignoring formatting', () => {
    expect(ids({ search: '555 123' })).toEqual(['alice']);
    expect(ids({ search: '+1 (555) 987-65' })).toEqual(['erin']);
    expect(ids({ search: '+44 20 7123' })).toEqual(['carol']);
    expect(ids({ search: '1234567' })).toEqual(['alice', 'carol']);
    expect(ids({ search: '000 1111' })).toEqual(['frank']); // a group-owner number
    expect(ids({ search: '+15551234567' })).toEqual(['alice']);
  });

  it('filters each column', () => {
    expect(ids({ username: 'CAR' })).toEqual(['carol']);
    expect(ids({ displayName: 'dunn' })).toEqual(['frank']);
    expect(ids({ displayName: 'dunn', status: 'all' })).toEqual(['dave', 'frank']);
    expect(ids({ smsNumber: '555-123' })).toEqual(['alice']);
    expect(ids({ smsNumber: '1555' })).toEqual(['alice', 'erin', 'frank']);
    expect(ids({ tag: ['SALES'] })).toEqual(['alice', 'bob']);
    expect(ids({ tag: ['sal'] })).toEqual([]); // tags match exactly
    expect(ids({ tag: ['sales', 'vip'] })).toEqual(['alice']);
    expect(ids({ license: 'without' })).toEqual(['bob']);
    expect(ids({ license: 'with' })).toEqual(['alice', 'carol', 'erin', 'frank']);
    expect(ids({ services: 'sms-enabled' })).toEqual(['alice', 'erin']);
    expect(ids({ services: 'sms-disabled' })).toEqual(['carol']);
    expect(ids({ services: 'sms-not-configured' })).toEqual(['bob', 'frank']);
    expect(ids({ selection: 'outside' })).toEqual(['erin']);
    expect(ids({ selection: 'in' })).toEqual(['alice', 'bob', 'carol', 'frank']);
  });

  it("filters Chat by the enterprise's switch and each user's access", () => {
    expect(ids({ chat: 'on' }, chatOn)).toEqual(['alice', 'bob', 'erin', 'frank']);
    expect(ids({ chat: 'off' }, chatOn)).toEqual(['carol']);
    expect(ids({ chat: 'on' }, chatOff)).toEqual(['erin']);
    expect(ids({ chat: 'off' }, chatOff)).toEqual(['alice', 'bob', 'carol', 'frank']);
  });

  it('stacks filters with AND', () => {
    expect(ids({ search: 'contoso', license: 'with', services: 'sms-enabled', tag: ['vip'] })).toEqual(['alice']);
    expect(ids({ username: 'a', smsNumber: '1555' })).toEqual(['alice', 'frank']);
    expect(ids({ username: 'a', smsNumber: '1555', selection: 'in', chat: 'on' })).toEqual(['alice', 'frank']);
    expect(ids({ tag: ['sales'], license: 'without' })).toEqual(['bob']);
    expect(ids({ tag: ['sales'], license: 'without', services: 'sms-enabled' })).toEqual([]);
  });

  it('compiles an empty filter that keeps everyone', () => {
    const keepAll = compileFilter({ status: 'all' }, chatOn);
    expect(index().every(keepAll.matches)).toBe(true);
    expect(keepAll).toMatchObject({ mask: 0, want: 0, text: undefined });
  });
});

describe('users query: sorting', () => {
  const expectations: Record<string, [string[], string[]]> = {
    username: [['alice', 'bob', 'carol', 'erin', 'frank'], ['frank', 'erin', 'carol', 'bob', 'alice']],
    displayName: [['alice', 'erin', 'frank', 'carol', 'bob'], ['bob', 'carol', 'frank', 'erin', 'alice']],
    // users without numbers (or tags) come last both ways
    smsNumbers: [['frank', 'alice', 'erin', 'carol', 'bob'], ['carol', 'erin', 'alice', 'frank', 'bob']],
    license: [['alice', 'carol', 'erin', 'frank', 'bob'], ['bob', 'alice', 'carol', 'erin', 'frank']],
    services: [['alice', 'erin', 'carol', 'bob', 'frank'], ['bob', 'frank', 'carol', 'alice', 'erin']],
    tags: [['frank', 'bob', 'alice', 'carol', 'erin'], ['carol', 'alice', 'bob', 'frank', 'erin']],
  };
  for (const [sort, [asc, desc]] of Object.entries(expectations)) {
    it(`sorts by ${sort} both ways`, () => {
      expect(ids({ sort: sort as UserQuery['sort'], order: 'asc' })).toEqual(asc);
      expect(ids({ sort: sort as UserQuery['sort'], order: 'desc' })).toEqual(desc);
    });
  }

  it('breaks ties by username, ascending in both directions', () => {
    const twins = ['zed', 'amy', 'kim', 'bea'].map((id) => makeUser({ id, displayName: 'Same Name' }));
    expect(ids({ sort: 'displayName' }, chatOn, index(twins))).toEqual(['amy', 'bea', 'kim', 'zed']);
    expect(ids({ sort: 'displayName', order: 'desc' }, chatOn, index(twins))).toEqual(['amy', 'bea', 'kim', 'zed']);
    expect(ids({ sort: 'license', order: 'desc' }, chatOn, index(twins))).toEqual(['amy', 'bea', 'kim', 'zed']);
  });

  it('builds each order quickly (buckets, key-only stable sorts) exactly as the full comparison orders it', () => {
    const many = generatedUsers('ent', 3_000).map((u, i) => ({ ...u, displayName: i % 7 === 0 ? 'Same Name' : u.displayName }));
    const users = many.map((u) => indexUser(stored(u)));
    for (const context of [chatOn, chatOff]) {
      for (const sort of ['username', 'displayName', 'smsNumbers', 'license', 'services', 'tags'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const fast = sortUsers(users, sort, order, context).map((e) => e.user.id);
          const full = [...users].sort(compareFor(sort, order, context)).map((e) => e.user.id);
          expect({ sort, order, fast }).toEqual({ sort, order, fast: full });
        }
      }
    }
  });

  it('orders services by the Chat chip second, which follows the enterprise switch', () => {
    // all not configured: chat decides; with the switch off only erin-like "allow" users are on
    const users = [makeUser({ id: 'a1' }), makeUser({ id: 'b1', chatAccess: 'allow' }), makeUser({ id: 'c1', chatAccess: 'deny' })];
    expect(ids({ sort: 'services' }, chatOn, index(users))).toEqual(['a1', 'b1', 'c1']);
    expect(ids({ sort: 'services' }, chatOff, index(users))).toEqual(['b1', 'a1', 'c1']);
  });
});

describe('users query: paging', () => {
  it('pages through the filtered list and reports the total after filtering', () => {
    expect(queryUsers(index(), { limit: 2 }, chatOn)).toMatchObject({ total: 5, offset: 0, limit: 2 });
    expect(ids({ limit: 2 })).toEqual(['alice', 'bob']);
    expect(ids({ limit: 2, offset: 2 })).toEqual(['carol', 'erin']);
    expect(ids({ limit: 2, offset: 4 })).toEqual(['frank']);
    const beyond = queryUsers(index(), { limit: 2, offset: 10 }, chatOn);
    expect(beyond).toMatchObject({ items: [], total: 5 });
    expect(queryUsers(index(), { search: 'sales', limit: 1, offset: 1 }, chatOn)).toMatchObject({ total: 2, items: [expect.objectContaining({ user: expect.objectContaining({ id: 'bob' }) })] });
  });

  it('never answers more than 500 rows', () => {
    const many = Array.from({ length: 600 }, (_, i) => makeUser({ id: `x${String(i).padStart(3, '0')}` }));
    const page = queryUsers(index(many), { limit: 10_000 }, chatOn);
    expect(page.items).toHaveLength(500);
    expect(page.total).toBe(600);
  });
});

describe('users query: the query string', () => {
  const parse = (query: Record<string, unknown>) => parseOrThrow(userQuerySchema, query, 'query string');
  const issues = (query: Record<string, unknown>) => {
    try {
      parse(query);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).details;
    }
    throw new Error('expected a validation error');
  };

  it('has defaults: active users, by username, first 100', () => {
    expect(parse({})).toEqual({ status: 'active', sort: 'username', order: 'asc', offset: 0, limit: 100 });
  });

  it('reads numbers from strings, a tag or several, and trims', () => {
    expect(parse({ offset: '20', limit: '50', tag: ' VIP ', search: '  jane ' })).toMatchObject({ offset: 20, limit: 50, tag: ['VIP'], search: 'jane' });
    expect(parse({ tag: ['VIP', 'Sales', ''] })).toMatchObject({ tag: ['VIP', 'Sales'] });
  });

  it('names each bad parameter', () => {
    expect(issues({ limit: '501' })).toEqual([{ path: 'limit', message: 'At most 500 rows per page.' }]);
    expect(issues({ limit: '0', offset: '-1' }).map((d) => d.path).sort()).toEqual(['limit', 'offset']);
    expect(issues({ offset: 'ten' }).map((d) => d.path)).toEqual(['offset']);
    expect(issues({ sort: 'mail' }).map((d) => d.path)).toEqual(['sort']);
    expect(issues({ order: 'up', license: 'maybe', services: 'sms', chat: 'yes', selection: 'all', status: 'gone' }).map((d) => d.path).sort()).toEqual([
      'chat',
      'license',
      'order',
      'selection',
      'services',
      'status',
    ]);
    expect(issues({ smsNumber: 'abc' })).toEqual([{ path: 'smsNumber', message: 'Give at least one digit of the number.' }]);
    expect(issues({ tag: ['a', 'b', 'c', 'd', 'e', 'f'] })).toEqual([{ path: 'tag', message: expect.stringMatching(/at most 5/) }]);
    expect(issues({ search: 'x'.repeat(201) })).toEqual([{ path: 'search', message: 'Use at most 200 characters.' }]);
  });
});

describe('users snapshot', () => {
  it('answers like the pure function and keeps cached sort orders right through changes', () => {
    const snapshot = new UserSnapshot('ent', groups, 0);
    for (const user of people) snapshot.load(stored(user));
    for (const sort of ['username', 'displayName', 'smsNumbers', 'license', 'services', 'tags'] as const) {
      for (const order of ['asc', 'desc'] as const) snapshot.sorted(sort, order, chatOn); // warm every cache
    }
    // alice loses her number and tags, a newcomer arrives, bob is deleted
    const alice = people[0]!;
    snapshot.apply([stored({ ...alice, displayName: 'Zz Alice', sms: { enabled: false, numbers: [] }, tags: [] }), stored(makeUser({ id: 'aaron', displayName: 'Aaron', tags: ['Zeta'] }))], ['bob']);
    const fresh = [...snapshot.values()].map((e) => stored(e.user));
    const rebuilt = fresh.map((s) => indexUser(s, groups.get(s.value.id) ?? []));
    for (const sort of ['username', 'displayName', 'smsNumbers', 'license', 'services', 'tags'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const fromCache = snapshot.query({ sort, order, status: 'all' }, chatOn).items.map((e) => e.user.id);
        const fromScratch = queryUsers(rebuilt, { sort, order, status: 'all' }, chatOn).items.map((e) => e.user.id);
        expect({ sort, order, ids: fromCache }).toEqual({ sort, order, ids: fromScratch });
      }
    }
    // tag filters go through the snapshot's tag index, which followed the changes too
    for (const tag of [['vip'], ['sales'], ['zeta'], ['sales', 'vip'], ['support'], ['nope']]) {
      const fromIndex = snapshot.query({ tag, status: 'all' }, chatOn).items.map((e) => e.user.id);
      const fromScratch = queryUsers(rebuilt, { tag, status: 'all' }, chatOn).items.map((e) => e.user.id);
      expect({ tag, ids: fromIndex }).toEqual({ tag, ids: fromScratch });
    }
    expect(snapshot.usersWithTag('sales')).toBeUndefined(); // bob is gone and alice dropped it
    expect(snapshot.usersWithTag('zeta')?.size).toBe(1);
    expect(snapshot.get('bob')).toBeUndefined();
    expect(snapshot.size).toBe(6);
  });

  it('hands out sorted lists that later changes do not alter (an export in progress reads a stable list)', () => {
    const snapshot = new UserSnapshot('ent', new Map(), 0);
    for (const user of people) snapshot.load(stored(user));
    const before = snapshot.sorted('username', 'asc', chatOn).users;
    const copy = [...before];
    snapshot.apply([stored(makeUser({ id: 'aardvark' }))], ['carol']);
    expect(before).toEqual(copy);
    expect(snapshot.sorted('username', 'asc', chatOn).users.map((e: IndexedUser) => e.user.id)).toContain('aardvark');
  });

  it('narrows the previous matches as a search is typed further, with the same answers as a full scan', () => {
    const users = generatedUsers('ent', 2_000);
    const snapshot = new UserSnapshot('ent', new Map(), 0);
    for (const user of users) snapshot.load(stored(user));
    const scratch = users.map((u) => indexUser(stored(u)));
    const session: Array<Partial<UserQuery>> = [
      ...['g', 'gr', 'gra', 'grac', 'grace', 'grace ', 'grace h', 'grace ho', 'grace h', 'grace'].map((search) => ({ search })),
      ...['5', '55', '555', '555 ', '555 1', '555 10', '555 10a', '555 10ab'].map((search) => ({ search, status: 'all' as const })),
      ...['+', '+1', '+1 5', '+1 55'].map((search) => ({ search })),
      { search: 'emile', tag: ['vip'] },
      { search: 'emile z', tag: ['vip'] },
      { search: 'emile z', tag: ['vip'], sort: 'tags' },
      { search: 'émile zo', tag: ['vip'], sort: 'tags', offset: 3, limit: 2 },
      { search: 'ada', license: 'without' },
      { search: 'ada l', license: 'with' },
    ];
    const check = (query: Partial<UserQuery>) => {
      const fromSnapshot = snapshot.query(query, chatOn);
      const fromScratch = queryUsers(scratch, query, chatOn);
      expect({ query, total: fromSnapshot.total, ids: fromSnapshot.items.map((e) => e.user.id) }).toEqual({ query, total: fromScratch.total, ids: fromScratch.items.map((e) => e.user.id) });
    };
    for (const query of session) check(query);
    // A change in between: the remembered matches no longer count.
    check({ search: 'grace' });
    const changed = { ...users[2]!, displayName: 'Grace Renamed', userPrincipalName: 'zzz@contoso.com' };
    snapshot.apply([stored(changed)]);
    scratch[2] = indexUser(stored(changed));
    check({ search: 'grace r' });
  });

  it('ignores users of another enterprise', () => {
    const snapshot = new UserSnapshot('ent', new Map(), 0);
    snapshot.apply([stored(makeUser({ id: 'stranger', enterpriseId: 'other' }))]);
    expect(snapshot.size).toBe(0);
  });

  it('counts tags ignoring case, most used first, spelled as most users spell them', () => {
    const snapshot = new UserSnapshot('ent', new Map(), 0);
    for (const user of people) snapshot.load(stored(user));
    expect(snapshot.tagCounts()).toEqual([
      { tag: 'Sales', count: 2 }, // "Sales" and "sales": one each, the tie goes to the first by code point
      { tag: 'VIP', count: 2 },
      { tag: 'Night shift', count: 1 },
      { tag: 'Support', count: 1 },
    ]);
  });
});

describe('user rows', () => {
  it('lists own numbers, then group-owner numbers with their group', () => {
    const frank = makeUser({ id: 'frank', sms: { enabled: true, numbers: ['+15550002222'] } });
    const row = toUserRow(stored(frank, 'W/"1"'), { enterpriseChatEnabled: false, groupNumbers: groups.get('frank')! });
    expect(row.smsNumbers).toEqual([
      { number: '+15550002222', role: 'own' },
      { number: '+15550001111', role: 'group-owner', groupId: 'g1' },
    ]);
    expect(row).toMatchObject({ username: 'frank@contoso.com', license: 'with', services: { sms: 'enabled', chat: 'off', chatAccess: 'inherit' }, etag: 'W/"1"' });
  });

  it('folds case and accents for search and sorting', () => {
    expect(fold('Émilie CARRÉ')).toBe('emilie carre');
  });
});
