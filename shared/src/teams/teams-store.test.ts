import { randomUUID } from 'node:crypto';
import { testStore } from '../../test/storage';
import type { Principal } from '../access/principal';
import { defaultEnterpriseSettings } from '../enterprises/schema';
import { ForbiddenError, NotFoundError } from '../errors';
import { createServices, type Services } from '../services';
import { deliveryIdOf, type TeamsDeliveryRecord } from './deliveries';
import type { TeamsReference } from './installations';

/** Teams installations, reachability and delivery records on Azurite. */
describe('Teams store', () => {
  let services: Services;
  const ent = `ent-${randomUUID().slice(0, 8)}`;
  const other = `ent-${randomUUID().slice(0, 8)}`;
  const reference = (conversationId: string): TeamsReference => ({ serviceUrl: 'https://smba.example/teams/', conversationId, conversationType: 'personal', tenantId: 't1', botId: '28:bot' });
  const admin = (enterpriseId: string): Principal => ({ userId: 'admin', name: 'Ada', tenantId: 't', role: 'global-admin', enterpriseId });

  beforeAll(async () => {
    services = await createServices(testStore());
    const at = new Date().toISOString();
    for (const id of [ent, other]) await services.enterpriseRepository.create({ id, name: id, tenantId: randomUUID(), providerId: 'prov', createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
  });

  it('records an install, marks the user unreachable once, and a new install clears it', async () => {
    const installs = services.teams.installations;
    await installs.recordInstall(ent, 'personal', 'u1', reference('a:1'));
    const first = await installs.markUnreachable(ent, 'u1', 'blocked');
    const again = await installs.markUnreachable(ent, 'u1', 'blocked again');
    expect(again.unreachableSince).toBe(first.unreachableSince);
    expect(again.unreachableReason).toBe('blocked');

    expect((await installs.unreachableUsers(admin(ent), ent)).items).toEqual([{ userId: 'u1', displayName: 'u1', since: first.unreachableSince, reason: 'blocked', installed: true }]);
    // Another enterprise's admin sees only their own.
    expect((await installs.unreachableUsers(admin(other), other)).items).toEqual([]);
    await expect(installs.unreachableUsers(admin(other), ent)).rejects.toBeInstanceOf(NotFoundError);
    await expect(installs.unreachableUsers({ ...admin(ent), role: 'user' }, ent)).rejects.toBeInstanceOf(ForbiddenError);

    await installs.recordInstall(ent, 'personal', 'u1', reference('a:1b'));
    expect(await installs.personal(ent, 'u1')).toMatchObject({ installed: true, unreachableSince: null, reference: { conversationId: 'a:1b' } });
    expect((await installs.unreachableUsers(admin(ent), ent)).items).toEqual([]);
  });

  it('forgets a chat Teams no longer knows, and gives the service URL an install told us', async () => {
    const installs = services.teams.installations;
    await installs.recordInstall(ent, 'personal', 'u2', reference('a:2'));
    await installs.forgetReference(ent, 'u2', 'a:other');
    expect((await installs.personal(ent, 'u2'))?.reference?.conversationId).toBe('a:2');
    await installs.forgetReference(ent, 'u2', 'a:2');
    expect((await installs.personal(ent, 'u2'))?.reference).toBeNull();
    expect(await installs.knownServiceUrl(ent)).toEqual({ serviceUrl: 'https://smba.example/teams/', botId: '28:bot' });
    expect(await installs.knownServiceUrl(`none-${randomUUID().slice(0, 6)}`)).toBeUndefined();
  });

  it('lists waiting deliveries per user in message order, and pending ones for the sweep', async () => {
    const deliveries = services.teams.deliveries;
    const at = new Date().toISOString();
    const record = (messageId: string, userId: string, messageAt: string, state: TeamsDeliveryRecord['state']): TeamsDeliveryRecord => ({ enterpriseId: ent, id: deliveryIdOf(messageId, userId), kind: 'inbound', messageId, userId, state, attempts: 0, nextAttemptAt: null, reason: null, conversationId: null, activityId: null, messageAt, claimedBy: null, claimUntil: null, deliveredAt: null, createdAt: at, updatedAt: at });
    await deliveries.ensure(record('c:m2', 'u3', '2026-01-01T00:00:02.000Z', 'held'));
    await deliveries.ensure(record('c:m1', 'u3', '2026-01-01T00:00:01.000Z', 'pending'));
    await deliveries.ensure(record('c:m3', 'u3', '2026-01-01T00:00:03.000Z', 'delivered'));
    await deliveries.ensure(record('c:m1', 'u30', '2026-01-01T00:00:00.500Z', 'pending')); // a user id with u3 as prefix
    // Recording again (routing ran twice) answers the existing one.
    expect((await deliveries.ensure(record('c:m2', 'u3', '2026-01-01T00:00:02.000Z', 'pending'))).value.state).toBe('held');

    expect((await deliveries.waitingFor(ent, 'u3')).map((s) => s.value.messageId)).toEqual(['c:m1', 'c:m2']);
    const pending: string[] = [];
    for await (const id of deliveries.pending(ent)) pending.push(id);
    expect(pending).toEqual([deliveryIdOf('c:m1', 'u30'), deliveryIdOf('c:m1', 'u3')]);

    // Delivered: off both lists.
    const stored = (await deliveries.get(ent, deliveryIdOf('c:m1', 'u3')))!;
    await deliveries.update(stored, { ...stored.value, state: 'delivered' });
    expect((await deliveries.waitingFor(ent, 'u3')).map((s) => s.value.messageId)).toEqual(['c:m2']);
  });
});
