import { randomUUID } from 'node:crypto';
import { testStore } from '../../test/storage';
import { systemActor } from '../access/principal';
import { MsGraphDirectory } from '../directory/graph/ms-graph-directory';
import { defaultEnterpriseSettings } from '../enterprises/schema';
import { startGraphSimulator, SIMULATOR_CLIENT_SECRET, type GraphSimulator } from '../simulators';
import { createServices } from '../services';
import type { PhoneNumberEntry } from './number';

/**
 * The directory sync releases, in the numbers table, the numbers of users who left the
 * Microsoft 365 directory (Graph simulator -> real Graph client -> sync -> services).
 */
let simulator: GraphSimulator;
beforeAll(async () => {
  simulator = await startGraphSimulator();
});
afterAll(() => simulator.stop());

it('releases the numbers of users the directory sync marks removed, and names them in the feed', async () => {
  const tenantId = randomUUID();
  simulator.addTenant(tenantId, { users: 30, seed: 11 });
  const source = new MsGraphDirectory({ baseUrl: simulator.baseUrl, authorityHost: simulator.authorityHost, clientId: randomUUID(), clientSecret: SIMULATOR_CLIENT_SECRET, caCertificate: simulator.caCertificate });
  const services = await createServices(testStore(), { directorySource: source });
  const enterpriseId = `ent-${tenantId.slice(0, 8)}`;
  const at = new Date().toISOString();
  await services.enterpriseRepository.create({ id: enterpriseId, name: 'Test Co', tenantId, providerId: 'prov', createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
  const runSync = async () => {
    await services.directorySync.start(enterpriseId, 'manual');
    await services.directorySync.settled(enterpriseId);
    return services.directorySync.state(enterpriseId);
  };
  expect((await runSync()).lastResult).toMatchObject({ outcome: 'succeeded', added: 30 });

  const numbers = ['+14155550301', '+14155550302', '+14155550303'];
  const entry = (number: string): PhoneNumberEntry => ({
    enterpriseId,
    number: number as PhoneNumberEntry['number'],
    carrierConnectionId: null,
    capabilities: { sms: true, mms: false, voice: false },
    label: '',
    extension: null,
    segmentsPerSecond: null,
    holder: null,
    createdAt: at,
    updatedAt: at,
  });
  await services.numberRepository.createMany(numbers.map(entry));
  const tenant = simulator.tenant(tenantId);
  const [leaving, staying] = tenant.users();
  await services.smsAssignments.applyUserConfig(enterpriseId, leaving!.id, { enabled: true, numbers: numbers.slice(0, 2) }, systemActor);
  await services.smsAssignments.applyUserConfig(enterpriseId, staying!.id, { enabled: true, numbers: numbers.slice(2) }, systemActor);

  tenant.removeUser(leaving!.id);
  expect((await runSync()).lastResult).toMatchObject({ outcome: 'succeeded', mode: 'delta', removed: 1 });

  for (const number of numbers.slice(0, 2)) expect((await services.numberRepository.get(enterpriseId, number))!.value.holder).toBeNull();
  expect((await services.numberRepository.get(enterpriseId, numbers[2]!))!.value.holder).toMatchObject({ id: staying!.id });
  expect((await services.userRepository.require(enterpriseId, leaving!.id)).value).toMatchObject({ removed: true, sms: { enabled: false, numbers: [] } });
  const feed = (await services.activity.page(enterpriseId, { pageSize: 50 })).items;
  expect(feed.find((e) => e.action === 'user.removed')).toMatchObject({
    entity: { id: leaving!.id },
    summary: expect.stringContaining('+14155550301, +14155550302'),
    before: { smsNumbers: numbers.slice(0, 2) },
    after: { smsNumbers: [] },
  });

  // The released numbers can be given to someone else at once.
  const admin = { userId: 'a', name: 'A', tenantId, role: 'global-admin' as const, enterpriseId };
  const available = await services.smsAssignments.view(admin, enterpriseId, staying!.id);
  expect(available.available.map((n) => n.number)).toEqual(numbers.slice(0, 2));
});

it('releases numbers held in the numbers table even when the user record does not list them', async () => {
  const services = await createServices(testStore());
  const enterpriseId = `ent-${randomUUID().slice(0, 8)}`;
  const at = new Date().toISOString();
  await services.numberRepository.create({
    enterpriseId,
    number: '+14155550401' as PhoneNumberEntry['number'],
    carrierConnectionId: null,
    capabilities: { sms: true, mms: false, voice: false },
    label: '',
    extension: null,
    segmentsPerSecond: null,
    holder: { type: 'user', id: 'u1', name: 'U One' },
    createdAt: at,
    updatedAt: at,
  });
  expect([...(await services.smsAssignments.releaseHeldBy(enterpriseId, ['u1', 'u2']))]).toEqual([['u1', ['+14155550401']]]);
  expect((await services.numberRepository.get(enterpriseId, '+14155550401'))!.value.holder).toBeNull();
});
