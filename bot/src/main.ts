import { ConfigError, loadConfig } from './config';
import { startRuntime, type Runtime } from './runtime';
import { describePlaygroundUser, startPlayground, type Playground } from './dev/playground';

/** Entry point: validate configuration, start, and shut down gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    // `npm start -- --playground` is PLAYGROUND=on.
    config = loadConfig(process.argv.includes('--playground') ? { ...process.env, PLAYGROUND: 'on' } : process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const runtime: Runtime = await startRuntime(config, { devCarrier: true });
  let playground: Playground | undefined;
  if (config.playground) {
    const { port, dataDir } = config.playground;
    playground = await startPlayground({ botUrl: runtime.url, port, dataDir, services: runtime.services, graphSimulator: runtime.graphSimulator, logger: runtime.logger }).catch((error: unknown) => {
      process.stderr.write(`The Agents Playground could not start: ${error instanceof Error ? error.message : String(error)}\n`);
      return undefined;
    });
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    Promise.resolve(playground?.stop())
      .then(() => runtime.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          runtime.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (config.auth.mode === 'dev') {
    process.stdout.write(`\nSwitchboard is running at ${runtime.url} (dev sign-in).\n`);
    if (runtime.devCarrier) process.stdout.write(`Customer phone: ${runtime.url}/dev/phone\n`);
    if (playground) {
      process.stdout.write(`Agents Playground (chat with the bot): ${playground.url}\n`);
      void playground.user.then((user) => process.stdout.write(`Agents Playground user: ${describePlaygroundUser(user)}\n`));
    }
    process.stdout.write('\n');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Switchboard could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
