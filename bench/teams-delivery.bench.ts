import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { newDirectoryUser, newNumberEntry, type PhoneNumberEntry, type RunningAzurite, type SimulatorEvent } from '@switchboard/shared';
import { BotConnector, signSimulatorWebhook } from '@switchboard/shared/simulators';
import { loadConfig } from '@switchboard/bot/dist/config';
import { startRuntime, type Runtime } from '@switchboard/bot/dist/runtime';
import { Pool } from 'undici';
import { report } from './report';

/**
 * Inbound SMS to the proactive Teams message: signed simulator webhooks posted open-loop
 * at 50 messages/s for 10 s, spread over 24 users of the two demo enterprises who
 * installed the app, through the real server (routing, delivery records, pacing) to a
 * loopback Bot Connector. Latency = webhook sent → the card's POST arriving at the
 * connector. Target: p95 <= 150 ms, and no per-conversation limit breached (counted by
 * the connector). (Two tenants: Teams allows an app 50 requests/s per tenant, so one
 * tenant alone at 50 messages/s would be at its ceiling.)
 */
const TENANTS = { contoso: '11111111-1111-4111-8111-111111111111', fabrikam: '22222222-2222-4222-8222-222222222222' } as const; // the dev seed's enterprises
const ENTERPRISES = Object.keys(TENANTS) as Array<keyof typeof TENANTS>;
const RATE = Number(process.env.BENCH_TEAMS_RATE ?? 50);
const SECONDS = 10;
const USERS = 24;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function openLoop(count: number, perSecond: number, task: (index: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / perSecond - performance.now();
    if (wait > 1) await sleep(wait);
    running.push(task(i));
  }
  await Promise.all(running);
}

