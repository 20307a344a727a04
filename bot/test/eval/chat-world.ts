import { randomBytes, randomUUID } from 'node:crypto';
import { startCarrierSimulator, type CarrierSimulator } from '@switchboard/shared/simulators';
import { conversationIdOf, type Principal } from '@switchboard/shared';
import { makeUser } from '../../../shared/test/users';
import type { Runtime } from '../../src/runtime';
import { DEV_TENANTS } from '../../src/dev/dev-sign-in';
import { BotConnector, type SentActivity } from '../support/bot-connector';
import { devTokens } from '../support/dev-sign-in';
import { call } from '../support/http';
import { startTestRuntime, stopAll } from '../support/runtime';

/**
 * The world the chat tests and the evaluation set assume: a real server on Azurite,
 * the simulator carrier, a loopback Bot Framework connector, Contoso's Uma with the
 * number N1 and the contacts Jane Doe, Bob Smith and Maria Garcia, and Nina, who has
 * no number. Messages are posted to /api/messages as Teams posts them.
 */
export const N1 = '+14255550711';
export const JANE = '+12065550142';
export const BOB = '+12065550143';
export const MARIA = '+12065550144';
export const TENANT = DEV_TENANTS.contoso;

export interface ChatWorld {
  runtime: Runtime;
  connector: BotConnector;
  simulator: CarrierSimulator;
  uma: { id: string; name: string };
  nina: { id: string; name: string };
  /** Posts one activity from `from` (Uma by default) in a personal chat; answers the bot's replies in that chat. */
  say(text: string, options?: { from?: { id: string; name: string }; conversationId?: string; value?: unknown; extra?: Record<string, unknown> }): Promise<SentActivity[]>;
  /** A customer texts N1 (or `to`); resolves once the conversation shows the message. */
  customerTexts(from: string, text: string, to?: string): Promise<void>;
  /** Resolves once the customer's phone received `text` from N1. */
  phoneReceived(phone: string, text: string): Promise<void>;
  /** What the phone received from N1 so far. */
  received(phone: string): string[];
  stop(): Promise<void>;
}

export async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The text of an activity and of its Adaptive Card (every string in it), for assertions. */
export function textOf(activity: SentActivity): string {
  const strings: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(activity.body.text);
  walk(activity.body.attachments);
  return strings.join('\n');
}

export async function startChatWorld(env: Record<string, string> = {}): Promise<ChatWorld> {
  const connector = await BotConnector.start({ enforceLimits: false });
  const simulator = await startCarrierSimulator({ stepDelayMs: 5 });
  const credentials = { apiKey: `sim-${randomBytes(8).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };
  simulator.addAccount(credentials);
  let runtime: Runtime | undefined;
  try {
    runtime = await startTestRuntime({ SIMULATOR_CARRIER_URL: simulator.baseUrl, TEAMS_SERVICE_URL: connector.url, ...env });
    const services = runtime.services;
    const uma = { id: randomUUID(), name: 'Uma Chat' };
    const nina = { id: randomUUID(), name: 'Nina Nonumber' };
    await services.userRepository.createMany([makeUser({ enterpriseId: 'contoso', id: uma.id, displayName: uma.name }), makeUser({ enterpriseId: 'contoso', id: nina.id, displayName: nina.name })]);
    const tokens = await devTokens(runtime.url, ['contoso-global-admin'] as const);
    const connection = await call(`${runtime.url}/api/admin/enterprises/contoso/carrier-connections`, { token: tokens['contoso-global-admin'], body: { type: 'simulator', name: 'Simulator', credentials } });
    if (connection.status !== 201) throw new Error(`carrier connection: ${connection.status} ${connection.text}`);
    const added = await call(`${runtime.url}/api/admin/enterprises/contoso/numbers`, { token: tokens['contoso-global-admin'], body: { number: N1, carrierConnectionId: connection.body.id } });
    if (added.status !== 201) throw new Error(`number: ${added.status} ${added.text}`);
    const stored = (await services.numberRepository.get('contoso', N1))!;
    await services.numberRepository.update(stored, { ...stored.value, holder: { type: 'user', id: uma.id, name: uma.name }, segmentsPerSecond: 50 });
    services.numberCache.invalidate('contoso');
    simulator.assignNumber(N1, credentials.apiKey, connection.body.webhookUrl);
    const principal: Principal = { userId: uma.id, name: uma.name, tenantId: TENANT, role: 'user', enterpriseId: 'contoso' };
    for (const [name, number] of [['Jane Doe', JANE], ['Bob Smith', BOB], ['Maria Garcia', MARIA]] as const) await services.contacts.save(principal, 'contoso', { name, number });

    const world: ChatWorld = {
      runtime,
      connector,
      simulator,
      uma,
      nina,
      async say(text, options = {}) {
        const from = options.from ?? uma;
        const conversationId = options.conversationId ?? `a:personal-${from.id}`;
        const before = new Set(connector.activitiesIn(conversationId).map((a) => a.activityId));
        const answer = await call(`${runtime!.url}/api/messages`, {
          body: {
            type: 'message',
            id: `m-${randomUUID()}`,
            channelId: 'msteams',
            serviceUrl: connector.url,
            from: { id: `29:${from.id}`, name: from.name, aadObjectId: from.id },
            recipient: { id: '28:switchboard', name: 'Switchboard' },
            conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT },
            channelData: { tenant: { id: TENANT } },
            locale: 'en-US',
            timestamp: new Date().toISOString(),
            text,
            ...(options.value !== undefined ? { value: options.value } : {}),
            ...options.extra,
          },
        });
        if (answer.status !== 200) throw new Error(`/api/messages answered ${answer.status}: ${answer.text}`);
        return connector.activitiesIn(conversationId).filter((a) => !before.has(a.activityId) && a.method === 'POST');
      },
      async customerTexts(from, text, to = N1) {
        await simulator.sendFromPhone({ from, to, text });
        await until(async () => {
          const id = conversationIdOf(to, from);
          if (!(await services.conversations.repository.get('contoso', id))) return undefined;
          const page = await services.conversations.history(principal, 'contoso', id, { pageSize: 20 });
          return page.items.some((m) => m.direction === 'inbound' && m.body === text) ? true : undefined;
        }, `the conversation with ${from} to show "${text}"`);
      },
      async phoneReceived(phone, text) {
        await until(() => (simulator.messagesFor(phone).some((m) => m.direction === 'outbound' && m.from === N1 && m.text === text) ? true : undefined), `${phone} to receive "${text}"`);
      },
      received(phone) {
        return simulator.messagesFor(phone).filter((m) => m.direction === 'outbound' && m.from === N1).map((m) => m.text ?? '');
      },
      async stop() {
        await stopAll(runtime);
        await simulator.stop();
        await connector.close();
      },
    };
    return world;
  } catch (error) {
    await stopAll(runtime);
    await simulator.stop();
    await connector.close();
    throw error;
  }
}
