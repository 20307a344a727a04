import { HOLD_MS } from './answer-pressure';
import { Foreground, WorkLane } from './work-lane';

/** Follow-up work gives way to requests waiting for their answer, and catches up afterwards. */
describe('WorkLane', () => {
  function gate() {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  }
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('runs a quarter of its concurrency while the foreground is busy, then all of it', async () => {
    const foreground = new Foreground();
    const lane = new WorkLane(8, foreground);
    const request = gate();
    const answered = foreground.run(() => request.opened);
    let running = 0;
    let most = 0;
    const release = gate();
    const done: number[] = [];
    for (let i = 0; i < 12; i++) {
      lane.push(async () => {
        running++;
        most = Math.max(most, running);
        await release.opened;
        running--;
        done.push(i);
      });
    }
    await turn();
    await turn();
    expect(running).toBe(2); // the request is still waiting: follow-up work only trickles
    request.open();
    await answered;
    await turn();
    await turn();
    expect(running).toBe(8); // the foreground is idle: the lane catches up
    release.open();
    await lane.settled();
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(most).toBe(8);
  });

  it('gives way to urgent work and to what that gives way to, and catches up when both are idle', async () => {
    const foreground = new Foreground();
    const urgent = new Foreground(foreground);
    const lane = new WorkLane(8, urgent);
    const routing = gate();
    const routed = urgent.run(() => routing.opened);
    const request = gate();
    const answered = foreground.run(() => request.opened);
    let running = 0;
    const release = gate();
    for (let i = 0; i < 12; i++) {
      lane.push(async () => {
        running++;
        await release.opened;
        running--;
      });
    }
    await turn();
    await turn();
    expect(running).toBe(2);
    routing.open();
    await routed;
    await turn();
    await turn();
    expect(urgent.busy).toBe(true); // the request still waits
    expect(running).toBe(2);
    request.open();
    await answered;
    await turn();
    await turn();
    expect(running).toBe(8);
    release.open();
    await lane.settled();
  });
  it('runs one task while answers queue in storage, also between requests, and catches up once they are quick again', async () => {
    let now = 0;
    const foreground = new Foreground(undefined, () => now);
    const urgent = new Foreground(foreground);
    const lane = new WorkLane(8, foreground);
    const behindUrgent = new WorkLane(8, urgent);
    const answer = (ms: number) => foreground.run(async () => void (now += ms));
    for (let i = 0; i < 10; i++) await answer(3);
    for (let i = 0; i < 10; i++) await answer(40);
    expect(foreground.busy).toBe(false);
    expect(urgent.pressed).toBe(true);
    let running = 0;
    const release = gate();
    const task = async () => {
      running++;
      await release.opened;
      running--;
    };
    for (let i = 0; i < 12; i++) lane.push(task);
    for (let i = 0; i < 4; i++) behindUrgent.push(task);
    await turn();
    await turn();
    expect(running).toBe(2); // nothing waits for an answer right now, yet one task each
    for (let i = 0; i < 30; i++) await answer(3);
    now += HOLD_MS;
    await answer(3);
    expect(foreground.pressed).toBe(false);
    lane.push(task);
    behindUrgent.push(task);
    await turn();
    await turn();
    expect(running).toBe(13); // 8 and all 5
    release.open();
    await Promise.all([lane.settled(), behindUrgent.settled()]);
  });
});
