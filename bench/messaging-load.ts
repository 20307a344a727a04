import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { SimulatorEvent } from '@switchboard/shared';
import { BotConnector, signSimulatorWebhook, startCarrierSimulator, type CarrierSimulator } from '@switchboard/shared/simulators';

/**
 * The messaging benchmark's other side, in a child process of its own so that it does
 * not share the server's event loop: the carrier simulator (what the workers call and
 * what posts status callbacks), the Bot Framework connector stand-in (where routed
 * messages are delivered to Teams), the load generator (inbound webhooks and API sends,
 * open loop, over kept-alive connections) and, for the counting run, a proxy in front
 * of Azurite that counts the storage requests. Driven by the parent over IPC.
 */

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Like a carrier or a busy client: a pool of kept-alive connections, not a socket per request. */
let agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A fresh pool for each phase: sockets left idle since the last one may be closing on the server's side. */
function freshAgent(): void {
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: 64 });
}

interface Answer {
  status: number;
  body: string;
}

function post(url: string, path: string, headers: Record<string, string>, body: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const req = httpRequest({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts `count` tasks at `perSecond`, not waiting for one to finish before the next (open loop). */
async function openLoop(count: number, perSecond: number, task: (index: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  const running: Promise<void>[] = [];
  // Caught at once: a task failing while later ones are still being started is counted, not an unhandled rejection.
  const failures: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    running.push(task(i).catch((error: unknown) => void failures.push(error)));
  }
  await Promise.all(running);
  if (failures.length > 0) throw new Error(`${failures.length} of ${count} requests failed; the first: ${failures[0] instanceof Error ? failures[0].message : String(failures[0])}`);
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------- counting proxy

/** Storage requests seen by the proxy: by service, and the entity operations inside table batches. */
interface Counts {
  table: number;
  tableBatches: number;
  tableBatchOperations: number;
  queue: number;
}

const counts: Counts = { table: 0, tableBatches: 0, tableBatchOperations: 0, queue: 0 };
const proxies: Server[] = [];
/** Requests per table (batches apart), for finding where the requests go. */
const byTable = new Map<string, number>();

/** What a single table request does: a point read and a query cost Azurite very differently (a query scans the table). */
function requestKind(method: string, url: string): string {
  if (method === 'GET') return /\(PartitionKey=/.test(url) ? 'read' : 'query';
  if (method === 'POST') return 'insert';
  if (method === 'DELETE') return 'delete';
  return 'update';
}

/** What a queue request does: put, receive, delete or hide an item (or something else, such as creating the queue). */
function queueKind(method: string, url: string): string {
  if (!/\/messages(\/|\?|$)/.test(url)) return 'queue other';
  return `queue ${{ POST: 'put', GET: 'receive', DELETE: 'delete', PUT: 'hide' }[method] ?? method}`;
}

function startProxy(target: string, service: 'table' | 'queue'): Promise<string> {
  const upstream = new URL(target);
  const upstreamAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      counts[service]++;
      let table = service === 'queue' ? queueKind(req.method ?? '', req.url ?? '') : `${/^\/[^/]+\/([A-Za-z0-9]+)/.exec(req.url ?? '')?.[1] ?? '?'} ${requestKind(req.method ?? '', req.url ?? '')}`;
      if (service === 'table' && /\/\$batch$/.test(req.url ?? '')) {
        const text = body.toString('latin1');
        counts.tableBatches++;
        counts.tableBatchOperations += (text.match(/^(POST|PUT|MERGE|PATCH|DELETE|GET) http/gm) ?? []).length;
        table = `${/^(?:POST|PUT|MERGE|PATCH|DELETE|GET) http:\/\/[^/]+\/[^/]+\/([A-Za-z0-9]+)/m.exec(text)?.[1] ?? '?'} (batch)`;
      }
      byTable.set(table, (byTable.get(table) ?? 0) + 1);
      const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
      const forward = httpRequest({ agent: upstreamAgent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  proxies.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}${upstream.pathname}`)));
}

// ---------------------------------------------------------------- commands

let simulator: CarrierSimulator | undefined;
let connector: BotConnector | undefined;

const commands: Record<string, (input: Record<string, unknown>) => Promise<unknown>> = {
  async start() {
    simulator = await startCarrierSimulator({ stepDelayMs: 0, webhookAttempts: 3 });
    connector = await BotConnector.start();
    return { baseUrl: simulator.baseUrl, connectorUrl: connector.url };
  },
  async addAccount(input) {
    simulator!.addAccount(input.credentials as { apiKey: string; signingSecret: string });
    return {};
  },
  async proxy(input) {
    return { tableEndpoint: await startProxy(String(input.tableEndpoint), 'table'), queueEndpoint: await startProxy(String(input.queueEndpoint), 'queue') };
  },
  async counts() {
    const now = { ...counts, byTable: Object.fromEntries([...byTable].sort((a, b) => b[1] - a[1])) };
    Object.assign(counts, { table: 0, tableBatches: 0, tableBatchOperations: 0, queue: 0 });
    byTable.clear();
    return now;
  },
  /** Signed inbound webhooks at a fixed rate; each answer's latency is the acknowledgement time. */
  async inbound(input) {
    const { url, webhook, signingSecret, count, rate, numbers, tag } = input as { url: string; webhook: string; signingSecret: string; count: number; rate: number; numbers: string[]; tag: string };
    const path = new URL(webhook).pathname;
    freshAgent();
    const ackTimes: number[] = [];
    let refused = 0;
    const seconds = await openLoop(count, rate, async (i) => {
      const event: SimulatorEvent = {
        id: `evt_${tag}_${i}`,
        type: 'message.received',
        occurred_at: new Date().toISOString(),
        data: { id: `sim_in_${tag}_${i}_${randomUUID()}`, from: `+1206555${String(i % 10_000).padStart(4, '0')}`, to: numbers[i % numbers.length]!, text: `Inbound message ${i}` },
      };
      const signed = signSimulatorWebhook(webhook, event, signingSecret);
      const started = performance.now();
      const answer = await post(url, path, signed.headers as Record<string, string>, signed.rawBody);
      ackTimes.push(performance.now() - started);
      if (answer.status !== 200) refused++;
    });
    return { ackTimes, seconds, refused };
  },
  /** Sends through the API at a fixed rate; then waits until the carrier has every one (or `waitMs` ran out). */
  async outbound(input) {
    const { url, token, enterpriseId, count, rate, numbers, waitMs } = input as { url: string; token: string; enterpriseId: string; count: number; rate: number; numbers: string[]; waitMs: number };
    freshAgent();
    const requestedAt = new Map<string, number>();
    const acceptTimes: number[] = [];
    const failures: string[] = [];
    const wallStart = Date.now();
    await openLoop(count, rate, async (i) => {
      const startedWall = Date.now();
      const started = performance.now();
      const answer = await post(
        url,
        `/api/admin/enterprises/${enterpriseId}/messages`,
        { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        JSON.stringify({ from: numbers[i % numbers.length], to: `+1206555${String(i % 10_000).padStart(4, '0')}`, body: `Outbound message ${i}` }),
      );
      acceptTimes.push(performance.now() - started);
      const id = answer.status === 202 ? (JSON.parse(answer.body) as { id?: string }).id : undefined;
      if (!id) failures.push(`send ${i} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      else requestedAt.set(id, startedWall);
    });
    const calls = () => simulator!.messages.filter((m) => m.direction === 'outbound' && m.client_reference && requestedAt.has(m.client_reference));
    const deadline = Date.now() + waitMs;
    while (calls().length < requestedAt.size && Date.now() < deadline) await sleep(50);
    const made = calls();
    return {
      wallStart,
      acceptTimes,
      failures,
      accepted: requestedAt.size,
      calls: made.map((m) => ({ id: m.client_reference!, latency: Date.parse(m.created_at) - requestedAt.get(m.client_reference!)!, at: Date.parse(m.created_at) })),
    };
  },
  /**
   * Signed inbound webhooks at a fixed rate, each to its own target (the Teams benchmark's
   * users of two enterprises); answers when every one was answered, with when each was sent.
   */
  async teamsInbound(input) {
    const { url, targets, signingSecret, count, rate, label } = input as { url: string; targets: Array<{ webhook: string; number: string }>; signingSecret: string; count: number; rate: number; label: string };
    freshAgent();
    connector!.reset();
    const sentAt: number[] = [];
    const failures: string[] = [];
    await openLoop(count, rate, async (i) => {
      const target = targets[i % targets.length]!;
      const event: SimulatorEvent = { id: `evt_${i}`, type: 'message.received', occurred_at: new Date().toISOString(), data: { id: `sim_teams_${i}_${randomUUID()}`, from: `+1206555${String(i % 10_000).padStart(4, '0')}`, to: target.number, text: `${label} message ${i}` } };
      const signed = signSimulatorWebhook(target.webhook, event, signingSecret);
      sentAt[i] = Date.now();
      const answer = await post(url, new URL(target.webhook).pathname, signed.headers as Record<string, string>, signed.rawBody);
      if (answer.status !== 200) failures.push(`webhook ${i} answered ${answer.status}`);
    });
    return { sentAt, failures };
  },
  /** What reached the connector since the last `teamsInbound` (cards of its `label`): each card's message index and arrival, and the limits it counted. */
  async teamsPosted(input) {
    const { count, waitMs, label } = input as { count: number; waitMs: number; label: string };
    const pattern = new RegExp(`${label} message (\\d+)$`);
    const posted = () => connector!.sent.flatMap((activity) => {
      const match = pattern.exec(String(activity.body.summary ?? ''));
      return match ? [{ index: Number(match[1]), at: activity.at }] : [];
    });
    const deadline = Date.now() + waitMs;
    while (posted().length < count && Date.now() < deadline) await sleep(50);
    return { posted: posted(), breaches: connector!.breaches.length, refused: connector!.refused.length };
  },
  /** Resolves when the simulator has no status callback left to post. */
  async settled() {
    await simulator!.settled();
    return {};
  },
  async stop() {
    await simulator?.stop();
    await connector?.close();
    for (const proxy of proxies) proxy.close();
    agent.destroy();
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on('message', (message: { id: number; command: string; input: Record<string, unknown> }) => {
  const run = commands[message.command];
  if (!run) {
    process.send!({ id: message.id, error: `unknown command ${message.command}` });
    return;
  }
  run(message.input ?? {}).then(
    (result) => process.send!({ id: message.id, result }),
    (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? error.stack : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
