import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built server, as `npm start` runs it. */
export const MAIN = resolve(__dirname, '../../dist/main.js');
const SHARED_MAIN = resolve(__dirname, '../../../shared/dist/index.js');

export function requireBuiltServer(): void {
  for (const file of [MAIN, SHARED_MAIN]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (or \`npm run typecheck\`, as \`npm test\` does) before these tests.`);
  }
}

/** A child process running `node bot/dist/main.js`, with its output collected. */
export class ServerProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  }

  /** Starts the server with exactly `env` (plus PATH), nothing inherited from the test run. */
  static start(env: Record<string, string>): ServerProcess {
    requireBuiltServer();
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, cwd: resolve(__dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    return new ServerProcess(child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the URL the server prints in dev mode; rejects if it exits first or takes too long. */
  async url(timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = /Switchboard is running at (http:\/\/\S+?) /.exec(this.stdout);
      if (found) return found[1]!;
      if (!this.running) throw new Error(`The server exited before it was ready.\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`The server printed no URL within ${timeoutMs} ms.\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits for the exit, at most `timeoutMs`; undefined when the process is still running. */
  async exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs)));
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last resort in clean-up: our own child, by its pid. */
  async kill(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** Processes whose command line contains `text`, as `ps -eo pid,args` shows them (this process excluded). */
export function processesMentioning(text: string): Array<{ pid: number; args: string }> {
  const listing = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return listing
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), args: m[2]! }))
    .filter((p) => p.args.includes(text) && p.pid !== process.pid && !p.args.startsWith('ps '));
}
