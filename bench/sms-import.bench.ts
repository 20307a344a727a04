import { performance } from 'node:perf_hooks';
import {
  createServices,
  newDirectoryUser,
  newNumberEntry,
  defaultEnterpriseSettings,
  TableStore,
  type DirectoryUser,
  type PhoneNumberEntry,
  type Principal,
  type RunningAzurite,
  type Services,
} from '@switchboard/shared';
import { report } from './report';

/**
 * The bulk SMS import at 10,000 rows on the embedded store: 10,000 directory users and
 * 12,000 numbers seeded (Repository.createMany), a file giving every user a number,
 * SMS on and tags. Times the validation (cold: the user and number snapshots are
 * loaded from storage first; warm: a second validation within their TTL) and the
 * background apply through applyUserConfig (all or nothing per user), then the same
 * import applied again (every row unchanged). Targets: validation <= 2 s, apply <= 30 s.
 */
const USERS = 10_000;
const NUMBERS = 12_000;
const ENTERPRISE = 'bench-import';
const TENANT = '44444444-4444-4444-8444-444444444444';
/** Tuning knobs for experiments; the defaults are the service's. */
const tuning = {
  ...(process.env.BENCH_IMPORT_CONCURRENCY ? { applyConcurrency: Number(process.env.BENCH_IMPORT_CONCURRENCY) } : {}),
  ...(process.env.BENCH_IMPORT_BULK_ROWS ? { bulkRows: Number(process.env.BENCH_IMPORT_BULK_ROWS) } : {}),
  ...(process.env.BENCH_IMPORT_BATCH ? { batchSize: Number(process.env.BENCH_IMPORT_BATCH) } : {}),
  ...(process.env.BENCH_IMPORT_MODE === 'single' ? { applyMode: 'single' as const } : {}),
};

const userId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const numberOf = (i: number) => `+1415${5_550_000 + i}`;

const SEEDED_AT = '2026-01-01T00:00:00.000Z';

function user(i: number): DirectoryUser {
  const identity = { enterpriseId: ENTERPRISE, id: userId(i), userPrincipalName: `user${i}@contoso.com`, displayName: `User ${i}`, mail: `user${i}@contoso.com`, accountEnabled: true, userType: 'Member', teamsLicensed: i % 20 !== 0, teamsPhoneLicensed: false };
  return newDirectoryUser(identity, SEEDED_AT);
}

function number(i: number): PhoneNumberEntry {
  return newNumberEntry(ENTERPRISE, numberOf(i) as PhoneNumberEntry['number'], SEEDED_AT, { label: `Line ${i}`, extension: String(2000 + i) });
}

/** The import file: one row per user, a few with two numbers, most with tags, as a spreadsheet saves it. */
function importFile(): string {
  const lines = ['Teams username,SMS numbers,Enable SMS,Tags'];
  for (let i = 0; i < USERS; i++) {
    const numbers = i % 5 === 0 && USERS + i / 5 < NUMBERS ? `"${numberOf(i)};${numberOf(USERS + i / 5)}"` : numberOf(i);
    lines.push(`user${i}@contoso.com,${numbers},${i % 10 === 0 ? 'no' : 'yes'},${i % 3 === 0 ? '"Sales;VIP"' : i % 3 === 1 ? 'Support' : ''}`);
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

async function seed(services: Services): Promise<void> {
  const at = new Date().toISOString();
  await services.enterpriseRepository.create({ id: ENTERPRISE, name: 'Bench Import', tenantId: TENANT, providerId: 'bench-provider', createdAt: at, updatedAt: at, settings: { ...defaultEnterpriseSettings } });
  const started = performance.now();
  for (let from = 0; from < USERS; from += 5_000) await services.userRepository.createMany(Array.from({ length: Math.min(5_000, USERS - from) }, (_, k) => user(from + k)));
  for (let from = 0; from < NUMBERS; from += 4_000) await services.numberRepository.createMany(Array.from({ length: Math.min(4_000, NUMBERS - from) }, (_, k) => number(from + k)));
  report({ name: 'sms-import.seed', value: (USERS + NUMBERS) / ((performance.now() - started) / 1000), unit: 'entities/s' });
}

/** Applies and waits for the background run; answers the time and the final status. */
async function applyAndWait(services: Services, principal: Principal, importId: string) {
  const started = performance.now();
  await services.smsImports.apply(principal, ENTERPRISE, importId);
  await services.smsImports.settleAll();
  const ms = performance.now() - started;
  const status = await services.smsImports.status(principal, ENTERPRISE, importId);
  if (status.status !== 'applied') throw new Error(`the import ended ${status.status}: ${status.error ?? ''}`);
  return { ms, status };
}

export async function smsImportBench(azurite: RunningAzurite): Promise<void> {
  const store = new TableStore(azurite.connectionString, { tablePrefix: `i${Date.now().toString(36)}` });
  const services = await createServices(store, { smsImports: tuning });
  const principal: Principal = { userId: 'bench', name: 'Bench Admin', tenantId: TENANT, role: 'global-admin', enterpriseId: ENTERPRISE };
  await seed(services);
  const file = importFile();
  report({ name: 'sms-import.file.10k', value: Buffer.byteLength(file) / 1024, unit: 'KiB' });

  let started = performance.now();
  const cold = await services.smsImports.validate(principal, ENTERPRISE, file, 'bench.csv');
  report({ name: 'sms-import.validate.10k.cold', value: performance.now() - started, unit: 'ms' });
  if (!cold.canApply || cold.summary.rows !== USERS) throw new Error(`validation: ${JSON.stringify(cold.summary)} ${JSON.stringify(cold.rows.find((row) => row.status === 'error'))}`);
  started = performance.now();
  const warm = await services.smsImports.validate(principal, ENTERPRISE, file, 'bench.csv');
  report({ name: 'sms-import.validate.10k', value: performance.now() - started, unit: 'ms' });

  const first = await applyAndWait(services, principal, warm.importId);
  if (first.status.summary.changed !== USERS || first.status.summary.failed !== 0) throw new Error(`apply: ${JSON.stringify(first.status.summary)} ${JSON.stringify(first.status.failures.slice(0, 3))}`);
  report({ name: 'sms-import.apply.10k', value: first.ms / 1000, unit: 's' });
  report({ name: 'sms-import.apply.10k.rate', value: USERS / (first.ms / 1000), unit: 'rows/s' });

  const again = await applyAndWait(services, principal, warm.importId);
  if (again.status.summary.unchanged !== USERS) throw new Error(`second apply: ${JSON.stringify(again.status.summary)}`);
  report({ name: 'sms-import.reapply.10k', value: again.ms / 1000, unit: 's' });
}
