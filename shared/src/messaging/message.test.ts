import { randomUUID } from 'node:crypto';
import { makeMessage } from '../../test/messages';
import { testStore } from '../../test/storage';
import { ConflictError } from '../errors';
import { MESSAGES_TABLE, MessageRepository, newOutboundId, withStatus } from './message';

/** The writers' view of a message (`current`) against the run's Azurite. */
async function world() {
  const store = testStore();
  await store.ensureTables([MESSAGES_TABLE]);
  const enterpriseId = `ent-${randomUUID().slice(0, 8)}`;
  const messages = new MessageRepository(store);
  const created = await messages.create(makeMessage(enterpriseId, 'outbound', '+14155550100', '+14155550199', 'on our way', new Date().toISOString(), { id: newOutboundId(), status: 'sending' }));
  const reads = jest.spyOn(messages, 'get');
  return { messages, created, reads: () => reads.mock.calls.length };
}

describe('MessageRepository.current', () => {
  it('answers a write this process has on its way with its outcome, not with the version before it', async () => {
    const w = await world();
    const sent = withStatus(w.created.value, 'sent', new Date().toISOString());
    const writing = w.messages.update(w.created, sent);
    // A status report arriving while the worker records the send sees the recorded send (and its new ETag).
    const seen = await w.messages.current(w.created.value.enterpriseId, w.created.value.id);
    const written = await writing;
    expect(seen).toEqual(written);
    expect(seen?.value.status).toBe('sent');
    expect(w.reads()).toBe(0);
  });

  it('answers a create on its way here (a queue item that came before its row) with the created row', async () => {
    const w = await world();
    const message = makeMessage(w.created.value.enterpriseId, 'outbound', '+14155550100', '+14155550198', 'queued now', new Date().toISOString(), { id: newOutboundId(), status: 'queued' });
    const creating = w.messages.create(message);
    const seen = await w.messages.current(message.enterpriseId, message.id);
    expect(seen).toEqual(await creating);
    expect(w.reads()).toBe(0);
  });

  it('reads the stored version after a write of it failed', async () => {
    const w = await world();
    const stale = { ...w.created, etag: 'W/"datetime\'2000-01-01T00%3A00%3A00.0000000Z\'"' };
    const failing = w.messages.update(stale, withStatus(w.created.value, 'failed', new Date().toISOString())).then(
      () => undefined,
      (error: unknown) => error,
    );
    const seen = await w.messages.current(w.created.value.enterpriseId, w.created.value.id);
    expect(await failing).toBeInstanceOf(ConflictError);
    expect(seen).toEqual(w.created);
    expect(w.reads()).toBe(1);
  });
});
