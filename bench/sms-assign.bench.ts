import { performance } from 'node:perf_hooks';
import {
  createServices,
  newDirectoryUser,
  newNumberEntry,
  defaultEnterpriseSettings,
  systemActor,
  TableStore,
  type DirectoryUser,
  type PhoneNumberEntry,
  type RunningAzurite,
} from '@switchboard/shared';
import { pool, report } from './report';

/**
 * Assigning and unassigning numbers one user at a time, as the SMS User Configuration
 * dialog saves, through `SmsAssignments.applyUserConfig` (all or nothing: one numbers
 * transaction, then the user), with 50,000 users and 20,000 numbers in the store.
 * 400 assigns then 400 unassigns one after the other (a single admin), then the same
 * with 8 admins at once on different users. Target: p95 <= 100 ms.
 */
const USERS = 50_000;
const NUMBERS = 20_000;
const OPERATIONS = 400;
const ENTERPRISE = 'bench-assign';
const TENANT = '55555555-5555-4555-8555-555555555555';

const userId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const numberOf = (i: number) => `+1415${5_500_000 + i}`;

const SEEDED_AT = '2026-01-01T00:00:00.000Z';

function user(i: number): DirectoryUser {
  const identity = { enterpriseId: ENTERPRISE, id: userId(i), userPrincipalName: `user${i}@contoso.com`, displayName: `User ${i}`, mail: null, accountEnabled: true, userType: 'Member', teamsLicensed: true, teamsPhoneLicensed: false };
  return newDirectoryUser(identity, SEEDED_AT);
}

function number(i: number): PhoneNumberEntry {
  return newNumberEntry(ENTERPRISE, numberOf(i) as PhoneNumberEntry['number'], SEEDED_AT, { label: '', extension: null });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function smsAssignBench(azurite: RunningAzurite): Promise<void> {
  const store = new TableStore(azurite.connectionString, { tablePrefix: `a${Date.now().toString(36)}` });
  const services = await createServices(store);
  const at = new Date().toISOString();
  await services.enterpriseRepository.create({ id: ENTERPRISE, name: 'Bench Assign', tenantId: TENANT, providerId: 'bench-provider', createdAt: at, updatedAt: at, settings: { ...defaultEnterpriseSettings } });
  const seedStart = performance.now();
  for (let from = 0; from < USERS; from += 5_000) await services.userRepository.createMany(Array.from({ length: Math.min(5_000, USERS - from) }, (_, k) => user(from + k)));
  for (let from = 0; from < NUMBERS; from += 5_000) await services.numberRepository.createMany(Array.from({ length: Math.min(5_000, NUMBERS - from) }, (_, k) => number(from + k)));
  report({ name: 'sms-assign.seed', value: (USERS + NUMBERS) / ((performance.now() - seedStart) / 1000), unit: 'entities/s' });

  // Users spread over the directory, numbers spread over the inventory: slots 0-399 one by one, 400-799 by 8 admins, 800+ warm-up.
  const SLOTS = 2 * OPERATIONS + 10;
  const userAt = (k: number) => Math.floor((k * USERS) / SLOTS) + 7;
  const numberAt = (k: number) => Math.floor((k * NUMBERS) / SLOTS) + 3;
  const apply = async (k: number, numbers: string[]) => {
    const started = performance.now();
    const change = await services.smsAssignments.applyUserConfig(ENTERPRISE, userId(userAt(k)), { enabled: numbers.length > 0, numbers }, systemActor);
    if (change.unchanged) throw new Error(`nothing changed for operation ${k}`);
    return performance.now() - started;
  };
  const summarise = (name: string, times: number[]) => {
    const sorted = [...times].sort((a, b) => a - b);
    report({ name: `${name}.p50`, value: percentile(sorted, 50), unit: 'ms' });
    report({ name: `${name}.p95`, value: percentile(sorted, 95), unit: 'ms' });
    report({ name: `${name}.max`, value: sorted[sorted.length - 1]!, unit: 'ms' });
  };

  // Warm-up (connections, the number snapshot), not measured.
  for (let k = 2 * OPERATIONS; k < SLOTS; k++) await apply(k, [numberOf(numberAt(k))]);

  const assign: number[] = [];
  const unassign: number[] = [];
  for (let k = 0; k < OPERATIONS; k++) assign.push(await apply(k, [numberOf(numberAt(k))]));
  for (let k = 0; k < OPERATIONS; k++) unassign.push(await apply(k, []));
  summarise('sms-assign.assign', assign);
  summarise('sms-assign.unassign', unassign);

  const concurrent: number[] = [];
  const started = performance.now();
  await pool(OPERATIONS, 8, async (k) => {
    concurrent.push(await apply(OPERATIONS + k, [numberOf(numberAt(OPERATIONS + k))]));
  });
  report({ name: 'sms-assign.assign.8-admins.rate', value: OPERATIONS / ((performance.now() - started) / 1000), unit: 'saves/s' });
  summarise('sms-assign.assign.8-admins', concurrent);
}
