import { randomBytes, randomUUID } from 'node:crypto';
import { newNumberEntry, type PhoneNumberEntry, type SimulatorEvent } from '@switchboard/shared';
import { signSimulatorWebhook, startCarrierSimulator, type CarrierSimulator } from '@switchboard/shared/simulators';
import type { Runtime } from '../../src/runtime';
import { DEV_TENANTS } from '../../src/dev/dev-sign-in';
import { makeUser } from '../../../shared/test/users';
import { BotConnector } from './bot-connector';
import { call } from './http';
import { startTestRuntime } from './runtime';

export const ENTERPRISE = 'contoso';
export const TENANT = DEV_TENANTS.contoso;

/** A Teams user of the demo enterprise: directory id = Entra object id, and their Teams ids. */
export interface TeamsPerson {
  userId: string;
  name: string;
  teamsId: string;
  conversationId: string;
}

/**
 * A real server (dev mode: no bot id) whose Teams side talks to a loopback Bot
 * Connector, with the simulator carrier for sends and signed inbound webhooks.
 */
export class TeamsChatFixture {
  private constructor(
    readonly runtime: Runtime,
    readonly connector: BotConnector,
    readonly carrier: CarrierSimulator,
    readonly connectionId: string,
    private readonly signingSecret: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<TeamsChatFixture> {
    const connector = await BotConnector.start();
    const carrier = await startCarrierSimulator({ stepDelayMs: 0 });
    const runtime = await startTestRuntime({ TEAMS_SERVICE_URL: connector.url, SIMULATOR_CARRIER_URL: carrier.baseUrl, ...env });
    const credentials = { apiKey: `sim-${randomBytes(8).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };
    carrier.addAccount(credentials);
    const admin = { userId: 'admin', name: 'Ada Admin', tenantId: TENANT, role: 'global-admin' as const, enterpriseId: ENTERPRISE };
    const connection = await runtime.services.carrierConnections.create(admin, ENTERPRISE, { type: 'simulator', name: 'Simulator', credentials });
    return new TeamsChatFixture(runtime, connector, carrier, connection.id, credentials.signingSecret);
  }

  async stop(): Promise<void> {
    await this.runtime?.stop();
    await Promise.all([this.connector?.close(), this.carrier?.stop()]);
  }

  get services() {
    return this.runtime.services;
  }

  /** A directory user (the Entra object id is their id). */
  async person(name: string): Promise<TeamsPerson> {
    const userId = randomUUID();
    await this.services.userRepository.createMany([makeUser({ enterpriseId: ENTERPRISE, id: userId, displayName: name })]);
    return { userId, name, teamsId: `29:${randomUUID()}`, conversationId: `a:${randomUUID().replace(/-/g, '')}` };
  }

  /** An enterprise number on the simulator connection, held by a user or an SMS group. */
  async number(number: string, holder: { type: 'user' | 'group'; id: string; name: string }): Promise<void> {
    const at = new Date().toISOString();
    await this.services.numberRepository.create({ ...newNumberEntry(ENTERPRISE, number as PhoneNumberEntry['number'], at, { carrierConnectionId: this.connectionId }), holder });
    this.services.numberCache.invalidate(ENTERPRISE);
  }

  async group(id: string, name: string, number: string, members: readonly TeamsPerson[]): Promise<void> {
    const at = new Date().toISOString();
    await this.number(number, { type: 'group', id, name });
    await this.services.smsGroupRepository.create({ enterpriseId: ENTERPRISE, id, name, number: number as PhoneNumberEntry['number'], ownerIds: [members[0]!.userId], memberIds: members.map((m) => m.userId), createdAt: at, updatedAt: at });
  }

  /** An activity as Teams posts it, in the person's personal chat with the bot. */
  activity(person: TeamsPerson, overrides: Record<string, unknown>): Record<string, unknown> {
    return {
      channelId: 'msteams',
      serviceUrl: this.connector.url,
      from: { id: person.teamsId, name: person.name, aadObjectId: person.userId },
      recipient: { id: '28:bot', name: 'Switchboard' },
      conversation: { id: person.conversationId, conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      locale: 'en-US',
      timestamp: new Date().toISOString(),
      id: randomUUID(),
      ...overrides,
    };
  }

  post(activity: unknown) {
    return call(`${this.runtime.url}/api/messages`, { body: activity });
  }

  /** Teams' conversationUpdate when the person installs the app (the bot joins their personal chat). */
  install(person: TeamsPerson) {
    return this.post(this.activity(person, { type: 'conversationUpdate', membersAdded: [{ id: person.teamsId }, { id: '28:bot' }], channelData: { tenant: { id: TENANT }, eventType: 'conversationUpdate' } }));
  }

  /** Teams' installationUpdate. */
  installationUpdate(person: TeamsPerson, action: 'add' | 'remove') {
    return this.post(this.activity(person, { type: 'installationUpdate', action }));
  }

  /** A customer texts `to` (a signed simulator webhook to the server); answers the stored message id. */
  async textIn(input: { from: string; to: string; text: string; media?: Array<{ url: string; content_type: string }> }): Promise<string> {
    const carrierId = `sim_${randomUUID()}`;
    const event: SimulatorEvent = { id: `evt_${carrierId}`, type: 'message.received', occurred_at: new Date().toISOString(), data: { id: carrierId, from: input.from, to: input.to, text: input.text, ...(input.media ? { media: input.media } : {}) } };
    const request = signSimulatorWebhook(this.services.carrierConnections.webhookUrl('simulator', this.connectionId), event, this.signingSecret);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const answer = await fetch(request.url, { method: 'POST', headers, body: request.rawBody });
    if (answer.status !== 200) throw new Error(`the webhook answered ${answer.status}`);
    return `${this.connectionId}:${carrierId}`;
  }

  /** Waits for routing and the Teams deliveries it started. */
  async settle(): Promise<void> {
    await this.services.inboundSms.settleAll();
    await this.services.outboundSms.settleAll();
    await this.runtime.teamsChat.delivery.settleAll();
  }
}

/** The Adaptive Card of a posted activity. */
export function cardOf(activity: { body: Record<string, any> }): Record<string, any> {
  const attachment = (activity.body.attachments ?? [])[0];
  if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive') throw new Error(`not an Adaptive Card: ${JSON.stringify(activity.body).slice(0, 200)}`);
  return attachment.content as Record<string, any>;
}

/** Every TextBlock's text of a card, in order (nested containers included). */
export function textsOf(card: unknown): string[] {
  const texts: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    if (element.type === 'TextBlock' && typeof element.text === 'string') texts.push(element.text);
    for (const key of ['body', 'items', 'columns']) if (key in element) visit(element[key]);
  };
  visit(card);
  return texts;
}
