import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../api/errors';
import { attempt, type AsyncActionState } from './useAsyncAction';

function recorder() {
  const states: AsyncActionState[] = [];
  return { states, report: (state: AsyncActionState) => void states.push(state) };
}

describe('attempt', () => {
  it('is busy while the action runs and clears the failure first', async () => {
    const { states, report } = recorder();
    let busyDuring: AsyncActionState | undefined;
    const failure = await attempt(async () => {
      busyDuring = states[states.length - 1];
    }, report);
    expect(failure).toBeUndefined();
    expect(busyDuring).toEqual({ busy: true, failure: undefined });
    expect(states).toEqual([
      { busy: true, failure: undefined },
      { busy: false, failure: undefined },
    ]);
  });

  it('keeps an ApiError as it is', async () => {
    const { states, report } = recorder();
    const refused = new ApiError(409, 'number_assigned', 'The number is assigned.');
    const failure = await attempt(() => Promise.reject(refused), report);
    expect(failure).toBe(refused);
    expect(states[states.length - 1]).toEqual({ busy: false, failure: refused });
  });

  it('turns anything else thrown into an ApiError', async () => {
    const { states, report } = recorder();
    const network = await attempt(() => Promise.reject(new TypeError('Failed to fetch')), report);
    expect(network).toMatchObject({ status: 0, code: 'network' });
    const thrown = await attempt(async () => {
      throw new Error('The SMS group Sales is no longer there. Reload the list.');
    }, report);
    expect(thrown).toMatchObject({ status: 0, code: 'unexpected', message: 'The SMS group Sales is no longer there. Reload the list.' });
    expect(states[states.length - 1]?.failure).toBe(thrown);
  });

  it('never lets the failure escape as a rejection', async () => {
    await expect(attempt(() => Promise.reject('no'), () => undefined)).resolves.toMatchObject({ message: 'no' });
  });
});
