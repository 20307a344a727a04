import { z } from 'zod';
import { actorOf, type Principal } from '../access/principal';
import { requireAdminOf } from '../access/policy';
import type { ActivityLog } from '../audit/activity';
import type { EnterpriseRepository } from '../enterprises/repository';
import { optOutScopes, type EnterpriseSettings, type OptOutScope } from '../enterprises/schema';
import { AppError, ConflictError, ValidationError } from '../errors';
import { canonicalNumber } from '../numbers/number';
import type { NumberRepository } from '../numbers/number-repository';
import { classifyKeyword, keywordOf, type ComplianceKeyword } from '../rules/opt-out-keywords';
import { checkPhoneNumber, formatInternational } from '../rules/phone';
import { odataString } from '../store/keys';
import type { RepositoryDefinition, Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';
import { OptOutSets, VersionedRepository } from './opt-out-set';

export const OPT_OUTS_TABLE = 'optouts';
/** The `enterpriseNumber` of an opt-out that covers every number of the enterprise. */
export const ALL_NUMBERS = '*';

export const optOutSources = ['keyword', 'carrier', 'admin'] as const;
/** keyword: the person texted STOP; carrier: the carrier reported them opted out; admin: recorded by an administrator. */
export type OptOutSource = (typeof optOutSources)[number];

/**
 * One person who must not be messaged, partition = enterprise, RowKey =
 * `{enterpriseNumber}|{externalNumber}` with `*` for all of the enterprise's numbers,
 * so "may N text X?" is two point reads. Rows are only created and deleted.
 */
export interface OptOut {
  enterpriseId: string;
  /** E.164, or `*` (ALL_NUMBERS) for every number of the enterprise. */
  enterpriseNumber: string;
  externalNumber: string;
  optedOutAt: string;
  source: OptOutSource;
  /** The word they texted ("STOP", "QUIT"), for `keyword` opt-outs. */
  keyword: string | null;
  /** The enterprise number the keyword was sent to (differs from `enterpriseNumber` for enterprise-wide rows). */
  textedNumber: string | null;
  /** Why, as an administrator or the carrier said it. */
  note: string | null;
}

export const optOutKey = (enterpriseNumber: string, externalNumber: string) => `${enterpriseNumber}|${externalNumber}`;

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

const definition: RepositoryDefinition<OptOut> = {
  table: OPT_OUTS_TABLE,
  entityName: 'opt-out',
  partitionOf: (o) => o.enterpriseId,
  idOf: (o) => optOutKey(o.enterpriseNumber, o.externalNumber),
  // The numbers are stored as properties too: the admin list filters on externalNumber.
  toEntity: ({ enterpriseNumber, externalNumber, optedOutAt, source, keyword, textedNumber, note }) => ({ enterpriseNumber, externalNumber, optedOutAt, source, keyword, textedNumber, note }),
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    enterpriseNumber: String(p.enterpriseNumber),
    externalNumber: String(p.externalNumber),
    optedOutAt: String(p.optedOutAt),
    source: String(p.source) as OptOutSource,
    keyword: text(p.keyword),
    textedNumber: text(p.textedNumber),
    note: text(p.note),
  }),
};

export const optOutScopeOf = (optOut: Pick<OptOut, 'enterpriseNumber'>): OptOutScope => (optOut.enterpriseNumber === ALL_NUMBERS ? 'enterprise' : 'number');

