import { randomBytes, randomUUID } from 'node:crypto';
import { makeMessage } from '../../test/messages';
import { testStore } from '../../test/storage';
import type { Principal } from '../access/principal';
import { defaultEnterpriseSettings } from '../enterprises/schema';
import { AppError } from '../errors';
import { newNumberEntry, type Capabilities, type NumberHolder } from '../numbers/number';
import type { E164 } from '../rules/phone';
import { createServices, type Services } from '../services';
import { startCarrierSimulator, type CarrierSimulator } from '../simulators/carriers/carrier-simulator';
import { MessageRepository, messageShardBasis, newOutboundId } from './message';
import { OutboundQueue } from './outbound-queue';
import { SenderPacer } from './sender-pacing';
import type { OutboundWorker, OutboundWorkerOptions } from './outbound-worker';

/**
 * Sending, end to end on real parts: the message table and queue on the run's Azurite,
 * the worker, the simulator carrier's HTTP API. Covers the checks, queue-before-carrier,
 * pacing, retries to dead letter, the interrupted send, two workers, and the sweep.
 */
const USER = 'user-1';
const NUMBER = '+14255550101' as E164;
const MMS_NUMBER = '+14255550102' as E164;
const GROUP_NUMBER = '+14255550103' as E164;
const CUSTOMER = '+12065550100';

interface World {
  services: Services;
  simulator: CarrierSimulator;
  enterpriseId: string;
  connectionId: string;
  sender: { enterpriseId: string; userId: string; name: string };
  worker(options?: OutboundWorkerOptions): OutboundWorker;
  /** Carrier calls for one of our messages (by the client reference we send). */
  carrierCalls(messageId: string): number;
  waitFor<T>(check: () => Promise<T | undefined>, what: string): Promise<T>;
}

const workers: OutboundWorker[] = [];
const simulators: CarrierSimulator[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await Promise.all(simulators.splice(0).map((s) => s.stop()));
});

