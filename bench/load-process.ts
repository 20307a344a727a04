import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * The benchmarks' other side in a child process (bench/messaging-load.ts: the load
 * generator, carrier simulator, Bot Framework connector stand-in, counting proxy), so
 * the server's event loop is the server's alone, as in production. Called over IPC.
 */
export class LoadProcess {
  private readonly child: ChildProcess;
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor() {
    this.child = fork(join(__dirname, 'messaging-load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(`load generator: ${message.error}`));
      else waiter?.resolve(message.result);
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`the load generator exited (${code})`));
      this.waiting.clear();
    });
  }

  call<T>(command: string, input: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command, input });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await Promise.race([this.call('stop').catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (this.child.exitCode === null) this.child.kill();
  }
}

