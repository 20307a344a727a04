import { AnswerPressure, HOLD_MS, QUEUEING_TARGET_MS } from './answer-pressure';

/** Pressure is queueing over the quickest answer of the last minute, smoothed, held a moment. */
describe('AnswerPressure', () => {
  function clocked() {
    let now = 1_000_000;
    const pressure = new AnswerPressure(() => now);
    return {
      pressure,
      answers(ms: number, count: number, gapMs = 5) {
        for (let i = 0; i < count; i++) {
          now += gapMs;
          pressure.record(ms);
        }
      },
      wait(ms: number) {
        now += ms;
      },
    };
  }

  it('is not pressed while answers are as quick as the store allows', () => {
    const c = clocked();
    c.answers(3, 50);
    expect(c.pressure.pressed).toBe(false);
  });

  it('is pressed once answers queue beyond the target, for a hold after they are quick again', () => {
    const c = clocked();
    c.answers(3, 20);
    c.answers(3 + QUEUEING_TARGET_MS * 4, 10);
    expect(c.pressure.pressed).toBe(true);
    // Quick again: the smoothed time comes down, and the hold still runs from the last slow moment.
    c.answers(3, 30, 1);
    expect(c.pressure.pressed).toBe(true);
    c.wait(HOLD_MS);
    c.answers(3, 1, 1);
    expect(c.pressure.pressed).toBe(false);
  });

  it('takes one slow answer among quick ones for what it is, not for pressure', () => {
    const c = clocked();
    c.answers(3, 20);
    c.answers(3 + QUEUEING_TARGET_MS * 4, 1);
    expect(c.pressure.pressed).toBe(false);
  });

  it('measures from the store it has: a slower store whose answers do not grow is not pressed', () => {
    const c = clocked();
    c.answers(25, 100);
    expect(c.pressure.pressed).toBe(false);
    // A quick answer from over a minute ago no longer sets the base.
    const d = clocked();
    d.answers(2, 1);
    d.wait(70_000);
    d.answers(25, 100, 100);
    expect(d.pressure.pressed).toBe(false);
    d.answers(25 + QUEUEING_TARGET_MS * 3, 20);
    expect(d.pressure.pressed).toBe(true);
  });
});
