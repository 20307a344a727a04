import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../request-body';

/** One activity the bot posted (or replaced) and the connector accepted. */
export interface SentActivity {
  method: string;
  path: string;
  conversationId: string;
  /** POST …/activities/{id}: the activity replied to. PUT: the activity replaced. */
  replyToId?: string;
  /** The id the connector answered (POST) or the replaced activity's (PUT). */
  activityId: string;
  authorization?: string;
  /** Arrival time (ms since the epoch). */
  at: number;
  body: Record<string, any>;
}

/** A chat the bot created (POST /v3/conversations). */
export interface CreatedConversation {
  id: string;
  tenantId?: string;
  members: string[];
  isGroup: boolean;
  body: Record<string, any>;
}

/** A request the connector refused, and why. */
export interface RefusedRequest {
  method: string;
  path: string;
  conversationId?: string;
  status: number;
  code: string;
  at: number;
}

/** A request over one of Teams' per-conversation limits. */
export interface LimitBreach {
  conversationId: string;
  limit: number;
  windowMs: number;
  at: number;
}

/** What a programmed failure answers. */
export interface Failure {
  status: number;
  /** The error code of the body (`{"error":{"code","message"}}`). */
  code?: string;
  message?: string;
  /** Seconds, sent as the Retry-After header. */
  retryAfter?: number;
}

export type RouteKind = 'createConversation' | 'sendActivity' | 'updateActivity';

interface ProgrammedFailure {
  matches(kind: RouteKind, conversationId: string | undefined): boolean;
  failure: Failure;
  remaining: number;
}

/** Teams' limits per bot per conversation. */
export const TEAMS_CONVERSATION_LIMITS = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
] as const;

/** The 403 bodies Teams answers when a user blocked the bot or removed the app. */
export const BLOCKED_CODES = { blocked: 'ConversationBlockedByUser', writesBlocked: 'MessageWritesBlocked' } as const;

export interface BotConnectorOptions {
  /** Answer 429 to requests over Teams' per-conversation limits, as Teams does (default true). Breaches are recorded either way. */
  enforceLimits?: boolean;
}

const ACTIVITIES = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/;

/**
 * A loopback stand-in for the Bot Framework connector (the `serviceUrl` of Teams
 * activities), speaking its REST wire format:
 * - `POST /v3/conversations` creates a chat and answers `{ id }` (the same 1:1 chat for
 *   the same tenant and member, as Teams does);
 * - `POST /v3/conversations/{id}/activities[/{replyToId}]` posts, answering `{ id }`;
 * - `PUT /v3/conversations/{id}/activities/{activityId}` replaces an activity.
 * It counts accepted posts and updates per conversation against Teams' limits (7/1 s,
 * 8/2 s, 60/30 s, 1,800/h), records every breach and answers it 429 as Teams would, and
 * can be told to fail: 429 with Retry-After, 403 with Teams' error body for a user who
 * blocked or removed the app, 5xx.
 */
export class BotConnector {
  /** Posted activities (POST), in arrival order. */
  readonly sent: SentActivity[] = [];
  /** Replaced activities (PUT), in arrival order. */
  readonly updated: SentActivity[] = [];
  readonly created: CreatedConversation[] = [];
  readonly refused: RefusedRequest[] = [];
  readonly breaches: LimitBreach[] = [];
  /** Requests to routes the connector does not have. */
  readonly unexpected: string[] = [];

