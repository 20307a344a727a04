import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';

/** The well-known development account every Azurite accepts; not a secret. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Folder for the data; omitted means in memory (gone when stopped). */
  location?: string;
  host?: string;
  /** Called with each line Azurite prints (start-up and errors; no access log), for the caller's log. */
  onOutput?: (line: string) => void;
}

export interface RunningAzurite {
  connectionString: string;
  tableEndpoint: string;
  queueEndpoint: string;
  stop(): Promise<void>;
}

type Service = 'table' | 'queue';

export function azuriteConnectionString(tableEndpoint: string, queueEndpoint: string): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `TableEndpoint=${tableEndpoint}`,
    `QueueEndpoint=${queueEndpoint}`,
  ].join(';') + ';';
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Runs one Azurite service as a child process. A child (rather than in-process)
 * keeps Azurite's CPU work off the server's event loop and uses the second core.
 * `require('azurite')` cannot be used: its entry point loads a VS Code module.
 */
async function startService(service: Service, options: AzuriteOptions): Promise<{ endpoint: string; child: ChildProcess }> {
  const host = options.host ?? '127.0.0.1';
  const script = require.resolve(`azurite/dist/src/${service}/main.js`);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort(host);
    // --silent: no access log line per request (writing it and reading it back through the
    // pipe cost both processes CPU on every storage call).
    const args = [script, `--${service}Host`, host, `--${service}Port`, String(port), '--disableTelemetry', '--skipApiVersionCheck', '--silent'];
    args.push(...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitUntilListening(child, options.onOutput);
      return { endpoint: `http://${host}:${port}/${AZURITE_ACCOUNT}`, child };
    } catch (error) {
      child.kill('SIGKILL');
      lastError = error as Error; // most likely the port was taken meanwhile: try another
    }
  }
  throw new Error(`Azurite ${service} service did not start: ${lastError?.message}`);
}

function waitUntilListening(child: ChildProcess, onOutput?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no answer within 30 s. Output: ${output.slice(-500)}`)), 30_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n').filter(Boolean)) onOutput?.(line);
      if (/successfully (started|listens)/i.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code}. Output: ${output.slice(-500)}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGINT'); // Azurite's table service saves its database on SIGINT only (SIGTERM kills it unsaved)
  });
}

/** Starts Azurite's table and queue services and returns a connection string for both. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  if (options.location) mkdirSync(options.location, { recursive: true });
  const [table, queue] = await Promise.all([startService('table', options), startService('queue', options)]);
  const children = [table.child, queue.child];
  // Never leave Azurite behind if this process ends without calling stop().
  const killAll = () => children.forEach((child) => child.kill('SIGINT'));
  process.once('exit', killAll);
  return {
    tableEndpoint: table.endpoint,
    queueEndpoint: queue.endpoint,
    connectionString: azuriteConnectionString(table.endpoint, queue.endpoint),
    async stop() {
      process.removeListener('exit', killAll);
      await Promise.all(children.map(stopChild));
    },
  };
}
