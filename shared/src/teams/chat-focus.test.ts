import { testStore } from '../../test/storage';
import { CHAT_FOCUS_TABLE, ChatFocusStore, PENDING_SEND_TTL_MS } from './chat-focus';

/** The bot chat's focus and pending sends against real storage: kept per user, a pending send taken once. */
describe('ChatFocusStore', () => {
  let clock = new Date('2026-11-21T10:00:00.000Z');
  let focus: ChatFocusStore;

  beforeAll(async () => {
    const store = testStore();
    await store.ensureTables([CHAT_FOCUS_TABLE]);
    focus = new ChatFocusStore(store, { now: () => clock });
  });

  it('remembers the conversation per user and keeps a pending send beside it', async () => {
    await focus.focus('ent', 'uma', { enterpriseNumber: '+14255550100', externalNumber: '+12065550142' });
    const pending = await focus.setPending('ent', 'uma', { to: '+12065550199', toName: null, from: null, text: 'Hello' });
    expect(await focus.get('ent', 'uma')).toMatchObject({ enterpriseNumber: '+14255550100', externalNumber: '+12065550142', focusedAt: clock.toISOString(), pending });
    expect(await focus.get('ent', 'nina')).toBeUndefined();
    expect(await focus.get('other', 'uma')).toBeUndefined();
  });

  it('hands a pending send out exactly once, even to racing takers', async () => {
    const pending = await focus.setPending('ent', 'uma', { to: '+12065550199', toName: 'Zed', from: null, text: 'Once' });
    const taken = await Promise.all([focus.takePending('ent', 'uma'), focus.takePending('ent', 'uma', pending.id), focus.takePending('ent', 'uma')]);
    expect(taken.filter(Boolean)).toEqual([pending]);
    expect(await focus.pending('ent', 'uma')).toBeUndefined();
    // The focus survives taking the pending send.
    expect((await focus.get('ent', 'uma'))?.externalNumber).toBe('+12065550142');
  });

  it('takes only the send a button names, and none that waited too long', async () => {
    const older = await focus.setPending('ent', 'uma', { to: '+12065550198', toName: null, from: null, text: 'Old' });
    const newer = await focus.setPending('ent', 'uma', { to: '+12065550197', toName: null, from: null, text: 'New' });
    expect(await focus.takePending('ent', 'uma', older.id)).toBeUndefined();
    expect(await focus.pending('ent', 'uma')).toEqual(newer);
    clock = new Date(clock.getTime() + PENDING_SEND_TTL_MS + 1);
    expect(await focus.pending('ent', 'uma')).toBeUndefined();
    expect(await focus.takePending('ent', 'uma', newer.id)).toBeUndefined();
  });
});