/** "2026-11-21", in the enterprise's time zone when known (people read dates locally). */
function dateOf(iso: string, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Sending to someone who opted out. The message says who, since when, and what lifts it. */
export class OptedOutError extends AppError {
  // Not a ConflictError: retry loops catch those (ETag races), and this must never be retried.
  readonly code = 'opted_out';
  readonly status = 409;
  constructor(
    readonly optOut: OptOut,
    timeZone?: string,
  ) {
    super(OptedOutError.describe(optOut, timeZone));
  }

  static describe(o: OptOut, timeZone?: string): string {
    const person = formatInternational(o.externalNumber);
    const on = dateOf(o.optedOutAt, timeZone);
    const blocked = o.enterpriseNumber === ALL_NUMBERS ? "any of your organisation's numbers" : formatInternational(o.enterpriseNumber);
    const lift = 'they must text START before you can message them again.';
    if (o.source === 'keyword') {
      const texted = formatInternational(o.textedNumber ?? o.enterpriseNumber);
      const wide = o.enterpriseNumber === ALL_NUMBERS ? ", which blocks all of your organisation's numbers" : '';
      return `${person} replied ${o.keyword ?? 'STOP'} to ${texted} on ${on}${wide}; ${lift}`;
    }
    if (o.source === 'carrier') return `The carrier reported on ${on} that ${person} has opted out of messages from ${blocked}; ${lift}`;
    return `An administrator recorded on ${on} that ${person} asked not to receive messages from ${blocked}; ${lift}`;
  }
}

/** Whether a pair is blocked and by which row (the earliest, when both apply). */
export interface BlockState {
  blocked: boolean;
  since?: string;
  scope?: OptOutScope;
  optOut?: OptOut;
}

/** What to answer a compliance keyword with (the caller sends `reply` from the number it was texted to). */
export interface KeywordOutcome {
  keyword: ComplianceKeyword;
  reply: string;
}

export type ComplianceSettings = Pick<EnterpriseSettings, 'optOutScope' | 'optOutReply' | 'optInReply' | 'helpReply'>;

export const optOutViewSchema = z
  .object({
    id: z.string().describe('{enterpriseNumber}|{externalNumber}, with * for all numbers.'),
    externalNumber: z.string().describe('The person who opted out (E.164).'),
    scope: z.enum(optOutScopes).describe('number: blocked from one enterprise number; enterprise: from all of them.'),
    enterpriseNumber: z.string().optional().describe('The enterprise number they are blocked from; absent when scope is "enterprise".'),
    source: z.enum(optOutSources).describe('keyword: they texted STOP; carrier: the carrier reported it; admin: recorded by an administrator.'),
    keyword: z.string().optional().describe('The word they texted, e.g. STOP.'),
    textedNumber: z.string().optional().describe('The enterprise number they texted the keyword to.'),
    note: z.string().optional(),
    optedOutAt: z.string(),
  })
  .meta({ id: 'OptOut' });
export type OptOutView = z.infer<typeof optOutViewSchema>;

export const optOutPageSchema = z
  .object({ items: z.array(optOutViewSchema), continuationToken: z.string().optional().describe('Pass back to get the next page; absent on the last page.') })
  .meta({ id: 'OptOutPage' });

export const optOutQuerySchema = z.object({
  pageSize: z.coerce.number().int('pageSize must be a whole number.').min(1, 'pageSize must be at least 1.').max(200, 'pageSize can be at most 200.').default(50).describe('Entries per page (1 to 200, default 50).'),
  continuationToken: z.string().min(1).optional().describe('From the previous page.'),
  externalNumber: z.string().trim().min(1).optional().describe("Only this person's opt-outs (any format with a country code, e.g. +1 206 555 0100)."),
});

export const addOptOutBodySchema = z
  .object({
    externalNumber: z.string().describe('The person who asked not to be messaged, with the country code, e.g. +1 206 555 0100.'),
    enterpriseNumber: z.string().optional().describe("The enterprise number they asked to stop; omit to block all of the enterprise's numbers."),
    note: z.string().trim().max(200, 'Keep the note to at most 200 characters.').optional().describe('Why, for the record, e.g. "asked by phone".'),
  })
  .strict()
  .meta({ id: 'AddOptOut' });
export type AddOptOut = z.output<typeof addOptOutBodySchema>;

export function toOptOutView(o: OptOut): OptOutView {
  return {
    id: optOutKey(o.enterpriseNumber, o.externalNumber),
    externalNumber: o.externalNumber,
    scope: optOutScopeOf(o),
    ...(o.enterpriseNumber !== ALL_NUMBERS ? { enterpriseNumber: o.enterpriseNumber } : {}),
    source: o.source,
    ...(o.keyword ? { keyword: o.keyword } : {}),
    ...(o.textedNumber ? { textedNumber: o.textedNumber } : {}),
    ...(o.note ? { note: o.note } : {}),
    optedOutAt: o.optedOutAt,
  };
}

/** Carriers send E.164; people type "+1 (206) 555-0100". Both must hit the same row. */
function normalized(number: string): string {
  const checked = checkPhoneNumber(number);
  return checked.ok ? checked.e164! : number.trim();
}

export interface OptOutsDeps {
  store: TableStore;
  enterprises: EnterpriseRepository;
  numbers: NumberRepository;
  activity: ActivityLog;
  now?: () => Date;
}

/**
 * SMS compliance: STOP / START / HELP from the people we text, opt-outs reported by
 * carriers, and the admins' list. A STOP must hold from the very next send, on every
 * server: sends check an in-memory copy of the enterprise's opt-outs only after a read
 * of the partition's version (changed in the same transaction as every new opt-out)
 * has confirmed it is current (see OptOutSets). Admins may add an opt-out but never
 * remove one: only the person can lift it, by texting START.
 */
export class OptOuts {
  readonly repository: VersionedRepository<OptOut>;
  private readonly sets: OptOutSets<OptOut>;
  private readonly now: () => Date;

  constructor(private readonly deps: OptOutsDeps) {
    this.repository = new VersionedRepository(deps.store, definition);
    this.sets = new OptOutSets(this.repository, (o) => optOutKey(o.enterpriseNumber, o.externalNumber));
    this.now = deps.now ?? (() => new Date());
  }

  /** The pair's own row and the enterprise-wide one, from the enterprise's set (current as of this call). */
  async isBlocked(enterpriseId: string, enterpriseNumber: string, externalNumber: string): Promise<BlockState> {
    const external = normalized(externalNumber);
    const set = await this.sets.rows(enterpriseId);
    const first = [set.get(optOutKey(normalized(enterpriseNumber), external)), set.get(optOutKey(ALL_NUMBERS, external))]
      .flatMap((row) => (row ? [row] : []))
      .sort((a, b) => a.optedOutAt.localeCompare(b.optedOutAt))[0];
    return first ? { blocked: true, since: first.optedOutAt, scope: optOutScopeOf(first), optOut: first } : { blocked: false };
  }

  /** For every outbound send; `timeZone` dates the message for the reader. */
  async assertNotBlocked(enterpriseId: string, enterpriseNumber: string, externalNumber: string, options: { timeZone?: string } = {}): Promise<void> {
    const state = await this.isBlocked(enterpriseId, enterpriseNumber, externalNumber);
    if (state.optOut) throw new OptedOutError(state.optOut, options.timeZone);
  }

  /**
   * An inbound message that is a compliance keyword: STOP blocks (per settings.optOutScope),
   * START lifts both the pair's and the enterprise-wide block, HELP stores nothing.
   * Repeats are harmless. Not a keyword: undefined, nothing done.
   */
  async handleKeyword(enterpriseId: string, enterpriseNumber: string, externalNumber: string, body: string, settings: ComplianceSettings): Promise<KeywordOutcome | undefined> {
    const keyword = classifyKeyword(body);
    if (!keyword) return undefined;
    const own = normalized(enterpriseNumber);
    const external = normalized(externalNumber);
    if (keyword === 'stop') {
      await this.createIfMissing({
        enterpriseId,
        enterpriseNumber: settings.optOutScope === 'enterprise' ? ALL_NUMBERS : own,
        externalNumber: external,
        optedOutAt: this.now().toISOString(),
        source: 'keyword',
        keyword: keywordOf(body),
        textedNumber: own,
        note: null,
      });
      return { keyword, reply: settings.optOutReply };
    }
    if (keyword === 'start') {
      await Promise.all([this.deleteIfPresent(enterpriseId, optOutKey(own, external)), this.deleteIfPresent(enterpriseId, optOutKey(ALL_NUMBERS, external))]);
      return { keyword, reply: settings.optInReply };
    }
    return { keyword, reply: settings.helpReply };
  }

  /** A carrier said the recipient opted out (e.g. Twilio error 21610): block this pair. */
  async recordCarrierOptOut(enterpriseId: string, enterpriseNumber: string, externalNumber: string, details: { note?: string } = {}): Promise<OptOut> {
    const own = normalized(enterpriseNumber);
    return this.createIfMissing({
      enterpriseId,
      enterpriseNumber: own,
      externalNumber: normalized(externalNumber),
      optedOutAt: this.now().toISOString(),
      source: 'carrier',
      keyword: null,
      textedNumber: null,
      note: details.note ?? null,
    });
  }

  /** The admins' list, by enterprise number (enterprise-wide first); optionally one person's rows. */
  async list(principal: Principal, enterpriseId: string, query: z.output<typeof optOutQuerySchema>): Promise<z.output<typeof optOutPageSchema>> {
    await this.adminOf(principal, enterpriseId, 'see opt-outs');
    const filter = query.externalNumber ? `externalNumber eq ${odataString(canonicalNumber(query.externalNumber, 'externalNumber'))}` : undefined;
    const page = await this.repository.listPage(enterpriseId, {
      pageSize: query.pageSize,
      ...(query.continuationToken ? { continuationToken: query.continuationToken } : {}),
      ...(filter ? { filter } : {}),
    });
    return { items: page.items.map(({ value }) => toOptOutView(value)), ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
  }

  /**
   * An administrator records an opt-out (the person asked by phone or in person).
   * Already recorded: the existing row is answered and nothing changes.
   */
  async add(principal: Principal, enterpriseId: string, body: AddOptOut): Promise<OptOutView> {
    const enterprise = await this.adminOf(principal, enterpriseId, 'record opt-outs');
    const external = canonicalNumber(body.externalNumber, 'externalNumber');
    let enterpriseNumber: string = ALL_NUMBERS;
    if (body.enterpriseNumber !== undefined) {
      enterpriseNumber = canonicalNumber(body.enterpriseNumber, 'enterpriseNumber');
      if (!(await this.deps.numbers.get(enterpriseId, enterpriseNumber))) {
        const problem = `${formatInternational(enterpriseNumber)} is not one of ${enterprise.name}'s numbers: pick one from the Numbers page, or omit enterpriseNumber to block all of them.`;
        throw new ValidationError(problem, [{ path: 'enterpriseNumber', message: problem }]);
      }
    }
    const existing = await this.repository.get(enterpriseId, optOutKey(enterpriseNumber, external));
    if (existing) return toOptOutView(existing.value);
    const optOut: OptOut = {
      enterpriseId,
      enterpriseNumber,
      externalNumber: external,
      optedOutAt: this.now().toISOString(),
      source: 'admin',
      keyword: null,
      textedNumber: null,
      note: body.note || null,
    };
    let stored: Stored<OptOut>;
    try {
      stored = await this.repository.create(optOut);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Someone (or the person's own STOP) recorded it meanwhile: the same outcome.
      const raced = await this.repository.get(enterpriseId, optOutKey(enterpriseNumber, external));
      if (!raced) throw error;
      return toOptOutView(raced.value);
    }
    const view = toOptOutView(stored.value);
    const from = enterpriseNumber === ALL_NUMBERS ? `all of ${enterprise.name}'s numbers` : formatInternational(enterpriseNumber);
    await this.deps.activity.record({
      scope: enterpriseId,
      actor: actorOf(principal),
      action: 'optOut.created',
      entity: { type: 'optOut', id: view.id, name: formatInternational(external) },
      summary: `Recorded that ${formatInternational(external)} asked not to receive messages from ${from}.`,
      after: view,
    });
    return view;
  }

  private async adminOf(principal: Principal, enterpriseId: string, action: string) {
    const stored = await this.deps.enterprises.byId(enterpriseId);
    return requireAdminOf(principal, stored?.value, enterpriseId, action);
  }

  /** Creates the row; an existing one (a repeated STOP, a redelivery) is kept as it is. */
  private async createIfMissing(optOut: OptOut): Promise<OptOut> {
    try {
      return (await this.repository.create(optOut)).value;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const existing = await this.repository.get(optOut.enterpriseId, optOutKey(optOut.enterpriseNumber, optOut.externalNumber));
      // Deleted in between (a START racing this STOP): try once more, so the STOP stands.
      return existing?.value ?? (await this.repository.create(optOut)).value;
    }
  }

  /** Deletes with the ETag read; a missing row is fine. */
  private async deleteIfPresent(enterpriseId: string, key: string): Promise<void> {
    const stored = await this.repository.get(enterpriseId, key);
    if (!stored) return;
    try {
      await this.repository.delete(stored);
    } catch (error) {
      // Re-created since we read it: a newer STOP, which must stand (failing closed).
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}
