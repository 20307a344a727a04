import { randomUUID } from 'node:crypto';
import { actorOf, type Principal } from '../access/principal';
import { requireAdminOf, requireRole, visibleEnterprise } from '../access/policy';
import { providerScope, type ActivityLog } from '../audit/activity';
import { changes } from '../audit/diff';
import { ConflictError, ForbiddenError } from '../errors';
import type { EnterpriseRepository } from './repository';
import { defaultEnterpriseSettings, type CreateEnterprise, type Enterprise, type UpdateEnterprise } from './schema';

/** How the feed's summary names each field. */
const FIELD_LABELS: Record<string, string> = {
  name: 'the name',
  'settings.chatEnabled': 'Chat',
  'settings.syncIntervalMinutes': 'the sync interval',
  'settings.timeZone': 'the time zone',
  'settings.allowProviderManagement': 'management by service provider',
  'settings.optOutScope': 'what a STOP blocks',
  'settings.optOutReply': 'the reply to STOP',
  'settings.optInReply': 'the reply to START',
  'settings.helpReply': 'the reply to HELP',
};

function describeFields(paths: string[]): string {
  const labels = paths.map((path) => FIELD_LABELS[path] ?? path);
  return labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

/** An enterprise as the API returns it: with the ETag needed to change it. */
export type EnterpriseView = Enterprise & { etag: string };

export class EnterpriseService {
  constructor(
    private readonly enterprises: EnterpriseRepository,
    private readonly activity: ActivityLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(principal: Principal, input: CreateEnterprise): Promise<EnterpriseView> {
    requireRole(principal, ['provider-admin'], 'add enterprises');
    if (input.settings?.allowProviderManagement) {
      throw new ForbiddenError("Only the enterprise's global admin can allow management by service provider; add the enterprise without it and ask them to allow it in Settings.");
    }
    const at = this.now().toISOString();
    const enterprise: Enterprise = {
      id: randomUUID(),
      name: input.name,
      tenantId: input.tenantId,
      providerId: principal.providerId!,
      createdAt: at,
      updatedAt: at,
      settings: { ...defaultEnterpriseSettings, ...input.settings },
    };
    const stored = await this.enterprises.create(enterprise);
    const entry = {
      actor: actorOf(principal),
      action: 'enterprise.created',
      entity: { type: 'enterprise', id: enterprise.id, name: enterprise.name },
      summary: `Added enterprise ${enterprise.name} (tenant ${enterprise.tenantId}).`,
      after: enterprise,
    };
    await this.activity.record({ ...entry, scope: providerScope(enterprise.providerId) });
    await this.activity.record({ ...entry, scope: enterprise.id });
    return { ...stored.value, etag: stored.etag };
  }

  /** Provider admins see their provider's enterprises; everyone else sees their own. */
  async list(principal: Principal): Promise<EnterpriseView[]> {
    const result: EnterpriseView[] = [];
    if (principal.role === 'provider-admin') {
      for await (const stored of this.enterprises.all()) {
        if (stored.value.providerId === principal.providerId) result.push({ ...stored.value, etag: stored.etag });
      }
      return result.sort((a, b) => a.name.localeCompare(b.name));
    }
    if (principal.enterpriseId) {
      const own = await this.enterprises.byId(principal.enterpriseId);
      if (own) result.push({ ...own.value, etag: own.etag });
    }
    return result;
  }

  async get(principal: Principal, id: string): Promise<EnterpriseView> {
    const stored = await this.enterprises.byId(id);
    visibleEnterprise(principal, stored?.value, id);
    return { ...stored!.value, etag: stored!.etag };
  }

  /** Applies a partial change, provided the enterprise is still as the caller read it (`etag`). */
  async update(principal: Principal, id: string, etag: string, patch: UpdateEnterprise): Promise<EnterpriseView> {
    const stored = await this.enterprises.byId(id);
    const current = requireAdminOf(principal, stored?.value, id, 'change enterprise settings');
    if (etag !== stored!.etag) {
      throw new ConflictError(`${current.name} was changed by someone else since you loaded it. Reload it and apply your change again.`);
    }
    const next: Enterprise = {
      ...current,
      name: patch.name ?? current.name,
      settings: { ...current.settings, ...patch.settings },
    };
    if (next.settings.allowProviderManagement !== current.settings.allowProviderManagement && principal.role !== 'global-admin') {
      throw new ForbiddenError("Only the enterprise's global admin can change \"Allow management by service provider\".");
    }
    const changed = changes({ name: current.name, settings: current.settings }, { name: next.name, settings: next.settings });
    if (Object.keys(changed.after).length === 0) return { ...current, etag: stored!.etag }; // nothing to write, nothing to lose
    next.updatedAt = this.now().toISOString();
    const saved = await this.enterprises.update({ value: current, etag }, next);
    await this.activity.record({
      scope: id,
      actor: actorOf(principal),
      action: 'enterprise.updated',
      entity: { type: 'enterprise', id, name: next.name },
      summary: `Changed ${describeFields(Object.keys(changed.after))} of ${next.name}.`,
      ...changed,
    });
    return { ...saved.value, etag: saved.etag };
  }
}
