import { Foreground, WorkLane } from './work-lane';

/** Follow-up work gives way to requests waiting for their answer, and catches up afterwards. */
describe('WorkLane', () => {
  function gate() {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  }
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('runs one task at a time while the foreground is busy, then up to its concurrency', async () => {
    const foreground = new Foreground();
    const lane = new WorkLane(3, foreground);
    const request = gate();
    const answered = foreground.run(() => request.opened);
    let running = 0;
    let most = 0;
    const release = gate();
    const done: number[] = [];
    for (let i = 0; i < 6; i++) {
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
    expect(running).toBe(1); // the request is still waiting: one follow-up at a time
    request.open();
    await answered;
    await turn();
    await turn();
    expect(running).toBe(3); // the foreground is idle: the lane catches up
    release.open();
    await lane.settled();
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(3);
  });
});
