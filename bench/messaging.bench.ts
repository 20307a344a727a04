import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { newNumberEntry, type PhoneNumberEntry, type RunningAzurite, type SimulatorEvent } from '@switchboard/shared';
import { signSimulatorWebhook, startCarrierSimulator } from '@switchboard/shared/simulators';
import { loadConfig } from '@switchboard/bot/dist/config';
import { startRuntime, type Runtime } from '@switchboard/bot/dist/runtime';
import { Pool } from 'undici';
import { report } from './report';

/**
 * The messaging engine through the real server (restify, webhooks, API, queue worker)
 * on Azurite, with the simulator carrier:
 * - inbound: signed simulator webhooks posted open-loop at a fixed rate; each answer's
 *   latency is the acknowledgement time (stored durably before it). Target: >= 300/s
 *   sustained, p95 <= 50 ms.
 * - outbound: sends through POST .../messages from 200 numbers at a fixed rate; the
 *   time from the request to the carrier receiving the call. Target: >= 200/s, p95 <= 250 ms.
 */
/** The dev mode's demo enterprise: the dev sign-in's users belong to it. */
const ENTERPRISE = 'contoso';
const SENDER_ID = 'cccccccc-0000-4000-8000-000000000003'; // the dev sign-in's "contoso-user"
const INBOUND_RATE = Number(process.env.BENCH_INBOUND_RATE ?? 300);
const INBOUND_SECONDS = 10;
const OUTBOUND_RATE = 200;
const OUTBOUND_SECONDS = 10;
const SENDING_NUMBERS = 200;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function summarise(name: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  report({ name: `${name}.p50`, value: percentile(sorted, 50), unit: 'ms' });
  report({ name: `${name}.p95`, value: percentile(sorted, 95), unit: 'ms' });
  report({ name: `${name}.max`, value: sorted[sorted.length - 1] ?? NaN, unit: 'ms' });
}

/** Starts `count` tasks at `perSecond`, not waiting for one to finish before the next (open loop). */
async function openLoop(count: number, perSecond: number, task: (index: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    running.push(task(i));
  }
  await Promise.all(running);
  return (performance.now() - started) / 1000;
}