async function world(): Promise<World> {
  const store = testStore();
  const services = await createServices(store);
  const simulator = await startCarrierSimulator({ stepDelayMs: 0, webhookAttempts: 1 });
  simulators.push(simulator);
  const credentials = { apiKey: `key-${randomBytes(6).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };
  simulator.addAccount(credentials);
  const enterpriseId = `ent-${randomUUID().slice(0, 8)}`;
  const at = new Date().toISOString();
  await services.enterpriseRepository.create({ id: enterpriseId, name: 'Contoso', tenantId: randomUUID(), providerId: 'prov', createdAt: at, updatedAt: at, settings: defaultEnterpriseSettings });
  const admin: Principal = { userId: 'admin-1', name: 'Ada Admin', tenantId: 't', role: 'global-admin', enterpriseId };
  const connection = await services.carrierConnections.create(admin, enterpriseId, { type: 'simulator', name: 'Simulator', credentials });
  const put = async (number: E164, holder: NumberHolder | null, capabilities: Capabilities, segmentsPerSecond: number | null = 100) => {
    await services.numberRepository.create({ ...newNumberEntry(enterpriseId, number, at, { carrierConnectionId: connection.id, capabilities }), holder, segmentsPerSecond });
  };
  await put(NUMBER, { type: 'user', id: USER, name: 'Uma User' }, { sms: true, mms: false, voice: false });
  await put(MMS_NUMBER, { type: 'user', id: USER, name: 'Uma User' }, { sms: true, mms: true, voice: false });
  await put(GROUP_NUMBER, { type: 'group', id: 'grp-1', name: 'Front desk' }, { sms: true, mms: false, voice: false });
  await services.smsGroupRepository.create({ enterpriseId, id: 'grp-1', name: 'Front desk', number: GROUP_NUMBER, ownerIds: ['owner-1'], memberIds: ['owner-1', 'member-1'], createdAt: at, updatedAt: at });
  return {
    services,
    simulator,
    enterpriseId,
    connectionId: connection.id,
    sender: { enterpriseId, userId: USER, name: 'Uma User' },
    worker(options = {}) {
      const worker = services.createOutboundWorker({ carrierBaseUrls: { simulator: simulator.baseUrl }, idlePollMs: 20, backoffBaseMs: 40, backoffMaxMs: 200, ...options });
      workers.push(worker);
      return worker;
    },
    carrierCalls: (messageId) => simulator.messages.filter((m) => m.direction === 'outbound' && m.client_reference === messageId).length,
    async waitFor(check, what) {
      const until = Date.now() + 15_000;
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string; paths: string[] }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return { status: error.status, message: error.message, paths: error.details.map((d) => d.path) };
    throw error;
  }
  throw new Error('expected the send to be refused');
}

const statusOf = async (w: World, id: string) => (await w.services.messages.get(w.enterpriseId, id))?.value;

describe('accepting a send', () => {
  it('stores and queues the message before any carrier is called, then a worker sends it once', async () => {
    const w = await world();
    const message = await w.services.outboundSms.send(w.sender, { from: NUMBER, to: '+1 (206) 555-0100', body: 'On our way', media: [] });
    expect(message).toMatchObject({ status: 'queued', from: NUMBER, to: CUSTOMER, segments: 1, encoding: 'GSM-7', sentBy: USER, conversationId: '14255550101_12065550100' });
    expect((await statusOf(w, message.id))?.status).toBe('queued');
    expect(await w.services.outboundQueue.depth()).toBe(1);
    expect(w.simulator.messages).toHaveLength(0);

    w.worker().start();
    const sent = await w.waitFor(async () => {
      const m = await statusOf(w, message.id);
      return m && m.status !== 'queued' && m.status !== 'sending' ? m : undefined;
    }, 'the send');
    expect(sent.status).toBe('sent');
    expect(sent.carrierMessageId).not.toBe('');
    expect(sent.attempts).toBe(1);
    expect(sent.statusHistory.map((s) => s.status)).toEqual(['queued', 'sending', 'sent']);
    expect(w.carrierCalls(message.id)).toBe(1);
    const call = w.simulator.messages.find((m) => m.client_reference === message.id)!;
    expect(call).toMatchObject({ from: NUMBER, to: CUSTOMER, text: 'On our way' });
    await w.waitFor(async () => ((await w.services.outboundQueue.depth()) === 0 ? true : undefined), 'the queue to empty');
  });

  it('keeps a status that beats the follow-up work of its send for the conversation that work records', async () => {
    const w = await world();
    const message = await w.services.outboundSms.send(w.sender, { from: NUMBER, to: CUSTOMER, body: 'Quick one', media: [] });
    // Accepted; the conversation is recorded after the answer. A worker that sends first reports meanwhile.
    expect(w.services.outboundSms.followUpComing(message)).toBe(true);
    await w.services.outboundSms.runChangeListeners({ ...message, status: 'sent' });
    await w.services.outboundSms.settleAll();
    expect(w.services.outboundSms.followUpComing(message)).toBe(false);
    const conversation = await w.services.conversations.repository.get(w.enterpriseId, message.conversationId);
    expect(conversation?.value).toMatchObject({ lastMessageId: message.id, lastStatus: 'sent', messageCount: 1 });
  });

  it('sends from the only number a member of an SMS group may use, and refuses a number that is not theirs', async () => {
    const w = await world();
    const fromGroup = await w.services.outboundSms.send({ enterpriseId: w.enterpriseId, userId: 'member-1', name: 'Mo Member' }, { to: CUSTOMER, body: 'Hello from the front desk', media: [] });
    expect(fromGroup.from).toBe(GROUP_NUMBER);
    const notTheirs = await refusal(w.services.outboundSms.send({ enterpriseId: w.enterpriseId, userId: 'member-1', name: 'Mo Member' }, { from: NUMBER, to: CUSTOMER, body: 'hi', media: [] }));
    expect(notTheirs.status).toBe(403);
    expect(notTheirs.message).toContain('+1 425 555 0101');
    const nobody = await refusal(w.services.outboundSms.send({ enterpriseId: w.enterpriseId, userId: 'stranger', name: 'S' }, { to: CUSTOMER, body: 'hi', media: [] }));
    expect(nobody.status).toBe(403);
    expect(nobody.message).toMatch(/no SMS number/);
  });

  it('names the field and the fix for each bad request, and stores nothing', async () => {
    const w = await world();
    const send = (input: Record<string, unknown>) => w.services.outboundSms.send(w.sender, { from: NUMBER, to: CUSTOMER, body: 'hi', media: [], ...input });
    const twoNumbers = await refusal(w.services.outboundSms.send(w.sender, { to: CUSTOMER, body: 'hi', media: [] }));
    expect(twoNumbers).toMatchObject({ status: 400, paths: ['from'] });
    expect(twoNumbers.message).toMatch(/2 numbers/);
    expect(await refusal(send({ to: '555-0100' }))).toMatchObject({ status: 400, paths: ['to'] });
    expect(await refusal(send({ to: NUMBER }))).toMatchObject({ status: 400, paths: ['to'] });
    expect(await refusal(send({ body: '   ' }))).toMatchObject({ status: 400, paths: ['body'] });
    const long = await refusal(send({ body: 'x'.repeat(153 * 10 + 1) }));
    expect(long).toMatchObject({ status: 400, paths: ['body'] });
    expect(long.message).toMatch(/11 segments/);
    const unicode = await refusal(send({ body: '😀'.repeat(340) }));
    expect(unicode.message).toMatch(/UCS-2/);
    const media = [{ url: 'https://example.com/a.jpg', contentType: 'image/jpeg', sizeBytes: 1000 }];
    expect(await refusal(send({ media }))).toMatchObject({ status: 400, paths: ['media'] });
    const tooBig = await refusal(send({ from: MMS_NUMBER, media: [{ ...media[0]!, sizeBytes: 3 * 1024 * 1024 }, { ...media[0]!, sizeBytes: 3 * 1024 * 1024 }] }));
    expect(tooBig.message).toMatch(/5 MB/);
    expect(await w.services.outboundQueue.depth()).toBe(0);
  });

  it('sends an MMS with its media from a number that can', async () => {
    const w = await world();
    const message = await w.services.outboundSms.send(w.sender, { from: MMS_NUMBER, to: CUSTOMER, body: '', media: [{ url: 'https://example.com/map.png', contentType: 'image/png', sizeBytes: 20_000 }] });
    expect(message.segments).toBe(0);
    w.worker().start();
    await w.waitFor(async () => ((await statusOf(w, message.id))?.status === 'sent' ? true : undefined), 'the MMS');
    expect(w.simulator.messages.find((m) => m.client_reference === message.id)?.media.map((m) => m.url)).toEqual(['https://example.com/map.png']);
  });
});

describe('the worker', () => {
  it('retries 503s with backoff and then sends', async () => {
    const w = await world();
    w.simulator.faults.fail(2, 503);
    const message = await w.services.outboundSms.send(w.sender, { from: NUMBER, to: CUSTOMER, body: 'third time lucky', media: [] });
    w.worker({ maxAttempts: 4 }).start();
    const sent = await w.waitFor(async () => {
      const m = await statusOf(w, message.id);
      return m?.status === 'sent' ? m : undefined;
    }, 'the retried send');
    expect(sent.attempts).toBe(3);
    expect(sent.statusHistory.filter((s) => s.status === 'sending')).toHaveLength(3);
    expect(w.carrierCalls(message.id)).toBe(1); // the simulator records only accepted sends
    expect(w.simulator.requests.filter((r) => r.method === 'POST' && r.path === '/messages')).toHaveLength(3);
  });

  it('dead-letters after the last attempt with the reason, and lists it for admins', async () => {
    const w = await world();
    w.simulator.faults.fail(10, 503);
    const message = await w.services.outboundSms.send(w.sender, { from: NUMBER, to: CUSTOMER, body: 'never arrives', media: [] });
    const changes: string[] = [];
    w.services.outboundSms.onChange(async (m) => void changes.push(`${m.id}:${m.status}`));
    w.worker({ maxAttempts: 3 }).start();
    const failed = await w.waitFor(async () => {
      const m = await statusOf(w, message.id);
      return m?.status === 'failed' ? m : undefined;
    }, 'the dead letter');
    expect(failed.attempts).toBe(3);
    expect(failed.deadLetteredAt).not.toBeNull();
    expect(failed.failureReason).toMatch(/Gave up after 3 attempts/);
    expect(w.simulator.requests.filter((r) => r.path === '/messages')).toHaveLength(3);
    expect(changes).toContain(`${message.id}:failed`);
    const admin: Principal = { userId: 'admin-1', name: 'Ada', tenantId: 't', role: 'global-admin', enterpriseId: w.enterpriseId };
    const page = await w.services.outboundSms.deadLetters(admin, w.enterpriseId, { pageSize: 10 });
    expect(page.items.map((m) => m.id)).toEqual([message.id]);
    expect(page.items[0]!.failureReason).toMatch(/Gave up/);
  });

  it('does not retry what the carrier refuses for good', async () => {
    const w = await world();
    const bad = await w.services.outboundSms.send(w.sender, { from: NUMBER, to: '+12065550199', body: 'hello', media: [] });
    w.simulator.faults.fail(1, 400);
    w.worker().start();
    const failed = await w.waitFor(async () => {
      const m = await statusOf(w, bad.id);
      return m?.status === 'failed' ? m : undefined;
    }, 'the refusal');
    expect(failed.attempts).toBe(1);
    expect(failed.deadLetteredAt).toBeNull();
    expect(failed.failureReason).toMatch(/refused/);
  });

  it('never sends a message again whose worker stopped during the carrier call', async () => {
    const w = await world();
    const message = await w.services.outboundSms.send(w.sender, { from: NUMBER, to: CUSTOMER, body: 'maybe sent', media: [] });
    // A worker claimed it, called the carrier and died: the claim has run out.
    const stored = (await w.services.messages.get(w.enterpriseId, message.id))!;
    const past = new Date(Date.now() - 60_000).toISOString();
    await w.services.messages.update(stored, { ...stored.value, status: 'sending', attempts: 1, claimedBy: 'dead-worker', claimUntil: past });
    w.worker().start();
    const failed = await w.waitFor(async () => {
      const m = await statusOf(w, message.id);
      return m?.status === 'failed' ? m : undefined;
    }, 'the interrupted send to be settled');
    expect(failed.failureReason).toMatch(/not sent again/);
    expect(failed.deadLetteredAt).not.toBeNull();
    expect(w.simulator.requests.filter((r) => r.path === '/messages')).toHaveLength(0);
  });

  it('sends a message whose queue item came before its row, and removes an item whose row never comes', async () => {
    const w = await world();
    const at = new Date().toISOString();
    const early = makeMessage(w.enterpriseId, 'outbound', NUMBER, CUSTOMER, 'item first, row next', at, {
      id: newOutboundId(),
      connectionId: w.connectionId,
      carrierMessageId: '',
      status: 'queued',
      statusHistory: [{ status: 'queued', at }],
    });
    const never = newOutboundId();
    await w.services.outboundQueue.enqueue({ enterpriseId: w.enterpriseId, messageId: early.id });
    await w.services.outboundQueue.enqueue({ enterpriseId: w.enterpriseId, messageId: never });
    w.worker({ missingRowRetrySeconds: 1 }).start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Another process writes the row a moment after its item.
    await new MessageRepository(w.services.store).create(early);
    await w.waitFor(async () => (w.carrierCalls(early.id) === 1 ? true : undefined), 'the early item to be sent');
    await w.waitFor(async () => ((await w.services.outboundQueue.depth()) === 0 ? true : undefined), 'the item without a row to be removed');
    expect((await statusOf(w, early.id))?.status).toBe('sent');
    expect(w.carrierCalls(never)).toBe(0);
  });

  it('paces each sending number to its segments per second', async () => {
    const w = await world();
    const stored = (await w.services.numberRepository.get(w.enterpriseId, NUMBER))!;
    await w.services.numberRepository.update(stored, { ...stored.value, segmentsPerSecond: 5 });
    const sends = [];
    for (let i = 0; i < 5; i++) sends.push(await w.services.outboundSms.send(w.sender, { from: NUMBER, to: CUSTOMER, body: `message ${i}`, media: [] }));
    w.worker().start();
    await w.waitFor(async () => (w.simulator.messages.filter((m) => m.direction === 'outbound').length === 5 ? true : undefined), 'five sends');
    const times = w.simulator.messages.filter((m) => m.direction === 'outbound').map((m) => Date.parse(m.created_at));
    times.sort((a, b) => a - b);
    // 5 segments/s: one slot every 200 ms, so five sends span 800 ms (less what a cold
    // first send loses to its late start); unpaced they go out within a few ms.
    expect(times[4]! - times[0]!).toBeGreaterThanOrEqual(550);
  });

  it('hands out distinct slots to pacers in different processes', async () => {
    const w = await world();
    const [a, b] = [new SenderPacer(w.services.store), new SenderPacer(w.services.store)];
    const now = Date.now();
    // Two-segment messages at 4 segments/s: 500 ms each.
    const starts = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).reserve(w.enterpriseId, NUMBER, 2, 4, now)));
    expect([...starts].sort((x, y) => x - y).map((start) => start - now)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000, 3500]);
  });

  it('sends each message exactly once with two workers on separate queue clients, even when items reappear mid-send', async () => {
    const w = await world();
    w.simulator.faults.latency(1_300);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await w.services.outboundSms.send(w.sender, { from: NUMBER, to: CUSTOMER, body: `bulk ${i}`, media: [] })).id);
    // Items hidden for only 1 s come back while the (slow) carrier call is still running.
    const first = w.worker({ visibilitySeconds: 1, workerId: 'first' });
    const second = w.services.createOutboundWorker({ carrierBaseUrls: { simulator: w.simulator.baseUrl }, idlePollMs: 20, visibilitySeconds: 1, workerId: 'second' });
    workers.push(second);
    expect(second).not.toBe(first);
    first.start();
    second.start();
    await w.waitFor(async () => {
      const all = await Promise.all(ids.map((id) => statusOf(w, id)));
      return all.every((m) => m?.status === 'sent') ? true : undefined;
    }, 'all thirty sends');
    for (const id of ids) expect(w.carrierCalls(id)).toBe(1);
    const senders = new Set((await Promise.all(ids.map((id) => statusOf(w, id)))).map((m) => m!.statusHistory.length));
    expect([...senders]).toEqual([3]);
  });
});

describe('queue items shared by sends accepted at once', () => {
  it('queues a burst in a few items, sends each message once, and gives a retried one an item of its own', async () => {
    const w = await world();
    const sends = await Promise.all(Array.from({ length: 12 }, (_, i) => w.services.outboundSms.send(w.sender, { from: NUMBER, to: `+120655502${String(i).padStart(2, '0')}`, body: `burst ${i}`, media: [] })));
    // Twelve sends accepted at the same moment: fewer items than messages, every message named.
    const items = await w.services.outboundQueue.depth();
    expect(items).toBeGreaterThanOrEqual(1);
    expect(items).toBeLessThan(12);
    w.simulator.faults.fail(1, 503); // the first carrier call fails: that message is retried later, alone
    w.worker().start();
    await w.waitFor(async () => {
      const all = await Promise.all(sends.map((m) => statusOf(w, m.id)));
      return all.every((m) => m?.status === 'sent') ? all : undefined;
    }, 'the twelve sends');
    for (const message of sends) expect(w.carrierCalls(message.id)).toBe(1);
    const attempts = (await Promise.all(sends.map((m) => statusOf(w, m.id)))).map((m) => m!.attempts).sort();
    expect(attempts).toEqual([...Array.from({ length: 11 }, () => 1), 2]);
    await w.waitFor(async () => ((await w.services.outboundQueue.depth()) === 0 ? true : undefined), 'the queue to empty');
  });

  it('gives sends accepted in the same tenth of a second one shard, so their rows share transactions', () => {
    const at = Date.parse('2026-11-21T10:00:00.000Z');
    expect(messageShardBasis(newOutboundId(at + 1))).toBe(messageShardBasis(newOutboundId(at + 99)));
    expect(messageShardBasis(newOutboundId(at + 100))).not.toBe(messageShardBasis(newOutboundId(at + 99)));
    expect(newOutboundId(at)).not.toBe(newOutboundId(at));
    // Inbound ids come from the carrier (a retried webhook must find its row): the whole id decides.
    expect(messageShardBasis('conn-1:SM123')).toBe('conn-1:SM123');
    expect(messageShardBasis('out-auto-0123456789abcdef01234567')).toBe('out-auto-0123456789abcdef01234567');
  });
});

describe('the sweep', () => {
  it('queues again a message whose queue item was lost, and routes an inbound message left received', async () => {
    const w = await world();
    const message = await w.services.outboundSms.send(w.sender, { from: NUMBER, to: CUSTOMER, body: 'lost item', media: [] });
    // Lose the queue item (as if queueing had failed after the message was stored).
    const queue = new OutboundQueue(w.services.store.connectionString, { prefix: w.services.store.tablePrefix });
    for (const item of await queue.receive(32, 30)) await queue.delete(item);
    const at = new Date().toISOString();
    const inbound = await w.services.messages.create({
      ...(await statusOf(w, message.id))!,
      id: `${w.connectionId}:SM-left-behind`,
      direction: 'inbound',
      from: CUSTOMER,
      to: NUMBER,
      body: 'left at received',
      status: 'received',
      statusHistory: [{ status: 'received', at }],
      sentBy: null,
      sentByName: null,
    });
    const tooEarly = await w.services.messageSweep.sweep(Date.now());
    expect(tooEarly).toEqual({ rerouted: 0, requeued: 0 });
    const result = await w.services.messageSweep.sweep(Date.now() + 5 * 60_000);
    expect(result).toEqual({ rerouted: 1, requeued: 1 });
    expect((await statusOf(w, inbound.value.id))?.status).toBe('routed');
    w.worker().start();
    await w.waitFor(async () => ((await statusOf(w, message.id))?.status === 'sent' ? true : undefined), 'the swept send');
    expect(w.carrierCalls(message.id)).toBe(1);
    // Nothing in flight any more: a later sweep finds nothing.
    expect(await w.services.messageSweep.sweep(Date.now() + 10 * 60_000)).toEqual({ rerouted: 0, requeued: 0 });
  });
});
