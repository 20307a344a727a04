import { randomUUID } from 'node:crypto';
import { testStore } from '../../test/storage';
import { makeUser } from '../../test/users';
import type { Principal } from '../access/principal';
import { defaultEnterpriseSettings } from '../enterprises/schema';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { createServices, type ServiceOptions, type Services } from '../services';
import { escapeKey } from '../store/keys';
import { cleanFileName } from './import-service';
import { SMS_IMPORTS_TABLE, SmsImportRepository } from './import-store';
import type { PhoneNumberEntry } from './number';

/**
 * The import service against Azurite: both apply modes end in the same state, a run
 * whose process died is resumed from its last saved position, a run cannot start
 * twice, and an import whose stored rows were damaged fails as a whole, saying so.
 */
const N = (i: number) => `+1415555${String(100 + i).padStart(4, '0')}`;
const HEADER = 'Teams username,SMS numbers,Enable SMS,Tags';

async function world(options: ServiceOptions['smsImports'] = {}, users = 30) {
  const store = testStore();
  const services: Services = await createServices(store, { smsImports: options });
  const enterpriseId = `ent-${randomUUID().slice(0, 8)}`;
  const at = new Date().toISOString();
  await services.enterpriseRepository.create({ id: enterpriseId, name: 'Contoso', tenantId: randomUUID(), providerId: 'prov', createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
  await services.userRepository.createMany(Array.from({ length: users }, (_, i) => makeUser({ enterpriseId, id: `u${i}`, displayName: `User ${i}` })));
  await services.numberRepository.createMany(
    Array.from({ length: users + 5 }, (_, i): PhoneNumberEntry => ({
      enterpriseId,
      number: N(i) as PhoneNumberEntry['number'],
      carrierConnectionId: null,
      capabilities: { sms: true, mms: false, voice: false },
      label: '',
      extension: null,
      segmentsPerSecond: null,
      holder: null,
      createdAt: at,
      updatedAt: at,
    })),
  );
  const admin: Principal = { userId: 'admin-1', name: 'Ada Admin', tenantId: 't', role: 'global-admin', enterpriseId };
  const file = (count = users) => [HEADER, ...Array.from({ length: count }, (_, i) => `u${i}@contoso.com,${N(i)},${i % 2 ? 'yes' : 'no'},Team ${i % 3}`)].join('\n');
  return { store, services, enterpriseId, admin, file, repository: new SmsImportRepository(store) };
}

describe('SmsImports', () => {
  it('ends in the same state in batch and single mode, and records one summary entry', async () => {
    for (const applyMode of ['batch', 'single'] as const) {
      const w = await world({ applyMode, bulkRows: 7, batchSize: 10 });
      const report = await w.services.smsImports.validate(w.admin, w.enterpriseId, w.file(), 'team.csv');
      expect(report.canApply).toBe(true);
      await w.services.smsImports.apply(w.admin, w.enterpriseId, report.importId);
      await w.services.smsImports.settleAll();
      const status = await w.services.smsImports.status(w.admin, w.enterpriseId, report.importId);
      expect({ applyMode, status: status.status, processed: status.processed, summary: status.summary }).toEqual({
        applyMode,
        status: 'applied',
        processed: 30,
        summary: { changed: 30, unchanged: 0, failed: 0 },
      });
      const u7 = (await w.services.userRepository.require(w.enterpriseId, 'u7')).value;
      expect(u7).toMatchObject({ sms: { enabled: true, numbers: [N(7)] }, tags: ['Team 1'] });
      const feed = (await w.services.activity.page(w.enterpriseId, { pageSize: 100 })).items;
      expect(feed[0]).toMatchObject({ action: 'sms.import.applied', summary: 'Imported SMS configurations from team.csv: 30 rows, 30 users changed, 0 unchanged.' });
      expect(feed.filter((entry) => entry.action === 'user.sms.updated')).toHaveLength(applyMode === 'single' ? 30 : 0);
    }
  });

  it('resumes a run whose process died from its last saved position, and refuses to start a live one twice', async () => {
    const w = await world({ batchSize: 10, leaseMs: 60_000 });
    const report = await w.services.smsImports.validate(w.admin, w.enterpriseId, w.file(), 'team.csv');
    // Another process started it and did the first 10 rows: while its lease lasts, it cannot start again.
    const current = (await w.repository.get(w.enterpriseId, report.importId))!;
    const future = new Date(Date.now() + 60_000).toISOString();
    const live = await w.repository.update(current, { ...current.value, status: 'applying', processed: 10, changed: 10, cursor: 10, leaseOwner: 'other-process', leaseUntil: future, startedAt: new Date().toISOString() });
    const twice = await w.services.smsImports.apply(w.admin, w.enterpriseId, report.importId).catch((error: unknown) => error);
    expect(twice).toBeInstanceOf(ConflictError);
    expect((twice as Error).message).toBe('team.csv is being applied (10 of 30 rows done). Follow its progress; it cannot be started twice.');

    // Then that process died: its lease ran out, the import shows as stalled, and applying resumes it.
    await w.repository.update(live, { ...live.value, leaseOwner: 'dead-process', leaseUntil: new Date(Date.now() - 1000).toISOString() });
    const stalled = await w.services.smsImports.status(w.admin, w.enterpriseId, report.importId);
    expect(stalled).toMatchObject({ status: 'applying', stalled: true, processed: 10 });
    const resumed = await w.services.smsImports.apply(w.admin, w.enterpriseId, report.importId);
    expect(resumed).toMatchObject({ status: 'applying', processed: 10 });
    expect(resumed.stalled).toBeUndefined();
    await w.services.smsImports.settleAll();
    const done = await w.services.smsImports.status(w.admin, w.enterpriseId, report.importId);
    expect(done).toMatchObject({ status: 'applied', processed: 30, summary: { changed: 30, failed: 0 } });
    // Rows 11-30 were applied by the resumed run; rows 1-10 were the dead process's (not done here).
    expect((await w.services.userRepository.require(w.enterpriseId, 'u20')).value.sms.numbers).toEqual([N(20)]);
    expect((await w.services.userRepository.require(w.enterpriseId, 'u3')).value.sms.numbers).toEqual([]);
  });

  it('fails a run as a whole when the stored rows were damaged, and says so', async () => {
    const w = await world();
    const report = await w.services.smsImports.validate(w.admin, w.enterpriseId, w.file(3), 'team.csv');
    await w.store.client(SMS_IMPORTS_TABLE).deleteEntity(escapeKey(w.enterpriseId), escapeKey(`${report.importId}~rows~0000`));
    await w.services.smsImports.apply(w.admin, w.enterpriseId, report.importId);
    await w.services.smsImports.settleAll();
    const status = await w.services.smsImports.status(w.admin, w.enterpriseId, report.importId);
    expect(status).toMatchObject({ status: 'failed', error: `The stored rows of import ${report.importId} are incomplete or damaged; validate the file again.` });
    const [entry] = (await w.services.activity.page(w.enterpriseId, { pageSize: 1 })).items;
    expect(entry).toMatchObject({ action: 'sms.import.failed', summary: expect.stringMatching(/^Importing SMS configurations from team\.csv stopped after 0 of 3 rows: The stored rows/) });
  });

  it('refuses files it cannot read, unknown imports and other enterprises', async () => {
    const w = await world();
    await expect(w.services.smsImports.validate(w.admin, w.enterpriseId, 'nonsense')).rejects.toThrow(ValidationError);
    await expect(w.services.smsImports.status(w.admin, w.enterpriseId, 'nope')).rejects.toThrow(NotFoundError);
    await expect(w.services.smsImports.status(w.admin, w.enterpriseId, '../../x')).rejects.toThrow(NotFoundError);
    const stranger: Principal = { ...w.admin, enterpriseId: 'other' };
    await expect(w.services.smsImports.validate(stranger, w.enterpriseId, w.file(1))).rejects.toThrow(NotFoundError);
  });

  it('cleans file names', () => {
    expect(cleanFileName('C:\\Users\\ada\\Desktop\\team.csv')).toBe('team.csv');
    expect(cleanFileName('/tmp/x/users\n.csv')).toBe('users.csv');
    expect(cleanFileName('   ')).toBe('import.csv');
    expect(cleanFileName(undefined)).toBe('import.csv');
  });
});
