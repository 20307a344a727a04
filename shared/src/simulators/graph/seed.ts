import { Random, hashString } from './random';
import { SERVICE_PLANS, type AssignedPlan, type CapabilityStatus, type GraphGroup, type GraphUser, type TenantSeed } from './types';

/**
 * Deterministic demo directories: realistic names, unique UPNs, a mix of licences,
 * guests, disabled accounts and departments, and nested groups. The mix is what the
 * directory sync has to get right, so it is deliberate:
 * ~85% hold a Teams plan (of those ~4% Suspended), ~30% of those also Teams Phone,
 * ~3% disabled accounts, ~5% guests (UPN `name_ext#EXT#@domain`: note the `#`).
 */

const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Sandra', 'Mark', 'Margaret',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Andrew', 'Emily', 'Paul', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'Timothy', 'Deborah', 'Ronald', 'Stephanie',
  'Jason', 'Rebecca', 'George', 'Sharon', 'Edward', 'Laura', 'Jeffrey', 'Cynthia', 'Ryan', 'Amy',
  'Jacob', 'Kathleen', 'Gary', 'Angela', 'Nicholas', 'Dorothy', 'Eric', 'Shirley', 'Jonathan', 'Emma',
  'Stephen', 'Brenda', 'Larry', 'Nicole', 'Justin', 'Pamela', 'Scott', 'Samantha', 'Brandon', 'Anna',
  'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Priya', 'Arjun', 'Aisha', 'Omar', 'Fatima', 'Mohammed',
  'José', 'María', 'Zoë', 'Björn', 'Siobhán', 'François', 'Chloé', 'Søren', 'Łukasz', 'Ngozi',
];

const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes',
  'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper',
  'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson',
  'Chen', 'Wang', 'Tanaka', 'Sato', 'Patel', 'Sharma', 'Okafor', 'Haddad', 'Khan', 'Ali',
  "O'Brien", 'Müller', 'Núñez', 'Søndergaard', 'Kowalski', 'Dubois', 'Van der Berg', 'MacDonald', 'Fitzgerald', 'Nakamura',
];

const GUEST_DOMAINS = ['fabrikam.com', 'adatum.com', 'northwindtraders.com', 'gmail.com', 'outlook.com'];

interface Department {
  name: string;
  weight: number;
  titles: string[];
  office: string[];
}

const DEPARTMENTS: Department[] = [
  { name: 'Sales', weight: 25, titles: ['Account Executive', 'Sales Representative', 'Sales Manager', 'Inside Sales Representative'], office: ['Seattle', 'Chicago', 'Austin'] },
  { name: 'Support', weight: 25, titles: ['Support Engineer', 'Customer Service Representative', 'Support Team Lead'], office: ['Austin', 'Remote'] },
  { name: 'Field Service', weight: 25, titles: ['Field Technician', 'Senior Field Technician', 'Dispatcher', 'Field Service Manager'], office: ['Remote', 'Chicago'] },
  { name: 'Finance', weight: 8, titles: ['Accountant', 'Financial Analyst', 'Controller'], office: ['Seattle'] },
  { name: 'Engineering', weight: 12, titles: ['Software Engineer', 'Senior Software Engineer', 'Engineering Manager'], office: ['Redmond', 'Remote'] },
  { name: 'Leadership', weight: 5, titles: ['Vice President', 'Director', 'Chief Operating Officer'], office: ['Seattle'] },
];
const LEADERSHIP = DEPARTMENTS.find((d) => d.name === 'Leadership')!;
const TOTAL_WEIGHT = DEPARTMENTS.reduce((sum, department) => sum + department.weight, 0);

