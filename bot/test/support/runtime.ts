import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startRuntime, type Runtime } from '../../src/runtime';
import { testConnectionString, uniqueTablePrefix } from '../../../shared/test/storage';

export const silentLogger = () => pino({ level: 'silent' });

/**
 * A real server on 127.0.0.1, port 0, on the run's Azurite in tables of its own.
 * `env` is merged over a test baseline (dev sign-in unless told otherwise).
 */
export async function startTestRuntime(env: Record<string, string | undefined> = {}): Promise<Runtime> {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', STORAGE_CONNECTION_STRING: testConnectionString(), AUTH_MODE: 'dev', DIRECTORY_SYNC_SCHEDULE: 'off', CREDENTIALS_KEYS: `test:${randomBytes(32).toString('base64')}`, ...env });
  return startRuntime(config, { tablePrefix: uniqueTablePrefix(), logger: silentLogger() });
}

/** Stops every runtime passed, ignoring ones that never started. */
export async function stopAll(...runtimes: Array<Runtime | undefined>): Promise<void> {
  await Promise.all(runtimes.map((runtime) => runtime?.stop()));
}

/** The run's Azurite connection string with its table endpoint swapped (for the fault proxy). */
export function connectionStringVia(tableEndpoint: string): string {
  return testConnectionString().replace(/TableEndpoint=[^;]+/, `TableEndpoint=${tableEndpoint}`);
}

/** The table endpoint of the run's Azurite. */
export function testTableEndpoint(): string {
  return /TableEndpoint=([^;]+)/.exec(testConnectionString())![1]!;
}
