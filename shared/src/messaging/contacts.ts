import type { CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';
import { actorOf, type Principal } from '../access/principal';
import { requireAdminOf, visibleEnterprise } from '../access/policy';
import type { ActivityLog } from '../audit/activity';
import { fold } from '../directory/user-query';
import type { EnterpriseRepository } from '../enterprises/repository';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { canonicalNumber, defaultCountrySchema, numberInputSchema } from '../numbers/number';
import { digitsOf, formatInternational, type E164 } from '../rules/phone';
import { RecentReads } from '../store/recent-reads';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';

export const CONTACTS_TABLE = 'contacts';

export const contactScopes = ['personal', 'enterprise'] as const;
export type ContactScope = (typeof contactScopes)[number];

/**
 * A name for a phone number. Enterprise contacts (partition = enterprise) are kept by
 * administrators for everyone; personal ones (partition `{enterprise}~{userId}`) by
 * each user for themselves. RowKey = the E.164 number: one contact per number and scope.
 */
export interface Contact {
  enterpriseId: string;
  scope: ContactScope;
  /** Personal contacts: the user whose contact it is. */
  ownerId: string | null;
  number: E164;
  name: string;
  createdAt: string;
  updatedAt: string;
}

const partitionOf = (enterpriseId: string, scope: ContactScope, ownerId: string | null) => (scope === 'enterprise' ? enterpriseId : `${enterpriseId}~${ownerId}`);

const definition: RepositoryDefinition<Contact> = {
  table: CONTACTS_TABLE,
  entityName: 'contact',
  partitionOf: (c) => partitionOf(c.enterpriseId, c.scope, c.ownerId),
  idOf: (c) => c.number,
  toEntity: ({ enterpriseId, scope, ownerId, name, createdAt, updatedAt }) => ({ enterpriseId, scope, ownerId, name, createdAt, updatedAt }),
  fromEntity: (p, keys) => ({
    enterpriseId: String(p.enterpriseId),
    scope: p.scope === 'enterprise' ? 'enterprise' : 'personal',
    ownerId: typeof p.ownerId === 'string' ? p.ownerId : null,
    number: keys.id as E164,
    name: String(p.name),
    createdAt: String(p.createdAt),
    updatedAt: String(p.updatedAt),
  }),
};

export const MAX_CONTACT_NAME_LENGTH = 100;

const contactNameSchema = z
  .string()
  .trim()
  .min(1, 'Give the contact a name.')
  .max(MAX_CONTACT_NAME_LENGTH, `A contact name has at most ${MAX_CONTACT_NAME_LENGTH} characters; shorten it.`)
  .regex(/^[^\p{Cc}]*$/u, 'A contact name cannot contain line breaks, tabs or other control characters.')
  .describe('What to call the number, 1 to 100 characters.');

const contactScopeSchema = z.enum(contactScopes, { error: 'Use "personal" (only you see it) or "enterprise" (everyone in the enterprise; administrators only).' });

export const createContactBodySchema = z
  .object({
    scope: contactScopeSchema.default('personal').describe('"personal" (default): only you see it. "enterprise": everyone in the enterprise sees it; administrators only.'),
    number: numberInputSchema,
    defaultCountry: defaultCountrySchema.optional(),
    name: contactNameSchema,
  })
  .strict()
  .meta({ id: 'CreateContact' });
export type CreateContact = z.input<typeof createContactBodySchema>;

export const updateContactBodySchema = z.object({ name: contactNameSchema }).strict().meta({ id: 'UpdateContact' });

export const contactViewSchema = z
  .object({
    number: z.string().describe('E.164.'),
    display: z.string().describe('International format for people, e.g. "+1 415 555 0123".'),
    name: z.string(),
    scope: z.enum(contactScopes),
    createdAt: z.string(),
    updatedAt: z.string(),
    etag: z.string().describe('Send it back in If-Match to rename or delete the contact.'),
  })
  .meta({ id: 'Contact' });
export type ContactView = z.infer<typeof contactViewSchema>;

export const contactListSchema = z.object({ items: z.array(contactViewSchema).describe('By name; your personal contact first when both scopes name a number.') }).meta({ id: 'ContactList' });

export const contactListQuerySchema = z.object({
  scope: contactScopeSchema.optional().describe('Only personal or only enterprise contacts; both when omitted.'),
  q: z.string().trim().max(100, 'Search for at most 100 characters (q).').optional().describe('Name contains this (case-insensitive), or the number contains these digits.'),
});

export const contactParamsSchema = z.object({
  scope: contactScopeSchema.describe('personal or enterprise.'),
  number: z.string().min(1).max(40, 'A phone number has at most 40 characters.').describe('The contact\'s number (E.164, URL-encoded: %2B14155550123).'),
});

/** A contact found by name, best matches first (for the bot's find_contact). */
export interface ContactMatch {
  name: string;
  number: E164;
  scope: ContactScope;
}

export interface ContactsDeps {
  store: TableStore;
  enterprises: EnterpriseRepository;
  activity: ActivityLog;
  now?: () => Date;
  /** Contacts of a partition read whole at most (default WHOLE_PARTITION_MAX; a larger one is looked up by number). */
  wholePartitionMax?: number;
}

const FIND_LIMIT = 10;

/** How well a folded name matches a folded query: lower is better, undefined is no match. */
function matchRank(name: string, query: string): number | undefined {
  if (name === query) return 0;
  if (name.startsWith(query)) return 1;
  const words = name.split(/[\s,.'’()-]+/).filter(Boolean);
  const wanted = query.split(/\s+/).filter(Boolean);
  if (wanted.every((w) => words.some((word) => word.startsWith(w)))) return 2;
  if (name.includes(query)) return 3;
  return undefined;
}

function checkName(name: string): string {
  const parsed = contactNameSchema.safeParse(name);
  if (!parsed.success) {
    const message = parsed.error.issues[0]!.message;
    throw new ValidationError(`name: ${message}`, [{ path: 'name', message }]);
  }
  return parsed.data;
}

function checkScope(scope: string): ContactScope {
  if ((contactScopes as readonly string[]).includes(scope)) return scope as ContactScope;
  const message = 'Use "personal" (only you see it) or "enterprise" (everyone in the enterprise; administrators only).';
  throw new ValidationError(`scope: ${message}`, [{ path: 'scope', message }]);
}

/**
 * How long looked-up names are reused. Every inbound SMS shows its sender's name on a
 * Teams card: under load, one look-up every few seconds instead of two reads per message.
 * A rename made through this process shows at once; one made through another server,
 * within this time. Names are labels, never access rules.
 */
const NAME_TTL_MS = 5_000;
const NAMES_KEPT = 10_000;
/**
 * A contact partition (a user's, or the enterprise's) with at most this many contacts is
 * read whole, once per NAME_TTL_MS, so a sender nobody saved costs nothing. A larger one
 * is looked up number by number.
 */
const WHOLE_PARTITION_MAX = 2_000;

/** Personal and enterprise contacts: admin and user CRUD, and the look-ups conversations and the bot use. */
export class Contacts {
  readonly repository: Repository<Contact>;
  private readonly now: () => Date;
  /** Per partition: its contacts by number (undefined: too many to keep whole). */
  private readonly partitions: RecentReads<ReadonlyMap<string, string> | undefined>;
  /** `{partition}|{number}` → the name (null: none) in a partition too large to keep whole. */
  private readonly names: RecentReads<string | null>;

  constructor(private readonly deps: ContactsDeps) {
    this.repository = new Repository(deps.store, definition);
    this.now = deps.now ?? (() => new Date());
    const clock = () => this.now().getTime();
    this.partitions = new RecentReads({ maxAgeMs: NAME_TTL_MS, max: NAMES_KEPT, clock });
    this.names = new RecentReads({ maxAgeMs: NAME_TTL_MS, max: NAMES_KEPT, clock });
  }

  private view(stored: Stored<Contact>): ContactView {
    const c = stored.value;
    return { number: c.number, display: formatInternational(c.number), name: c.name, scope: c.scope, createdAt: c.createdAt, updatedAt: c.updatedAt, etag: stored.etag };
  }

  /** Anyone of the enterprise reads its contacts; provider admins only where the enterprise allows them in. */
  private async reader(principal: Principal, enterpriseId: string): Promise<void> {
    const stored = await this.deps.enterprises.byId(enterpriseId);
    const enterprise = visibleEnterprise(principal, stored?.value, enterpriseId);
    if (principal.role === 'provider-admin') requireAdminOf(principal, enterprise, enterpriseId, 'see contacts');
  }

  /** Enterprise contacts are the administrators'; personal ones belong to people of the enterprise. */
  private async writer(principal: Principal, enterpriseId: string, scope: ContactScope): Promise<void> {
    const stored = await this.deps.enterprises.byId(enterpriseId);
    const enterprise = visibleEnterprise(principal, stored?.value, enterpriseId);
    if (scope === 'enterprise') {
      if (principal.role === 'user') throw new ForbiddenError('Only administrators change enterprise contacts. Save it as a personal contact (scope "personal"), or ask an administrator.');
      requireAdminOf(principal, enterprise, enterpriseId, 'change enterprise contacts');
    } else if (principal.enterpriseId !== enterpriseId) {
      throw new ForbiddenError('Personal contacts belong to people of the enterprise; save it as an enterprise contact (scope "enterprise") instead.');
    }
  }

  private partitionsFor(enterpriseId: string, userId: string, scope?: ContactScope): Array<{ scope: ContactScope; partition: string }> {
    const all: Array<{ scope: ContactScope; partition: string }> = [
      { scope: 'personal', partition: partitionOf(enterpriseId, 'personal', userId) },
      { scope: 'enterprise', partition: partitionOf(enterpriseId, 'enterprise', null) },
    ];
    return scope ? all.filter((p) => p.scope === scope) : all;
  }

  async list(principal: Principal, enterpriseId: string, query: { scope?: ContactScope | undefined; q?: string | undefined } = {}): Promise<{ items: ContactView[] }> {
    await this.reader(principal, enterpriseId);
    const scope = query.scope === undefined ? undefined : checkScope(query.scope);
    const q = fold(query.q?.trim() ?? '');
    const digits = /\d/.test(q) && /^[+\d\s().\-/]*$/.test(q) ? digitsOf(q) : '';
    const items: ContactView[] = [];
    for (const { partition } of this.partitionsFor(enterpriseId, principal.userId, scope)) {
      for await (const stored of this.repository.listAll(partition)) {
        const c = stored.value;
        if (q !== '' && !fold(c.name).includes(q) && !(digits && digitsOf(c.number).includes(digits))) continue;
        items.push(this.view(stored));
      }
    }
    items.sort((a, b) => fold(a.name).localeCompare(fold(b.name)) || (a.scope === b.scope ? 0 : a.scope === 'personal' ? -1 : 1) || a.number.localeCompare(b.number));
    return { items };
  }

  /**
   * Creates the contact, or (with `ifMatch`, the ETag read) renames the existing one.
   * Creating over an existing contact is a conflict naming the fix: a silent overwrite
   * would lose a name someone else just gave it.
   */
  async save(principal: Principal, enterpriseId: string, input: { name: string; number: string; scope?: ContactScope | undefined; defaultCountry?: string | undefined }, ifMatch?: string): Promise<ContactView> {
    const scope = checkScope(input.scope ?? 'personal');
    await this.writer(principal, enterpriseId, scope);
    const name = checkName(input.name);
    const number = canonicalNumber(input.number, 'number', input.defaultCountry as CountryCode | undefined);
    const ownerId = scope === 'personal' ? principal.userId : null;
    const at = this.now().toISOString();
    const what = scope === 'personal' ? 'personal contact' : 'enterprise contact';

    if (ifMatch === undefined || ifMatch === '') {
      const contact: Contact = { enterpriseId, scope, ownerId, number, name, createdAt: at, updatedAt: at };
      let saved: Stored<Contact>;
      try {
        saved = await this.repository.create(contact);
        this.forgetNames(enterpriseId);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const existing = await this.repository.get(partitionOf(enterpriseId, scope, ownerId), number);
        const message = `${formatInternational(number)} is already your ${what}${existing ? ` "${existing.value.name}"` : ''}. To rename it, send If-Match with its ETag (or change it in the list).`;
        throw new ConflictError(message, [{ path: 'number', message }]);
      }
      if (scope === 'enterprise') await this.recordActivity(principal, enterpriseId, 'contact.created', saved.value, `Added the enterprise contact ${name} (${formatInternational(number)}).`, null, { name, number });
      return this.view(saved);
    }

    const current = await this.requireContact(enterpriseId, scope, ownerId, number, ifMatch);
    if (current.value.name === name) return this.view(current);
    const saved = await this.repository.update(current, { ...current.value, name, updatedAt: at });
    this.forgetNames(enterpriseId);
    if (scope === 'enterprise') {
      await this.recordActivity(principal, enterpriseId, 'contact.updated', saved.value, `Renamed the enterprise contact ${formatInternational(number)} from ${current.value.name} to ${name}.`, { name: current.value.name }, { name });
    }
    return this.view(saved);
  }

  async delete(principal: Principal, enterpriseId: string, scopeInput: ContactScope, numberInput: string, ifMatch: string): Promise<void> {
    const scope = checkScope(scopeInput);
    await this.writer(principal, enterpriseId, scope);
    const number = canonicalNumber(numberInput, 'number');
    const ownerId = scope === 'personal' ? principal.userId : null;
    const current = await this.requireContact(enterpriseId, scope, ownerId, number, ifMatch);
    await this.repository.delete(current);
    this.forgetNames(enterpriseId);
    if (scope === 'enterprise') {
      await this.recordActivity(principal, enterpriseId, 'contact.deleted', current.value, `Deleted the enterprise contact ${current.value.name} (${formatInternational(number)}).`, { name: current.value.name, number }, null);
    }
  }

  private async requireContact(enterpriseId: string, scope: ContactScope, ownerId: string | null, number: E164, etag: string): Promise<Stored<Contact>> {
    const stored = await this.repository.get(partitionOf(enterpriseId, scope, ownerId), number);
    if (!stored) throw new NotFoundError(`No ${scope} contact for ${formatInternational(number)}.`);
    if (stored.etag !== etag) {
      throw new ConflictError(`The contact ${stored.value.name} was changed by someone else since you loaded it. Reload it and apply your change again.`);
    }
    return stored;
  }

  private async recordActivity(principal: Principal, enterpriseId: string, action: string, contact: Contact, summary: string, before: object | null, after: object | null): Promise<void> {
    await this.deps.activity.record({ scope: enterpriseId, actor: actorOf(principal), action, entity: { type: 'contact', id: contact.number, name: contact.name }, summary, before, after });
  }

  // ---------------------------------------------------------------- look-ups (no principal: callers have checked access)

  /** The name the user knows the number by: their personal contact first, then the enterprise's. */
  async nameOf(enterpriseId: string, userId: string, number: string): Promise<string | undefined> {
    return (await this.namesOf(enterpriseId, userId, [number])).get(number);
  }

  /** `nameOf` for many numbers at once. */
  async namesOf(enterpriseId: string, userId: string, numbers: readonly string[]): Promise<Map<string, string>> {
    // Only E.164 numbers can be contacts; short codes and sender ids are never looked up.
    const wanted = [...new Set(numbers)].filter((n) => /^\+[1-9]\d{1,14}$/.test(n));
    const names = new Map<string, string>();
    if (wanted.length === 0) return names;
    const [personal, enterprise] = await Promise.all(this.partitionsFor(enterpriseId, userId).map(({ partition }) => this.namesIn(partition, wanted)));
    for (const number of wanted) {
      const name = personal!.get(number) ?? enterprise!.get(number);
      if (name !== undefined) names.set(number, name);
    }
    return names;
  }

  /** The names `numbers` have in one partition: from the whole partition in memory, or looked up one by one when it is large. */
  private async namesIn(partition: string, numbers: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return (await this.partitions.get(partition, () => this.readWhole(partition))) ?? this.namesByNumber(partition, numbers);
  }

  /** The partition's contacts by number; undefined when it holds more than WHOLE_PARTITION_MAX. */
  private async readWhole(partition: string): Promise<ReadonlyMap<string, string> | undefined> {
    const names = new Map<string, string>();
    for await (const { value } of this.repository.listAll(partition)) {
      if (names.size === (this.deps.wholePartitionMax ?? WHOLE_PARTITION_MAX)) return undefined;
      names.set(value.number, value.name);
    }
    return names;
  }

  private async namesByNumber(partition: string, numbers: readonly string[]): Promise<ReadonlyMap<string, string>> {
    // One look-up for the numbers not known yet (read only if one of them is asked for).
    let found: Promise<Map<string, Stored<Contact>>> | undefined;
    const lookUp = () => (found ??= this.repository.getMany(partition, numbers));
    const pending = numbers.map((number) => [number, this.names.get(`${partition}|${number}`, async () => (await lookUp()).get(number)?.value.name ?? null)] as const);
    const names = new Map<string, string>();
    for (const [number, lookedUp] of pending) {
      const name = await lookedUp;
      if (name !== null) names.set(number, name);
    }
    return names;
  }

  /** A contact of the enterprise changed here: its names are looked up afresh. */
  private forgetNames(enterpriseId: string): void {
    const ofEnterprise = (partition: string) => partition === enterpriseId || partition.startsWith(`${enterpriseId}~`);
    this.partitions.forget(ofEnterprise);
    this.names.forget((key) => ofEnterprise(key.slice(0, key.lastIndexOf('|'))));
  }

  /** Contacts whose name matches, best first (exact, starts with, every word starts, contains); personal before enterprise. */
  async find(enterpriseId: string, userId: string, name: string, limit = FIND_LIMIT): Promise<ContactMatch[]> {
    const query = fold(name.trim()).replace(/\s+/g, ' ');
    if (query === '') return [];
    const found: Array<ContactMatch & { rank: number }> = [];
    // Personal contacts are read first: one for a number hides the enterprise's name for it (as in nameOf).
    const shadowed = new Set<string>();
    for (const { partition } of this.partitionsFor(enterpriseId, userId)) {
      for await (const { value: c } of this.repository.listAll(partition)) {
        if (shadowed.has(c.number)) continue;
        shadowed.add(c.number);
        const rank = matchRank(fold(c.name), query);
        if (rank !== undefined) found.push({ name: c.name, number: c.number, scope: c.scope, rank });
      }
    }
    found.sort((a, b) => a.rank - b.rank || (a.scope === b.scope ? 0 : a.scope === 'personal' ? -1 : 1) || a.name.length - b.name.length || fold(a.name).localeCompare(fold(b.name)));
    return found.slice(0, limit).map(({ rank: _rank, ...match }) => match);
  }

  /** The numbers whose contact name (as the user sees it) contains the folded text: what conversation search matches names with. */
  async numbersNamed(enterpriseId: string, userId: string, foldedText: string): Promise<Set<string>> {
    const numbers = new Set<string>();
    const shadowed = new Set<string>();
    for (const { partition } of this.partitionsFor(enterpriseId, userId)) {
      for await (const { value: c } of this.repository.listAll(partition)) {
        if (shadowed.has(c.number)) continue;
        shadowed.add(c.number);
        if (fold(c.name).includes(foldedText)) numbers.add(c.number);
      }
    }
    return numbers;
  }
}