/** Dates in the demo data start here, so a seed always gives the same directory. */
const BASE_TIME = Date.UTC(2022, 0, 3, 9, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

function pickDepartment(rng: Random): Department {
  let roll = rng.int(TOTAL_WEIGHT);
  for (const department of DEPARTMENTS) {
    roll -= department.weight;
    if (roll < 0) return department;
  }
  return DEPARTMENTS[0]!;
}

const asciiCache = new Map<string, string>();

/** `José` -> `jose`, `O'Brien` -> `obrien`: UPN local parts are ASCII. Cached: names repeat a lot. */
function ascii(value: string): string {
  let result = asciiCache.get(value);
  if (result === undefined) {
    // NFD splits accents off (é -> e + ´); ø and ł have no decomposition, so map them first.
    result = value.replace(/ø/gi, 'o').replace(/ł/gi, 'l').normalize('NFD').replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    if (asciiCache.size < 10_000) asciiCache.set(value, result);
  }
  return result;
}

function mailLocalPart(given: string, surname: string): string {
  const first = ascii(given);
  const last = ascii(surname);
  return first && last ? `${first}.${last}` : first || last || 'user';
}

function phone(rng: Random, areaCode: string): string {
  return `+1 ${areaCode} 555 ${String(rng.int(10000)).padStart(4, '0')}`;
}

export function plan(kind: keyof typeof SERVICE_PLANS, capabilityStatus: CapabilityStatus, assignedDateTime: string): AssignedPlan {
  return { assignedDateTime, capabilityStatus, ...SERVICE_PLANS[kind] };
}

const seededPlans = new Map<number, AssignedPlan>();
const PLAN_KINDS = Object.keys(SERVICE_PLANS) as Array<keyof typeof SERVICE_PLANS>;
const STATUSES: CapabilityStatus[] = ['Enabled', 'Warning', 'Suspended', 'Deleted', 'LockedOut'];

/**
 * A frozen plan shared by every seeded user who got it the same day: a 50,000-user
 * directory then holds a few thousand plan objects instead of 170,000, which keeps
 * generation fast. The tenant never mutates stored users (changes replace them).
 */
function seededPlan(kind: keyof typeof SERVICE_PLANS, status: CapabilityStatus, day: number): AssignedPlan {
  const key = (PLAN_KINDS.indexOf(kind) * STATUSES.length + STATUSES.indexOf(status)) * 1_000_000 + day; // a number: cheaper to hash than a string
  let shared = seededPlans.get(key);
  if (!shared) {
    shared = Object.freeze(plan(kind, status, new Date(BASE_TIME + day * DAY).toISOString()));
    seededPlans.set(key, shared);
  }
  return shared;
}

export interface UserContext {
  domain: string;
  rng: Random;
  /** True when a user already has this UPN (compared ignoring case). */
  isUpnTaken(upn: string): boolean;
  /** Next number to try per UPN stem, so the 5th John Smith costs one lookup, not five. */
  upnCounters: Map<string, number>;
}

/** A unique UPN for a name: `first.last@domain`, then `first.last2@domain`, ... */
function uniqueUpn(context: UserContext, local: string, suffix: string): string {
  const stem = local + suffix;
  for (let n = context.upnCounters.get(stem) ?? 1; ; n++) {
    const upn = n === 1 ? stem : local + n + suffix;
    if (!context.isUpnTaken(upn)) {
      context.upnCounters.set(stem, n + 1);
      return upn;
    }
  }
}

/**
 * A complete user from whatever the caller gives (tests usually give a name or nothing);
 * missing fields are generated.
 */
export function buildUser(context: UserContext, partial: Partial<GraphUser>, createdDateTime: string): GraphUser {
  const { rng } = context;
  const givenName = partial.givenName !== undefined ? partial.givenName : rng.pick(FIRST_NAMES);
  const surname = partial.surname !== undefined ? partial.surname : rng.pick(LAST_NAMES);
  const displayName = partial.displayName ?? (givenName && surname ? `${givenName} ${surname}` : givenName || surname || 'New User');
  const userType = partial.userType ?? 'Member';
  const local = mailLocalPart(givenName ?? displayName, surname ?? '');
  let userPrincipalName = partial.userPrincipalName;
  let mail = partial.mail;
  if (userPrincipalName === undefined) {
    if (userType === 'Guest') {
      const external = `${local}@${rng.pick(GUEST_DOMAINS)}`;
      userPrincipalName = uniqueUpn(context, external.replace('@', '_'), `#EXT#@${context.domain}`);
      mail ??= external;
    } else {
      userPrincipalName = uniqueUpn(context, local, `@${context.domain}`);
    }
  }
  return {
    id: partial.id ?? rng.guid(),
    userPrincipalName,
    displayName,
    givenName: givenName ?? null,
    surname: surname ?? null,
    mail: mail !== undefined ? mail : userType === 'Guest' ? null : userPrincipalName,
    accountEnabled: partial.accountEnabled ?? true,
    userType,
    jobTitle: partial.jobTitle ?? null,
    department: partial.department ?? null,
    officeLocation: partial.officeLocation ?? null,
    preferredLanguage: partial.preferredLanguage ?? (userType === 'Member' ? 'en-US' : null),
    mobilePhone: partial.mobilePhone ?? null,
    businessPhones: partial.businessPhones ?? [],
    assignedPlans: partial.assignedPlans ?? [],
    createdDateTime: partial.createdDateTime ?? createdDateTime,
  };
}

/** One generated demo user; index 0 is always the CEO so every tenant has leadership. */
function demoUser(context: UserContext, index: number): GraphUser {
  const { rng } = context;
  const createdAt = BASE_TIME + rng.int(700) * DAY + rng.int(DAY);
  const created = new Date(createdAt).toISOString();
  if (index > 0 && rng.chance(0.05)) return buildUser(context, { userType: 'Guest' }, created);

  const department = index === 0 ? LEADERSHIP : pickDepartment(rng);
  // Licences are assigned in bulk, a day at a time: plans of the same day are shared.
  const assignedDay = Math.floor((createdAt - BASE_TIME) / DAY) + rng.int(30);
  const assignedPlans: AssignedPlan[] = [seededPlan('exchange', 'Enabled', assignedDay), seededPlan('sharePoint', 'Enabled', assignedDay)];
  if (index === 0 || rng.chance(0.85)) {
    // A suspended subscription suspends every plan it carries, Teams Phone included.
    const status: CapabilityStatus = index > 0 && rng.chance(0.035) ? 'Suspended' : 'Enabled';
    assignedPlans.push(seededPlan('teams', status, assignedDay));
    if (rng.chance(0.3)) assignedPlans.push(seededPlan('teamsPhone', status, assignedDay));
  }
  return buildUser(
    context,
    {
      accountEnabled: index === 0 || !rng.chance(0.03),
      jobTitle: index === 0 ? 'Chief Executive Officer' : rng.pick(department.titles),
      department: department.name,
      officeLocation: rng.pick(department.office),
      businessPhones: rng.chance(0.9) ? [phone(rng, '425')] : [],
      mobilePhone: rng.chance(0.6) ? phone(rng, '206') : null,
      assignedPlans,
    },
    created,
  );
}

function group(rng: Random, domain: string, displayName: string, description: string, unified: boolean, memberIds: string[], groupIds: string[] = []): GraphGroup {
  const mailNickname = displayName.replace(/[^A-Za-z0-9]/g, '');
  return {
    id: rng.guid(),
    displayName,
    description,
    mail: unified ? `${mailNickname}@${domain}` : null,
    mailNickname,
    mailEnabled: unified,
    securityEnabled: !unified,
    groupTypes: unified ? ['Unified'] : [],
    createdDateTime: new Date(BASE_TIME - 30 * DAY).toISOString(),
    memberIds,
    groupIds,
  };
}

/**
 * The department groups, "All Staff" nesting them (three levels deep through
 * Field Service -> Field Service Dispatch; the CEO is also a direct member, so
 * transitive reads must de-duplicate), and an empty group.
 */
function demoGroups(rng: Random, domain: string, users: GraphUser[]): GraphGroup[] {
  const byDepartment = new Map<string, string[]>();
  for (const user of users) {
    if (!user.department) continue;
    const ids = byDepartment.get(user.department) ?? [];
    ids.push(user.id);
    byDepartment.set(user.department, ids);
  }
  const members = (name: string) => byDepartment.get(name) ?? [];
  const field = members('Field Service');
  const dispatch = group(rng, domain, 'Field Service Dispatch', 'Dispatch and night shift field technicians.', false, field.filter((_, i) => i % 2 === 1));
  const departments = [
    group(rng, domain, 'Sales', 'Sales team.', true, members('Sales')),
    group(rng, domain, 'Support', 'Customer support.', true, members('Support')),
    group(rng, domain, 'Field Service', 'Field technicians and their managers.', false, field.filter((_, i) => i % 2 === 0), [dispatch.id]),
    group(rng, domain, 'Finance', 'Finance and accounting.', false, members('Finance')),
    group(rng, domain, 'Engineering', 'Product engineering.', true, members('Engineering')),
    group(rng, domain, 'Leadership', 'Leadership team.', false, members('Leadership')),
  ];
  const ceo = users[0] && users[0].department === 'Leadership' ? [users[0].id] : [];
  const allStaff = group(rng, domain, 'All Staff', 'Everyone on staff (nested department groups).', true, ceo, departments.map((g) => g.id));
  const empty = group(rng, domain, 'Project Falcon', 'A project group with no members yet.', true, []);
  return [allStaff, ...departments, dispatch, empty];
}

export interface GeneratedDirectory {
  displayName: string;
  domain: string;
  users: GraphUser[];
  groups: GraphGroup[];
  /** The generator, to continue with for users added later (keeps ids deterministic). */
  rng: Random;
  /** The UPNs in use, lower case (generated ones are lower case already). */
  upns: Set<string>;
  upnCounters: Map<string, number>;
}

export function generateDirectory(tenantId: string, seed: TenantSeed = {}): GeneratedDirectory {
  const displayName = seed.displayName ?? 'Contoso';
  const domain = (seed.domain ?? `${displayName.replace(/[^A-Za-z0-9]/g, '').toLowerCase() || 'tenant'}.onmicrosoft.com`).toLowerCase();
  const rng = new Random(seed.seed ?? hashString(tenantId));
  const upns = new Set<string>();
  // Generated UPNs are lower case already (ASCII local part, lower-cased domain).
  const upnCounters = new Map<string, number>();
  const context: UserContext = { domain, rng, isUpnTaken: (upn) => upns.has(upn), upnCounters };
  const count = seed.users ?? 250;
  const users: GraphUser[] = [];
  for (let index = 0; index < count; index++) {
    const user = demoUser(context, index);
    upns.add(user.userPrincipalName);
    users.push(user);
  }
  return { displayName, domain, users, groups: count > 0 ? demoGroups(rng, domain, users) : [], rng, upns, upnCounters };
}
