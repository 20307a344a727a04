import { randomUUID } from 'node:crypto';
import { MessageFactory, type Activity } from 'botbuilder';
import type { Logger } from 'pino';
import { ConflictError, deliveryIdOf, type Services, type SmsMessage, type Stored, type TeamsDeliveryKind, type TeamsDeliveryRecord, type TeamsInstallation, type TeamsReference } from '@switchboard/shared';
import { groupReplyCard, groupReplySummary } from '../cards/group-reply-card';
import { inboundCard, inboundSummary } from '../cards/inbound-card';
import { backoffMs, classifyConnectorError } from './connector-errors';
import type { TeamsPoster } from './teams-poster';

export interface TeamsDeliveryOptions {
  /** Where to create chats when no install of the tenant told us its service URL. */
  defaultServiceUrl: string;
  /** The bot's Teams id when no install told us (`28:{app id}`). */
  botId: string;
  /** Attempts per delivery for retryable failures (429, 5xx, network) before it is given up. */
  maxAttempts?: number;
  /** Waits up to this long stay in line (order kept); longer ones go to a timer and the sweep. */
  inlineWaitMs?: number;
  sweepIntervalMs?: number;
  /** The sweep takes over pending deliveries untouched this long (their process died). */
  staleMs?: number;
}

type Job = { enterpriseId: string; userId: string; id: string; messageAt: string; known?: { stored: Stored<TeamsDeliveryRecord>; message: SmsMessage } };

/** Messages routed at the same moment are routed side by side; a short wait lets the earlier ones join the user's queue first. */
const GATHER_MS = 10;

/**
 * A delivery written this recently is this process's own (just routed, or just claimed or
 * retried): the sweep only takes ones untouched for `staleMs`, so no claim is needed.
 */
const FRESH_MS = 30_000;

const before = (a: Job, b: Job) => (a.messageAt === b.messageAt ? a.id < b.id : a.messageAt < b.messageAt);

const keyOf = (enterpriseId: string, id: string) => `${enterpriseId}\n${id}`;

/**
 * Brings SMS into Teams chats: each routed inbound message to its holder (or every SMS
 * group member), and a group member's reply to the other members. Every delivery is a
 * durable record first (pending → delivered, or held while the user cannot be reached),
 * posted in message order per user, paced within Teams' limits, retried with backoff
 * and jitter on 429/412/5xx (Retry-After honoured). A 403 marks the user unreachable
 * and holds their messages until they install the app again. The sweep finds pending
 * deliveries after a restart.
 */
export class TeamsDelivery {
  /** Per user: deliveries waiting, earliest message first, and the loop posting them one at a time. */
  private readonly queues = new Map<string, { jobs: Job[]; running?: Promise<void> }>();
  private readonly scheduled = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private readonly installs = new Map<string, { value: TeamsInstallation | undefined; until: number }>();
  private readonly lastMarked = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private stopped = false;
  /** This process, in delivery claims. */
  private readonly workerId = randomUUID();
  private readonly options: Required<TeamsDeliveryOptions>;

  constructor(
    private readonly deps: { services: Services; poster: TeamsPoster; logger: Logger },
    options: TeamsDeliveryOptions,
  ) {
    this.options = { maxAttempts: 8, inlineWaitMs: 60_000, sweepIntervalMs: 30_000, staleMs: 120_000, ...options };
  }

