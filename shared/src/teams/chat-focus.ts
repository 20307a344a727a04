import { randomBytes } from 'node:crypto';
import { ConflictError } from '../errors';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';

export const CHAT_FOCUS_TABLE = 'teamschatfocus';

/** A send the bot asked the user to confirm (a recipient they never texted). */
export interface PendingSend {
  id: string;
  to: string;
  /** The name the user called them by, when a contact. */
  toName: string | null;
  from: string | null;
  text: string;
  expiresAt: string;
}

/**
 * What the user's bot chat is "about": the conversation they are in (a card's Reply or
 * Show conversation) or last sent to, and a send waiting for their yes or no.
 * One row per user (partition = enterprise, RowKey = user id), changed with its ETag.
 */
export interface ChatFocus {
  enterpriseId: string;
  userId: string;
  enterpriseNumber: string | null;
  externalNumber: string | null;
  focusedAt: string | null;
  pending: PendingSend | null;
  updatedAt: string;
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

function pendingOf(value: unknown): PendingSend | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const parsed = JSON.parse(value) as PendingSend;
    return typeof parsed.id === 'string' && typeof parsed.to === 'string' && typeof parsed.text === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

const definition: RepositoryDefinition<ChatFocus> = {
  table: CHAT_FOCUS_TABLE,
  entityName: 'chat focus',
  partitionOf: (f) => f.enterpriseId,
  idOf: (f) => f.userId,
  toEntity: ({ enterpriseNumber, externalNumber, focusedAt, pending, updatedAt }) => ({ enterpriseNumber, externalNumber, focusedAt, pending: pending ? JSON.stringify(pending) : null, updatedAt }),
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    userId: keys.id,
    enterpriseNumber: text(p.enterpriseNumber),
    externalNumber: text(p.externalNumber),
    focusedAt: text(p.focusedAt),
    pending: pendingOf(p.pending),
    updatedAt: String(p.updatedAt),
  }),
};

/** How long a send waits for its confirmation. */
export const PENDING_SEND_TTL_MS = 15 * 60 * 1000;
const ATTEMPTS = 5;

/** The bot chat's focus per user, kept in storage so every server process agrees. */
export class ChatFocusStore {
  readonly repository: Repository<ChatFocus>;
  private readonly now: () => Date;

  constructor(store: TableStore, options: { now?: () => Date } = {}) {
    this.repository = new Repository(store, definition);
    this.now = options.now ?? (() => new Date());
  }

  async get(enterpriseId: string, userId: string): Promise<ChatFocus | undefined> {
    return (await this.repository.get(enterpriseId, userId))?.value;
  }

  /** The user is now in this conversation (never moves backwards in time when two turns race). */
  async focus(enterpriseId: string, userId: string, conversation: { enterpriseNumber: string; externalNumber: string }): Promise<void> {
    const at = this.now().toISOString();
    await this.change(enterpriseId, userId, (current) => ({ ...current, enterpriseNumber: conversation.enterpriseNumber, externalNumber: conversation.externalNumber, focusedAt: at, updatedAt: at }));
  }

  /** Remembers a send to confirm; a newer one replaces an older one. */
  async setPending(enterpriseId: string, userId: string, send: Omit<PendingSend, 'id' | 'expiresAt'>): Promise<PendingSend> {
    const now = this.now();
    const pending: PendingSend = { ...send, id: randomBytes(8).toString('hex'), expiresAt: new Date(now.getTime() + PENDING_SEND_TTL_MS).toISOString() };
    await this.change(enterpriseId, userId, (current) => ({ ...current, pending, updatedAt: now.toISOString() }));
    return pending;
  }

  /** The send waiting for confirmation, if it has not expired. */
  async pending(enterpriseId: string, userId: string): Promise<PendingSend | undefined> {
    const pending = (await this.get(enterpriseId, userId))?.pending;
    return pending && pending.expiresAt > this.now().toISOString() ? pending : undefined;
  }

  /**
   * Takes the pending send out (with the row's ETag), so a double click or a "yes"
   * typed twice sends it once: only the writer that removed it gets it back.
   * `id` picks a particular one (a card's button); without it, whatever waits.
   */
  async takePending(enterpriseId: string, userId: string, id?: string): Promise<PendingSend | undefined> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = await this.repository.get(enterpriseId, userId);
      const pending = current?.value.pending;
      if (!current || !pending || (id !== undefined && pending.id !== id)) return undefined;
      try {
        await this.repository.update(current, { ...current.value, pending: null, updatedAt: this.now().toISOString() });
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
      return pending.expiresAt > this.now().toISOString() ? pending : undefined;
    }
    return undefined;
  }

  private async change(enterpriseId: string, userId: string, apply: (current: ChatFocus) => ChatFocus): Promise<Stored<ChatFocus>> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.repository.get(enterpriseId, userId);
      const base: ChatFocus = current?.value ?? { enterpriseId, userId, enterpriseNumber: null, externalNumber: null, focusedAt: null, pending: null, updatedAt: this.now().toISOString() };
      try {
        return current ? await this.repository.update(current, apply(base)) : await this.repository.create(apply(base));
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= ATTEMPTS - 1) throw error;
      }
    }
  }
}