export async function messagingBench(azurite: RunningAzurite): Promise<void> {
  const simulator = await startCarrierSimulator({ stepDelayMs: 0, webhookAttempts: 3 });
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_MODE: 'dev',
    STORAGE_CONNECTION_STRING: azurite.connectionString,
    STORAGE_TABLE_PREFIX: `m${Date.now().toString(36)}`,
    DIRECTORY_SYNC_SCHEDULE: 'off',
    CREDENTIALS_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    SIMULATOR_CARRIER_URL: simulator.baseUrl,
    LOG_LEVEL: 'silent',
  });
  let runtime: Runtime | undefined;
  try {
    runtime = await startRuntime(config, { logger: pino({ level: 'silent' }) });
    const { services, url } = runtime;
    const at = new Date().toISOString();
    const credentials = { apiKey: `bench-${randomUUID()}`, signingSecret: randomBytes(16).toString('hex') };
    simulator.addAccount(credentials);
    const admin = { userId: 'bench-admin', name: 'Bench Admin', tenantId: 'bench', role: 'global-admin' as const, enterpriseId: ENTERPRISE };
    const connection = await services.carrierConnections.create(admin, ENTERPRISE, { type: 'simulator', name: 'Simulator', credentials });
    const numberOf = (i: number) => `+1425555${String(1000 + i).padStart(4, '0')}` as PhoneNumberEntry['number'];
    // Inbound goes to one user's number; outbound from 200 numbers paced at 10 segments/s (not rate-limited here).
    await services.numberRepository.createMany(
      Array.from({ length: SENDING_NUMBERS }, (_, i) => ({
        ...newNumberEntry(ENTERPRISE, numberOf(i), at, { carrierConnectionId: connection.id }),
        holder: { type: 'user' as const, id: SENDER_ID, name: 'Uma User' },
        segmentsPerSecond: 10,
      })),
    );

    // ---------------------------------------------------------------- inbound
    const webhook = services.carrierConnections.webhookUrl('simulator', connection.id);
    const webhookPath = new URL(webhook).pathname;
    // Like a carrier: a pool of kept-alive connections, not a new socket per message.
    const client = new Pool(url, { connections: 64 });
    const inboundCount = INBOUND_RATE * INBOUND_SECONDS;
    const ackTimes: number[] = [];
    let refused = 0;
    const inboundSeconds = await openLoop(inboundCount, INBOUND_RATE, async (i) => {
      const event: SimulatorEvent = {
        id: `evt_${i}`,
        type: 'message.received',
        occurred_at: new Date().toISOString(),
        data: { id: `sim_in_${i}_${randomUUID()}`, from: `+1206555${String(i % 10_000).padStart(4, '0')}`, to: numberOf(i % SENDING_NUMBERS), text: `Inbound message ${i}` },
      };
      const request = signSimulatorWebhook(webhook, event, credentials.signingSecret);
      const started = performance.now();
      const answer = await client.request({ method: 'POST', path: webhookPath, headers: request.headers as Record<string, string>, body: request.rawBody });
      await answer.body.arrayBuffer();
      ackTimes.push(performance.now() - started);
      if (answer.statusCode !== 200) refused++;
    });
    if (refused > 0) throw new Error(`${refused} inbound webhooks were not acknowledged`);
    report({ name: 'messaging.inbound.rate', value: inboundCount / inboundSeconds, unit: 'messages/s' });
    summarise('messaging.inbound.ack', ackTimes);
    const routeStart = performance.now();
    await services.inboundSms.settleAll();
    report({ name: 'messaging.inbound.routing-backlog-drain', value: performance.now() - routeStart, unit: 'ms' });

    // ---------------------------------------------------------------- outbound
    const token = await signIn(url);

    const outboundCount = OUTBOUND_RATE * OUTBOUND_SECONDS;
    const requestedAt = new Map<string, number>();
    const wallStart = Date.now();
    const acceptTimes: number[] = [];
    await openLoop(outboundCount, OUTBOUND_RATE, async (i) => {
      const startedWall = Date.now();
      const started = performance.now();
      const answer = await client.request({
        method: 'POST',
        path: `/api/admin/enterprises/${ENTERPRISE}/messages`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ from: numberOf(i % SENDING_NUMBERS), to: `+1206555${String(i % 10_000).padStart(4, '0')}`, body: `Outbound message ${i}` }),
      });
      const body = (await answer.body.json()) as { id?: string };
      acceptTimes.push(performance.now() - started);
      if (answer.statusCode !== 202 || !body.id) throw new Error(`send ${i} answered ${answer.statusCode}: ${JSON.stringify(body)}`);
      requestedAt.set(body.id, startedWall);
    });
    const deadline = Date.now() + 120_000;
    const carrierCalls = () => simulator.messages.filter((m) => m.direction === 'outbound' && m.client_reference && requestedAt.has(m.client_reference));
    while (carrierCalls().length < outboundCount && Date.now() < deadline) await sleep(50);
    const calls = carrierCalls();
    if (calls.length < outboundCount) throw new Error(`only ${calls.length} of ${outboundCount} sends reached the carrier`);
    const duplicates = calls.length - new Set(calls.map((m) => m.client_reference)).size;
    const lastCall = Math.max(...calls.map((m) => Date.parse(m.created_at)));
    report({ name: 'messaging.outbound.rate', value: outboundCount / ((lastCall - wallStart) / 1000), unit: 'messages/s' });
    summarise('messaging.outbound.accept', acceptTimes);
    summarise(
      'messaging.outbound.request-to-carrier',
      calls.map((m) => Date.parse(m.created_at) - requestedAt.get(m.client_reference!)!),
    );
    report({ name: 'messaging.outbound.duplicates', value: duplicates, unit: 'messages' });
    await client.close();
  } finally {
    await runtime?.stop();
    await simulator.stop();
  }
}

async function signIn(url: string): Promise<string> {
  const answer = await fetch(`${url}/api/auth/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'contoso-user' }) });
  const body = (await answer.json()) as { token?: string };
  if (!body.token) throw new Error(`dev sign-in answered ${answer.status}`);
  return body.token;
}