export async function teamsDeliveryBench(azurite: RunningAzurite): Promise<void> {
  const connector = await BotConnector.start();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_MODE: 'dev',
    STORAGE_CONNECTION_STRING: azurite.connectionString,
    STORAGE_TABLE_PREFIX: `t${Date.now().toString(36)}`,
    DIRECTORY_SYNC_SCHEDULE: 'off',
    CREDENTIALS_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    OUTBOUND_WORKER: 'off',
    TEAMS_SERVICE_URL: connector.url,
    LOG_LEVEL: 'silent',
  });
  let runtime: Runtime | undefined;
  try {
    runtime = await startRuntime(config, { logger: pino({ level: 'silent' }) });
    const { services, url } = runtime;
    const server = new Pool(url, { connections: 64 });
    const at = new Date().toISOString();
    const credentials = { apiKey: `bench-${randomUUID()}`, signingSecret: randomBytes(16).toString('hex') };
    const webhooks = new Map<string, string>();
    for (const enterpriseId of ENTERPRISES) {
      const admin = { userId: 'bench-admin', name: 'Bench Admin', tenantId: TENANTS[enterpriseId], role: 'global-admin' as const, enterpriseId };
      const connection = await services.carrierConnections.create(admin, enterpriseId, { type: 'simulator', name: 'Simulator', credentials });
      webhooks.set(enterpriseId, services.carrierConnections.webhookUrl('simulator', connection.id));
    }
    const users = Array.from({ length: USERS }, (_, i) => {
      const enterpriseId = ENTERPRISES[i % ENTERPRISES.length]!;
      return { enterpriseId, tenantId: TENANTS[enterpriseId], id: randomUUID(), name: `Bench User ${i}`, number: `+1425556${String(1000 + i).padStart(4, '0')}` as PhoneNumberEntry['number'], teamsId: `29:${randomUUID()}`, conversationId: `a:${randomUUID().replace(/-/g, '')}` };
    });
    for (const enterpriseId of ENTERPRISES) {
      const mine = users.filter((u) => u.enterpriseId === enterpriseId);
      const connectionId = new URL(webhooks.get(enterpriseId)!).pathname.split('/').pop()!;
      await services.userRepository.createMany(mine.map((u) => newDirectoryUser({ enterpriseId, id: u.id, userPrincipalName: `${u.id}@bench.example`, displayName: u.name, mail: null, accountEnabled: true, userType: 'Member', teamsLicensed: true, teamsPhoneLicensed: false }, at)));
      await services.numberRepository.createMany(mine.map((u) => ({ ...newNumberEntry(enterpriseId, u.number, at, { carrierConnectionId: connectionId }), holder: { type: 'user' as const, id: u.id, name: u.name } })));
      services.numberCache.invalidate(enterpriseId);
    }
    // Each user installs the app: Teams' conversationUpdate over /api/messages.
    for (const u of users) {
      const answer = await server.request({
        method: 'POST',
        path: '/api/messages',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'conversationUpdate',
          id: randomUUID(),
          channelId: 'msteams',
          serviceUrl: connector.url,
          from: { id: u.teamsId, name: u.name, aadObjectId: u.id },
          recipient: { id: '28:bench-bot', name: 'Switchboard' },
          conversation: { id: u.conversationId, conversationType: 'personal', tenantId: u.tenantId },
          channelData: { tenant: { id: u.tenantId } },
          membersAdded: [{ id: u.teamsId }, { id: '28:bench-bot' }],
        }),
      });
      await answer.body.arrayBuffer();
      if (answer.statusCode !== 200) throw new Error(`install answered ${answer.statusCode}`);
    }
    await runtime.teamsChat.delivery.settleAll();
    connector.reset();

    const count = RATE * SECONDS;
    const sentAt = new Map<number, number>();
    await openLoop(count, RATE, async (i) => {
      const user = users[i % USERS]!;
      const event: SimulatorEvent = { id: `evt_${i}`, type: 'message.received', occurred_at: new Date().toISOString(), data: { id: `sim_teams_${i}_${randomUUID()}`, from: `+1206555${String(i % 10_000).padStart(4, '0')}`, to: user.number, text: `Bench message ${i}` } };
      const webhook = webhooks.get(user.enterpriseId)!;
      const request = signSimulatorWebhook(webhook, event, credentials.signingSecret);
      sentAt.set(i, Date.now());
      const answer = await server.request({ method: 'POST', path: new URL(webhook).pathname, headers: request.headers as Record<string, string>, body: request.rawBody });
      await answer.body.arrayBuffer();
      if (answer.statusCode !== 200) throw new Error(`webhook ${i} answered ${answer.statusCode}`);
    });
    await connector.waitFor(() => connector.sent.length >= count, 120_000).catch(() => undefined);
    await services.inboundSms.settleAll();
    await runtime.teamsChat.delivery.settleAll();
    await server.close();

    const latencies: number[] = [];
    const seen = new Set<number>();
    let duplicates = 0;
    for (const activity of connector.sent) {
      const match = /Bench message (\d+)$/.exec(String(activity.body.summary ?? ''));
      if (!match) continue;
      const index = Number(match[1]);
      if (seen.has(index)) duplicates++;
      seen.add(index);
      latencies.push(activity.at - sentAt.get(index)!);
    }
    if (seen.size < count) throw new Error(`only ${seen.size} of ${count} messages reached Teams`);
    // From the routing decision (stamped on the message) to the connector: this part is Teams delivery's own.
    const fromRouted: number[] = [];
    for (const enterpriseId of ENTERPRISES) {
      for await (const { value: message } of services.messages.listAll(enterpriseId)) {
        const routedAt = message.statusHistory.find((change) => change.status === 'routed')?.at;
        const index = Number(/Bench message (\d+)$/.exec(message.body)?.[1]);
        const posted = connector.sent.find((activity) => String(activity.body.summary ?? '').endsWith(`Bench message ${index}`));
        if (routedAt && posted) fromRouted.push(posted.at - Date.parse(routedAt));
      }
    }
    const sorted = latencies.sort((a, b) => a - b);
    const routedSorted = fromRouted.sort((a, b) => a - b);
    report({ name: 'teams-delivery.rate', value: RATE, unit: 'messages/s' });
    report({ name: 'teams-delivery.inbound-to-teams.p50', value: percentile(sorted, 50), unit: 'ms' });
    report({ name: 'teams-delivery.inbound-to-teams.p95', value: percentile(sorted, 95), unit: 'ms' });
    report({ name: 'teams-delivery.inbound-to-teams.max', value: sorted[sorted.length - 1] ?? NaN, unit: 'ms' });
    report({ name: 'teams-delivery.routed-to-teams.p50', value: percentile(routedSorted, 50), unit: 'ms' });
    report({ name: 'teams-delivery.routed-to-teams.p95', value: percentile(routedSorted, 95), unit: 'ms' });
    report({ name: 'teams-delivery.duplicates', value: duplicates, unit: 'messages' });
    report({ name: 'teams-delivery.limit-breaches', value: connector.breaches.length, unit: 'requests' });
    report({ name: 'teams-delivery.refused', value: connector.refused.length, unit: 'requests' });
  } finally {
    await runtime?.stop();
    await connector.close();
  }
}
