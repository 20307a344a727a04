import { startAzurite, type RunningAzurite } from '@switchboard/shared';
import { directorySyncBench } from './directory-sync.bench';
import { messagingBench } from './messaging.bench';
import { smsAssignBench } from './sms-assign.bench';
import { smsImportBench } from './sms-import.bench';
import { storageLayerBench } from './storage-layer.bench';
import { usersQueryBench } from './users-query.bench';
import { teamsDeliveryBench } from './teams-delivery.bench';
import { usersPageBench } from './users-page.bench';

/**
 * `npm run bench`: every benchmark, each printing one JSON line per figure
 * ({"name","value","unit"}). Storage benchmarks run on a fresh in-memory Azurite.
 */
const BENCHES: Record<string, (azurite: RunningAzurite) => Promise<void>> = {
  'storage-layer': storageLayerBench,
  'directory-sync': directorySyncBench,
  'users-query': usersQueryBench,
  'sms-import': smsImportBench,
  'sms-assign': smsAssignBench,
  messaging: messagingBench,
  'teams-delivery': teamsDeliveryBench,
  'users-page': usersPageBench,
};

/** `npm run bench` runs them all; `npm run bench -- messaging sms-assign` only those. */
async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) throw new Error(`Unknown benchmark ${unknown.join(', ')}: choose from ${Object.keys(BENCHES).join(', ')}.`);
  const azurite = await startAzurite();
  try {
    for (const [name, bench] of Object.entries(BENCHES)) if (asked.length === 0 || asked.includes(name)) await bench(azurite);
  } finally {
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
