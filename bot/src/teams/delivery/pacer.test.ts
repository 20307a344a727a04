import { CONVERSATION_WINDOWS, SlidingWindows } from './pacer';

/** The windows' arithmetic, on given clock values (no real time passes). */
describe('SlidingWindows', () => {
  it('lets 7 through in a second, then waits for the first to leave the 1 s window (plus the guard)', () => {
    const windows = new SlidingWindows(CONVERSATION_WINDOWS, 150);
    for (let i = 0; i < 7; i++) {
      expect(windows.waitMs(i)).toBe(0);
      windows.add(i);
    }
    expect(windows.waitMs(10)).toBe(0 + 1_000 + 150 - 10);
  });

  it('holds the 8th request of 2 s even when the 1 s window has room', () => {
    const windows = new SlidingWindows(CONVERSATION_WINDOWS, 0);
    for (let i = 0; i < 7; i++) windows.add(i * 10);
    expect(windows.waitMs(1_500)).toBe(0);
    windows.add(1_500);
    // 8 in the last 2 s: the next waits for the first to be 2 s old.
    expect(windows.waitMs(1_600)).toBe(2_000 - 1_600);
  });

  it('keeps to 60 per 30 s', () => {
    const windows = new SlidingWindows(CONVERSATION_WINDOWS, 0);
    for (let i = 0; i < 60; i++) windows.add(i * 400); // 2.5/s: within the 1 s and 2 s limits
    expect(windows.waitMs(24_000)).toBe(30_000 - 24_000);
  });

  it('counts a request from when it was answered', () => {
    const windows = new SlidingWindows([{ limit: 1, ms: 1_000 }], 0);
    windows.add(0);
    windows.settle(0, 300);
    expect(windows.waitMs(500)).toBe(800);
  });

  it('forgets requests older than the longest window', () => {
    const windows = new SlidingWindows([{ limit: 1, ms: 1_000 }], 0);
    windows.add(0);
    expect(windows.idle).toBe(false);
    expect(windows.waitMs(1_000)).toBe(0);
    expect(windows.idle).toBe(true);
  });
});