  private readonly stamps = new Map<string, number[]>();
  private readonly failures: ProgrammedFailure[] = [];
  /** Blocked conversation ids and member ids, with the code Teams answers. */
  private readonly blocked = new Map<string, string>();
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: Required<BotConnectorOptions>,
  ) {}

  static async start(options: BotConnectorOptions = {}): Promise<BotConnector> {
    let connector: BotConnector | undefined;
    const server = createServer((req, res) => {
      void connector!.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) connector!.answer(res, 500, { error: { code: 'InternalError', message: error instanceof Error ? error.message : String(error) } });
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    connector = new BotConnector(server, `http://127.0.0.1:${port}/`, { enforceLimits: options.enforceLimits ?? true });
    return connector;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets everything recorded and programmed (between tests). */
  reset(): void {
    for (const list of [this.sent, this.updated, this.created, this.refused, this.breaches, this.unexpected]) list.length = 0;
    this.stamps.clear();
    this.failures.length = 0;
    this.blocked.clear();
  }

  /** The next `times` requests of `kind` (to `conversationId`, when given) fail as told. */
  failNext(kind: RouteKind, failure: Failure, options: { conversationId?: string; times?: number } = {}): void {
    this.failures.push({
      matches: (k, id) => k === kind && (options.conversationId === undefined || options.conversationId === id),
      failure,
      remaining: options.times ?? 1,
    });
  }

  /** The next `times` posts to the conversation get 429 with Retry-After (seconds). */
  throttleNext(conversationId: string, retryAfterSeconds: number, times = 1): void {
    this.failNext('sendActivity', { status: 429, code: 'Throttled', message: 'Too many requests.', retryAfter: retryAfterSeconds }, { conversationId, times });
  }

  /**
   * The user blocked the bot or removed the app: every post to their conversation (or a
   * chat created with them as member) gets 403 with Teams' body, until `unblock`.
   */
  block(conversationOrMemberId: string, code: string = BLOCKED_CODES.blocked): void {
    this.blocked.set(conversationOrMemberId, code);
  }

  unblock(conversationOrMemberId: string): void {
    this.blocked.delete(conversationOrMemberId);
  }

  /** Resolves once `condition` holds (checked on every request and now), or fails after `timeoutMs`. */
  waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`the bot connector did not see the expected requests within ${timeoutMs} ms`));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  /** Posts into one conversation. */
  activitiesIn(conversationId: string): SentActivity[] {
    return this.sent.filter((activity) => activity.conversationId === conversationId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '').split('?')[0]!;
    const method = req.method ?? 'GET';
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, any>) : {};
    const authorization = req.headers.authorization;
    try {
      if (method === 'POST' && path === '/v3/conversations') return this.createConversation(res, path, body);
      const match = ACTIVITIES.exec(path);
      if (match && (method === 'POST' || (method === 'PUT' && match[2]))) {
        const conversationId = decodeURIComponent(match[1]!);
        const second = match[2] ? decodeURIComponent(match[2]) : undefined;
        return this.activity(res, method, path, conversationId, second, body, authorization);
      }
      this.unexpected.push(`${method} ${req.url}`);
      this.answer(res, 404, { error: { code: 'NotFound', message: 'unknown route' } });
    } finally {
      for (const listener of [...this.listeners]) listener();
    }
  }

  private createConversation(res: ServerResponse, path: string, body: Record<string, any>): void {
    const members = ((body.members ?? []) as Array<{ id?: string }>).map((m) => String(m.id ?? ''));
    const tenantId: string | undefined = body.tenantId ?? body.channelData?.tenant?.id;
    const blockedCode = members.map((m) => this.blocked.get(m)).find(Boolean);
    if (blockedCode) return this.refuse(res, { method: 'POST', path, status: 403, code: blockedCode, message: 'The user blocked the bot or removed the app.' });
    if (this.programmed('createConversation', undefined, res, 'POST', path)) return;
    const isGroup = body.isGroup === true;
    const existing = !isGroup ? this.created.find((c) => !c.isGroup && c.tenantId === tenantId && c.members.join() === members.join()) : undefined;
    const id = existing?.id ?? `a:${randomUUID().replace(/-/g, '')}`;
    if (!existing) this.created.push({ id, ...(tenantId ? { tenantId } : {}), members, isGroup, body });
    this.answer(res, existing ? 200 : 201, { id });
  }

  private activity(res: ServerResponse, method: string, path: string, conversationId: string, second: string | undefined, body: Record<string, any>, authorization: string | undefined): void {
    const kind: RouteKind = method === 'PUT' ? 'updateActivity' : 'sendActivity';
    const creator = this.created.find((c) => c.id === conversationId);
    const blockedCode = this.blocked.get(conversationId) ?? creator?.members.map((m) => this.blocked.get(m)).find(Boolean);
    if (blockedCode) return this.refuse(res, { method, path, conversationId, status: 403, code: blockedCode, message: 'The user blocked the bot or removed the app.' });
    if (this.programmed(kind, conversationId, res, method, path)) return;
    const now = Date.now();
    const breach = this.breachOf(conversationId, now);
    if (breach) {
      this.breaches.push(breach);
      if (this.options.enforceLimits) return this.refuse(res, { method, path, conversationId, status: 429, code: 'Throttled', message: 'Too many requests in this conversation.', retryAfter: 1 });
    }
    this.stamps.get(conversationId)!.push(now);
    const activityId = method === 'PUT' ? second! : `${now}-${randomUUID().slice(0, 8)}`;
    const entry: SentActivity = { method, path, conversationId, activityId, at: now, body, ...(second && method === 'POST' ? { replyToId: second } : {}), ...(second && method === 'PUT' ? { replyToId: second } : {}), ...(authorization ? { authorization } : {}) };
    (method === 'PUT' ? this.updated : this.sent).push(entry);
    this.answer(res, 200, { id: activityId });
  }

  /** The first of Teams' windows this request would overflow, if any. */
  private breachOf(conversationId: string, now: number): LimitBreach | undefined {
    let stamps = this.stamps.get(conversationId);
    if (!stamps) {
      stamps = [];
      this.stamps.set(conversationId, stamps);
    }
    while (stamps.length > 0 && stamps[0]! <= now - 3_600_000) stamps.shift();
    for (const { limit, windowMs } of TEAMS_CONVERSATION_LIMITS) {
      const inWindow = stamps.length - lowerBound(stamps, now - windowMs + 1);
      if (inWindow >= limit) return { conversationId, limit, windowMs, at: now };
    }
    return undefined;
  }

  private programmed(kind: RouteKind, conversationId: string | undefined, res: ServerResponse, method: string, path: string): boolean {
    const programmed = this.failures.find((f) => f.remaining > 0 && f.matches(kind, conversationId));
    if (!programmed) return false;
    programmed.remaining--;
    const { status, code, message, retryAfter } = programmed.failure;
    this.refuse(res, { method, path, ...(conversationId ? { conversationId } : {}), status, code: code ?? String(status), message: message ?? 'Programmed failure.', ...(retryAfter !== undefined ? { retryAfter } : {}) });
    return true;
  }

  private refuse(res: ServerResponse, refusal: { method: string; path: string; conversationId?: string; status: number; code: string; message: string; retryAfter?: number }): void {
    this.refused.push({ method: refusal.method, path: refusal.path, ...(refusal.conversationId ? { conversationId: refusal.conversationId } : {}), status: refusal.status, code: refusal.code, at: Date.now() });
    this.answer(res, refusal.status, { error: { code: refusal.code, message: refusal.message } }, refusal.retryAfter !== undefined ? { 'retry-after': String(refusal.retryAfter) } : {});
  }

  private answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }
}

/** First index whose stamp is >= value (stamps ascending). */
function lowerBound(stamps: readonly number[], value: number): number {
  let low = 0;
  let high = stamps.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (stamps[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