  /** Listens to routed inbound messages and stored outbound ones; starts the sweep. Call once. */
  start(): void {
    const { services } = this.deps;
    // First: the Teams card is what the recipient waits for; the conversation list and counts follow.
    services.inboundSms.onRouted((message) => this.onRouted(message), { urgent: true });
    services.outboundSms.onStored((message) => this.onStored(message));
    this.sweepTimer = setInterval(() => void this.sweep().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'Teams delivery sweep failed')), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** Stops taking work; deliveries not posted yet stay pending for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of this.sleepers) wake();
    await this.settleAll();
  }

  /** Resolves when the deliveries started so far have been posted, held, or put off. */
  async settleAll(): Promise<void> {
    await this.sweeping?.catch(() => undefined);
    while (this.queues.size > 0) await Promise.all([...this.queues.values()].map((queue) => queue.running));
  }

  // ---------------------------------------------------------------- new work

  /** Routed inbound message: one durable delivery per recipient, then posted. Idempotent (routing may run again). */
  async onRouted(message: SmsMessage): Promise<void> {
    if (message.direction !== 'inbound' || message.status !== 'routed' || message.recipients.length === 0) return;
    await this.record(message, 'inbound', message.recipients);
  }

  /** A member of an SMS group sent from the group's number: the other members see it. */
  async onStored(message: SmsMessage): Promise<void> {
    if (message.direction !== 'outbound' || message.holder?.type !== 'group' || !message.sentBy) return;
    const others = (await this.deps.services.smsGroups.membersOf(message.enterpriseId, message.from)).filter((id) => id !== message.sentBy);
    if (others.length > 0) await this.record(message, 'groupReply', others);
  }

  private async record(message: SmsMessage, kind: TeamsDeliveryKind, userIds: readonly string[]): Promise<void> {
    const at = new Date().toISOString();
    // The card names the customer: looked up while the records are written.
    for (const userId of userIds) void this.contactName(message.enterpriseId, userId, kind === 'inbound' ? message.from : message.to).catch(() => undefined);
    const records = await Promise.all(
      [...new Set(userIds)].map((userId) =>
        this.deps.services.teams.deliveries.ensure({
          enterpriseId: message.enterpriseId,
          id: deliveryIdOf(message.id, userId),
          kind,
          messageId: message.id,
          userId,
          state: 'pending',
          attempts: 0,
          nextAttemptAt: null,
          reason: null,
          conversationId: null,
          activityId: null,
          messageAt: kind === 'inbound' ? message.receivedAt : message.createdAt,
          claimedBy: null,
          claimUntil: null,
          deliveredAt: null,
          createdAt: at,
          updatedAt: at,
        }),
      ),
    );
    for (const stored of records) {
      if (stored.value.state === 'pending') this.schedule({ enterpriseId: message.enterpriseId, userId: stored.value.userId, id: stored.value.id, messageAt: stored.value.messageAt, known: { stored, message } });
    }
  }

  /**
   * The user installed the app (again): their held and pending messages go out, oldest
   * first. Called by the install handlers.
   */
  async redeliver(enterpriseId: string, userId: string): Promise<number> {
    this.installs.delete(keyOf(enterpriseId, userId));
    const waiting = await this.deps.services.teams.deliveries.waitingFor(enterpriseId, userId);
    let released = 0;
    for (const stored of waiting) {
      let current = stored;
      if (current.value.state === 'held') {
        try {
          current = await this.deps.services.teams.deliveries.update(current, { ...current.value, state: 'pending', nextAttemptAt: null, reason: null, updatedAt: new Date().toISOString() });
        } catch (error) {
          if (error instanceof ConflictError) continue; // someone else released it
          throw error;
        }
      }
      this.schedule({ enterpriseId, userId, id: current.value.id, messageAt: current.value.messageAt });
      released++;
    }
    return released;
  }

  /** Forgets what this process knows about a user's install (it changed). */
  forgetInstall(enterpriseId: string, userId: string): void {
    this.installs.delete(keyOf(enterpriseId, userId));
  }

  // ---------------------------------------------------------------- sweep

  /** Takes over pending deliveries nobody is working on (after a restart, or from a process that stopped). */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    const deliveries = this.deps.services.teams.deliveries;
    let taken = 0;
    for await (const { value: enterprise } of this.deps.services.enterpriseRepository.all()) {
      for await (const id of deliveries.pending(enterprise.id)) {
        if (this.stopped) return taken;
        if (this.scheduled.has(keyOf(enterprise.id, id))) continue;
        const stored = await deliveries.get(enterprise.id, id);
        if (!stored || stored.value.state !== 'pending') continue;
        const now = Date.now();
        const due = stored.value.nextAttemptAt ? Date.parse(stored.value.nextAttemptAt) <= now : true;
        if (!due || Date.parse(stored.value.updatedAt) > now - this.options.staleMs) continue;
        if (stored.value.claimUntil && Date.parse(stored.value.claimUntil) > now && stored.value.claimedBy !== this.workerId) continue;
        try {
          // Claimed first: other processes leave it alone now.
          const claimed = await deliveries.update(stored, this.claimOf(stored.value));
          this.schedule({ enterpriseId: enterprise.id, userId: claimed.value.userId, id, messageAt: claimed.value.messageAt });
          taken++;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
        }
      }
    }
    return taken;
  }

  // ---------------------------------------------------------------- posting

  /** Queues the delivery in the user's line, by message time (one at a time per user keeps the order). */
  private schedule(job: Job): void {
    if (this.stopped) return;
    const key = keyOf(job.enterpriseId, job.id);
    if (this.scheduled.has(key)) return;
    this.scheduled.add(key);
    const userKey = keyOf(job.enterpriseId, job.userId);
    const queue = this.queues.get(userKey);
    if (queue) {
      // Searched from the end: jobs mostly arrive in message order, and a busy user's queue is long.
      let at = queue.jobs.length;
      while (at > 0 && before(job, queue.jobs[at - 1]!)) at--;
      queue.jobs.splice(at, 0, job);
      return;
    }
    const created: { jobs: Job[]; running?: Promise<void> } = { jobs: [job] };
    this.queues.set(userKey, created);
    created.running = this.drain(userKey, created);
  }

  private async drain(userKey: string, queue: { jobs: Job[] }): Promise<void> {
    try {
      await this.sleep(GATHER_MS);
      while (queue.jobs.length > 0 && !this.stopped) {
        // Wait for Teams' limits before choosing: a message routed meanwhile may be earlier.
        const reference = this.installs.get(userKey)?.value?.reference;
        if (reference) await this.deps.poster.pacer.whenFree(reference.conversationId, reference.tenantId);
        const job = queue.jobs.shift()!;
        try {
          await this.attempt(job);
        } catch (error) {
          this.deps.logger.warn({ err: error, enterpriseId: job.enterpriseId, deliveryId: job.id }, 'Teams delivery failed; the sweep will try again');
        } finally {
          this.scheduled.delete(keyOf(job.enterpriseId, job.id));
        }
      }
    } finally {
      for (const job of queue.jobs) this.scheduled.delete(keyOf(job.enterpriseId, job.id));
      this.queues.delete(userKey);
    }
  }

  private async attempt(job: Job): Promise<void> {
    const { services } = this.deps;
    let stored = job.known?.stored ?? (await services.teams.deliveries.get(job.enterpriseId, job.id));
    let message = job.known?.message;
    for (;;) {
      if (this.stopped || !stored || stored.value.state !== 'pending') return;
      const record = stored.value;
      const waitMs = record.nextAttemptAt ? Date.parse(record.nextAttemptAt) - Date.now() : 0;
      if (waitMs > this.options.inlineWaitMs) {
        this.later(job, waitMs);
        return;
      }
      if (waitMs > 0) await this.sleep(waitMs);
      if (this.stopped) return;
      message ??= (await services.messages.get(job.enterpriseId, record.messageId))?.value;
      if (!message) {
        await this.finish(stored, { state: 'failed', reason: 'The message no longer exists.' });
        return;
      }
      const install = await this.installation(job.enterpriseId, record.userId);
      if (install?.unreachableSince) {
        await this.finish(stored, { state: 'held', reason: install.unreachableReason ?? 'Teams cannot reach this user.' });
        return;
      }
      if (install && !install.installed && install.uninstalledAt) {
        const reason = 'The user removed the Switchboard app from Teams.';
        await this.markUnreachable(job.enterpriseId, record.userId, reason);
        await this.finish(stored, { state: 'held', reason });
        return;
      }
      if (Date.now() - Date.parse(record.updatedAt) > FRESH_MS) {
        // Not just routed here: another process's sweep may be on it too. One claim wins.
        if (record.claimedBy && record.claimedBy !== this.workerId && record.claimUntil && Date.parse(record.claimUntil) > Date.now()) return;
        try {
          stored = await services.teams.deliveries.update(stored, this.claimOf(record));
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          stored = await services.teams.deliveries.get(job.enterpriseId, job.id);
        }
        continue;
      }
      let reference: TeamsReference | undefined;
      let creating = false;
      try {
        if (install?.reference) reference = install.reference;
        else {
          creating = true;
          reference = await this.createChat(job.enterpriseId, record.userId);
          creating = false;
        }
        const activityId = await this.deps.poster.send(reference, await this.activityFor(record, message));
        await this.finish(stored, { state: 'delivered', conversationId: reference.conversationId, activityId, deliveredAt: new Date().toISOString(), reason: null });
        this.noteDelivered(job.enterpriseId, record.userId);
        return;
      } catch (error) {
        const failure = classifyConnectorError(error);
        const log = { enterpriseId: job.enterpriseId, deliveryId: record.id, status: failure.status, reason: failure.reason };
        if (failure.kind === 'blocked') {
          this.deps.logger.info(log, 'Teams refused a message: the user is unreachable until they install the app again');
          await this.markUnreachable(job.enterpriseId, record.userId, failure.reason);
          await this.finish(stored, { state: 'held', reason: failure.reason });
          return;
        }
        const attempts = record.attempts + 1;
        if (creating && (failure.kind === 'refused' || attempts >= this.options.maxAttempts)) {
          // No chat with this user could be opened: the message waits for them to install the app.
          this.deps.logger.warn({ ...log, attempts }, 'no Teams chat could be opened for a user; their messages wait for an install');
          await this.finish(stored, { state: 'held', reason: `Could not open a Teams chat with this user (${failure.reason}). Delivered when they install the app.`, attempts });
          return;
        }
        if (failure.kind === 'refused') {
          this.deps.logger.error(log, 'Teams refused a message for good');
          await this.finish(stored, { state: 'failed', reason: failure.reason, attempts: record.attempts + 1 });
          return;
        }
        if (failure.kind === 'gone' && reference) {
          // The chat we knew is gone: create it again on the next attempt.
          await services.teams.installations.forgetReference(job.enterpriseId, record.userId, reference.conversationId);
          this.installs.delete(keyOf(job.enterpriseId, record.userId));
        }
        if (attempts >= this.options.maxAttempts) {
          this.deps.logger.error({ ...log, attempts }, 'Teams delivery given up after its last attempt');
          await this.finish(stored, { state: 'failed', reason: `Given up after ${attempts} attempts: ${failure.reason}`, attempts });
          return;
        }
        const delay = failure.kind === 'gone' ? 0 : backoffMs(attempts, failure.kind === 'retry' ? failure.retryAfterMs : undefined);
        this.deps.logger.info({ ...log, attempts, retryInMs: delay }, 'Teams delivery will be retried');
        stored = await this.finish(stored, { attempts, nextAttemptAt: new Date(Date.now() + delay).toISOString(), reason: failure.reason });
      }
    }
  }

  /** Saves the record's new state (ETag: a delivery moved on elsewhere is read again, never overwritten). */
  private async finish(stored: Stored<TeamsDeliveryRecord>, change: Partial<TeamsDeliveryRecord>): Promise<Stored<TeamsDeliveryRecord> | undefined> {
    try {
      return await this.deps.services.teams.deliveries.update(stored, { ...stored.value, ...change, updatedAt: new Date().toISOString() });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const again = await this.deps.services.teams.deliveries.get(stored.value.enterpriseId, stored.value.id);
      if (again?.value.state === 'pending' && change.state && change.state !== 'pending') return this.finish(again, change);
      return again;
    }
  }

  private claimOf(record: TeamsDeliveryRecord): TeamsDeliveryRecord {
    const now = Date.now();
    return { ...record, claimedBy: this.workerId, claimUntil: new Date(now + this.options.staleMs).toISOString(), updatedAt: new Date(now).toISOString() };
  }

  private later(job: Job, waitMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.schedule({ enterpriseId: job.enterpriseId, userId: job.userId, id: job.id, messageAt: job.messageAt });
    }, waitMs);
    timer.unref();
    this.timers.add(timer);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private async markUnreachable(enterpriseId: string, userId: string, reason: string): Promise<void> {
    const saved = await this.deps.services.teams.installations.markUnreachable(enterpriseId, userId, reason);
    this.installs.set(keyOf(enterpriseId, userId), { value: saved, until: Date.now() + 10_000 });
  }

  /** The user's install, cached briefly (read for every message). */
  private async installation(enterpriseId: string, userId: string): Promise<TeamsInstallation | undefined> {
    const key = keyOf(enterpriseId, userId);
    const cached = this.installs.get(key);
    if (cached && cached.until > Date.now()) return cached.value;
    const value = await this.deps.services.teams.installations.personal(enterpriseId, userId);
    this.installs.set(key, { value, until: Date.now() + 10_000 });
    return value;
  }

  /** Opens the 1:1 chat with a user who has none we know of (Teams needs the app installed for them). */
  private async createChat(enterpriseId: string, userId: string): Promise<TeamsReference> {
    const { services } = this.deps;
    const enterprise = await services.enterpriseRepository.byId(enterpriseId);
    if (!enterprise) throw new Error(`No enterprise with id "${enterpriseId}".`);
    const known = await services.teams.installations.knownServiceUrl(enterpriseId);
    const reference = await this.deps.poster.createPersonalChat({
      serviceUrl: known?.serviceUrl ?? this.options.defaultServiceUrl,
      tenantId: enterprise.value.tenantId,
      botId: known?.botId ?? this.options.botId,
      // The directory user id is the Entra object id, which Teams accepts as a member.
      member: userId,
    });
    const saved = await services.teams.installations.recordReference(enterpriseId, userId, reference);
    this.installs.set(keyOf(enterpriseId, userId), { value: saved, until: Date.now() + 10_000 });
    return reference;
  }

  /** The user's name for a number (their contacts, then the enterprise's; Contacts keeps it a few seconds). */
  private contactName(enterpriseId: string, userId: string, number: string): Promise<string | null> {
    return this.deps.services.contacts.nameOf(enterpriseId, userId, number).then((found) => found ?? null);
  }

  private async activityFor(record: TeamsDeliveryRecord, message: SmsMessage): Promise<Partial<Activity>> {
    const groupName = message.holder?.type === 'group' ? message.holder.name : null;
    if (record.kind === 'groupReply') {
      const contactName = await this.contactName(message.enterpriseId, record.userId, message.to);
      const input = { senderName: message.sentByName ?? 'A group member', to: message.to, contactName, from: message.from, groupName, body: message.body, mediaCount: message.media.length, sentAt: message.createdAt };
      const activity = MessageFactory.attachment(groupReplyCard(input));
      activity.summary = groupReplySummary(input);
      return activity;
    }
    const contactName = await this.contactName(message.enterpriseId, record.userId, message.from);
    const input = { from: message.from, contactName, to: message.to, groupName, body: message.body, media: message.media, receivedAt: message.receivedAt };
    const activity = MessageFactory.attachment(inboundCard(input));
    activity.summary = inboundSummary(input);
    return activity;
  }

  /** "Last delivered" for admins, written at most once a minute per user. */
  private noteDelivered(enterpriseId: string, userId: string): void {
    const key = keyOf(enterpriseId, userId);
    const now = Date.now();
    if ((this.lastMarked.get(key) ?? 0) > now - 60_000) return;
    this.lastMarked.set(key, now);
    void this.deps.services.teams.installations.markDelivered(enterpriseId, userId, new Date(now).toISOString()).catch(() => undefined);
  }
}
