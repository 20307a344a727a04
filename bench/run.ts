import { startAzurite } from '@switchboard/shared';
import { directorySyncBench } from './directory-sync.bench';
import { smsAssignBench } from './sms-assign.bench';
import { smsImportBench } from './sms-import.bench';
import { storageLayerBench } from './storage-layer.bench';
import { usersQueryBench } from './users-query.bench';

/**
 * `npm run bench`: every benchmark, each printing one JSON line per figure
 * ({"name","value","unit"}). Storage benchmarks run on a fresh in-memory Azurite.
 */
async function main(): Promise<void> {
  const azurite = await startAzurite();
  try {
    await storageLayerBench(azurite);
    await directorySyncBench(azurite);
    await usersQueryBench(azurite);
    await smsImportBench(azurite);
    await smsAssignBench(azurite);
  } finally {
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
