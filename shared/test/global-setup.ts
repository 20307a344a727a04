import { startAzurite } from '../src/store/azurite';

/** One in-memory Azurite for the whole jest run; test files isolate themselves by table prefix. */
export default async function globalSetup(): Promise<void> {
  const azurite = await startAzurite();
  process.env.SWITCHBOARD_TEST_STORAGE = azurite.connectionString;
  (globalThis as { __azurite?: typeof azurite }).__azurite = azurite;
}
