import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createServices, defaultEnterpriseSettings, TableStore, type DirectoryUser, type Principal, type RunningAzurite, type UserQuery } from '@switchboard/shared';
import { report } from './report';

/**
 * The Users page at 50,000 users: seed them (Repository.createMany), load the
 * service's in-memory snapshot once, then time 200 queries as the tab sends them
 * (quick-search keystrokes, stacked column filters, every sort both ways, pages),
 * in process through UserDirectory.query (access check included). Also the heap
 * the snapshot keeps.
 */
const USERS = 50_000;
export const ENTERPRISE = 'bench-users';

const FIRST = ['Ada', 'Émile', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Alan', 'Zoë', 'Søren'];
const LAST = ['Lovelace', 'Zola', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Turing', 'Kierkegaard'];
const TAGS = ['Sales', 'Support', 'VIP', 'Night shift', 'Berlin', 'London', 'Field', 'Managers', 'Reception', 'Warehouse'];

export function user(i: number): DirectoryUser {
  const given = FIRST[i % FIRST.length]!;
  const family = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  const ascii = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').replace(/ø/g, 'o').toLowerCase();
  const numbers = i % 3 === 0 ? [`+1555${String(i).padStart(7, '0')}`] : i % 17 === 0 ? [`+4420${String(i).padStart(8, '0')}`, `+4420${String(i + 1).padStart(8, '0')}`] : [];
  const tagCount = i % 6;
  const tags = Array.from({ length: Math.min(tagCount, 5) }, (_, k) => TAGS[(i + k * 3) % TAGS.length]!).filter((tag, k, all) => all.indexOf(tag) === k);
  return {
    enterpriseId: ENTERPRISE,
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    userPrincipalName: `${ascii(given)}.${ascii(family)}${i}@contoso.com`,
    displayName: `${given} ${family} ${i}`,
    mail: i % 9 === 0 ? null : `${ascii(given)}.${ascii(family)}${i}@contoso.com`,
    accountEnabled: i % 40 !== 0,
    userType: i % 30 === 0 ? 'Guest' : 'Member',
    teamsLicensed: i % 10 !== 0,
    teamsPhoneLicensed: i % 4 === 0,
    removed: i % 100 === 99,
    inSelection: i % 20 !== 19,
    tags,
    sms: { enabled: numbers.length > 0 && i % 2 === 0, numbers },
    chatAccess: i % 11 === 0 ? 'deny' : i % 13 === 0 ? 'allow' : 'inherit',
    syncedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** 200 queries in the order a session might send them. */
function queries(): Array<Partial<UserQuery>> {
  const result: Array<Partial<UserQuery>> = [{}];
  const typed = (word: string) => Array.from({ length: word.length }, (_, k) => word.slice(0, k + 1));
  for (const word of ['margaret', 'hopper', 'emile zola', 'kierkegaard', 'night', '555 012', '+44 20 0001', 'contoso.com', 'vip', 'zoe']) {
    for (const search of typed(word)) result.push({ search });
  }
  const sorts = ['username', 'displayName', 'smsNumbers', 'license', 'services', 'tags'] as const;
  for (const sort of sorts) for (const order of ['asc', 'desc'] as const) result.push({ sort, order }, { sort, order, offset: 5_000, limit: 500 });
  const stacked: Array<Partial<UserQuery>> = [
    { license: 'without', services: 'sms-enabled' },
    { tag: ['sales', 'vip'], chat: 'on' },
    { username: 'grace', smsNumber: '555', selection: 'in' },
    { displayName: 'torvalds', license: 'with', tag: ['berlin'], sort: 'tags' },
    { services: 'sms-not-configured', status: 'all', sort: 'displayName', order: 'desc' },
    { search: 'ada', tag: ['support'], services: 'sms-disabled', sort: 'smsNumbers' },
    { status: 'removed' },
    { selection: 'outside', status: 'all', sort: 'license' },
    { search: 'lovelace 1', chat: 'off' },
    { tag: ['night shift', 'london', 'field'] },
  ];
  while (result.length < 200) {
    const i = result.length;
    result.push({ ...stacked[i % stacked.length]!, offset: (i * 37) % 2_000, limit: i % 2 ? 100 : 500 });
  }
  return result.slice(0, 200);
}

/** A collector the benchmark can call (node has no `gc()` without --expose-gc). */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const mb = (bytes: number) => bytes / 1024 / 1024;

export async function usersQueryBench(azurite: RunningAzurite): Promise<void> {
  const store = new TableStore(azurite.connectionString, { tablePrefix: `q${Date.now().toString(36)}` });
  const services = await createServices(store);
  const at = new Date().toISOString();
  await services.enterpriseRepository.create({
    id: ENTERPRISE,
    name: 'Bench Users',
    tenantId: '33333333-3333-4333-8333-333333333333',
    providerId: 'bench-provider',
    createdAt: at,
    updatedAt: at,
    settings: { ...defaultEnterpriseSettings },
  });
  const principal: Principal = { userId: 'bench', name: 'Bench Admin', tenantId: '33333333-3333-4333-8333-333333333333', role: 'global-admin', enterpriseId: ENTERPRISE };

  const seedStart = performance.now();
  const CHUNK = 5_000;
  for (let from = 0; from < USERS; from += CHUNK) {
    await services.userRepository.createMany(Array.from({ length: Math.min(CHUNK, USERS - from) }, (_, k) => user(from + k)));
  }
  report({ name: 'users.seed', value: USERS / ((performance.now() - seedStart) / 1000), unit: 'entities/s' });

  const gc = collector();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const loadStart = performance.now();
  const snapshot = await services.users.snapshot(ENTERPRISE);
  report({ name: 'users.snapshot.load', value: performance.now() - loadStart, unit: 'ms' });
  if (snapshot.size !== USERS) throw new Error(`snapshot holds ${snapshot.size} users, expected ${USERS}`);
  gc();
  report({ name: 'users.snapshot.heap', value: mb(process.memoryUsage().heapUsed - heapBefore), unit: 'MB' });

  const times: number[] = [];
  const coldSorts: number[] = [];
  const seenSorts = new Set<string>();
  for (const query of queries()) {
    const start = performance.now();
    const page = await services.users.query(principal, ENTERPRISE, query);
    const ms = performance.now() - start;
    times.push(ms);
    const sortKey = `${query.sort ?? 'username'}:${query.order ?? 'asc'}`;
    if (!seenSorts.has(sortKey)) {
      seenSorts.add(sortKey);
      coldSorts.push(ms);
    }
    if (page.items.length > (query.limit ?? 100)) throw new Error('page larger than its limit');
  }
  gc();
  report({ name: 'users.query.heap', value: mb(process.memoryUsage().heapUsed - heapBefore), unit: 'MB' });
  const sorted = [...times].sort((a, b) => a - b);
  report({ name: 'users.query.p50', value: percentile(sorted, 50), unit: 'ms' });
  report({ name: 'users.query.p95', value: percentile(sorted, 95), unit: 'ms' });
  report({ name: 'users.query.max', value: sorted[sorted.length - 1]!, unit: 'ms' });
  report({ name: 'users.query.first-sort.max', value: Math.max(...coldSorts), unit: 'ms' });
}
