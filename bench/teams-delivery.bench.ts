import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { newDirectoryUser, newNumberEntry, type PhoneNumberEntry, type RunningAzurite } from '@switchboard/shared';
import { loadConfig } from '@switchboard/bot/dist/config';
import { startRuntime, type Runtime } from '@switchboard/bot/dist/runtime';
import { Pool } from 'undici';
import { LoadProcess } from './load-process';
import { report } from './report';

/**
 * Inbound SMS to the proactive Teams message: signed simulator webhooks posted open-loop
 * at 50 messages/s for 10 s, spread over 24 users of the two demo enterprises who
 * installed the app, through the real server (routing, delivery records, pacing) to a
 * loopback Bot Connector, after a 3 s warm-up at the same rate (its p95 reported apart). The load generator and the connector run in a child process
 * (bench/messaging-load.ts), as the carrier and Teams are outside the server's process
 * in production. Latency = webhook sent → the card's POST arriving at the
 * connector. Target: p95 <= 150 ms, and no per-conversation limit breached (counted by
 * the connector). (Two tenants: Teams allows an app 50 requests/s per tenant, so one
 * tenant alone at 50 messages/s would be at its ceiling.)
 */
const TENANTS = { contoso: '11111111-1111-4111-8111-111111111111', fabrikam: '22222222-2222-4222-8222-222222222222' } as const; // the dev seed's enterprises
const ENTERPRISES = Object.keys(TENANTS) as Array<keyof typeof TENANTS>;
const RATE = Number(process.env.BENCH_TEAMS_RATE ?? 50);
const SECONDS = 10;
const WARMUP_SECONDS = 3;
const USERS = 24;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

export async function teamsDeliveryBench(azurite: RunningAzurite): Promise<void> {
  const load = new LoadProcess();
  const connector = { url: (await load.call<{ connectorUrl: string }>('start')).connectorUrl };
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

    const targets = users.map((u) => ({ webhook: webhooks.get(u.enterpriseId)!, number: u.number }));
    type Sent = { sentAt: number[]; failures: string[] };
    type Posted = { posted: Array<{ index: number; at: number }>; breaches: number; refused: number };
    const burst = async (label: string, count: number): Promise<{ sent: Sent; outcome: Posted }> => {
      const sent = await load.call<Sent>('teamsInbound', { url, targets, signingSecret: credentials.signingSecret, count, rate: RATE, label });
      if (sent.failures.length > 0) throw new Error(sent.failures.slice(0, 5).join('; '));
      return { sent, outcome: await load.call<Posted>('teamsPosted', { count, waitMs: 120_000, label }) };
    };
    // A warm-up at the same rate first (connections, caches, compiled code), reported apart.
    const warm = await burst('Warmup', RATE * WARMUP_SECONDS);
    const warmLatencies = warm.outcome.posted.map(({ index, at }) => at - warm.sent.sentAt[index]!).sort((a, b) => a - b);
    report({ name: 'teams-delivery.warm-up.inbound-to-teams.p95', value: percentile(warmLatencies, 95), unit: 'ms' });
    await services.inboundSms.settleAll();
    await runtime.teamsChat.delivery.settleAll();

    const count = RATE * SECONDS;
    const { sent, outcome } = await burst('Bench', count);
    await services.inboundSms.settleAll();
    await runtime.teamsChat.delivery.settleAll();
    await server.close();

    const latencies: number[] = [];
    const postedAt = new Map<number, number>();
    let duplicates = 0;
    for (const { index, at } of outcome.posted) {
      if (postedAt.has(index)) duplicates++;
      else postedAt.set(index, at);
      latencies.push(at - sent.sentAt[index]!);
    }
    if (postedAt.size < count) throw new Error(`only ${postedAt.size} of ${count} messages reached Teams`);
    // From the routing decision (stamped on the message) to the connector: this part is Teams delivery's own.
    const fromRouted: number[] = [];
    for (const enterpriseId of ENTERPRISES) {
      for await (const { value: message } of services.messages.listAll(enterpriseId)) {
        const routedAt = message.statusHistory.find((change) => change.status === 'routed')?.at;
        const posted = postedAt.get(Number(/Bench message (\d+)$/.exec(message.body)?.[1]));
        if (routedAt && posted) fromRouted.push(posted - Date.parse(routedAt));
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
    report({ name: 'teams-delivery.limit-breaches', value: outcome.breaches, unit: 'requests' });
    report({ name: 'teams-delivery.refused', value: outcome.refused, unit: 'requests' });
  } finally {
    await runtime?.stop();
    await load.stop();
  }
}
