import { describe, expect, it } from '@jest/globals';
import type { CarrierHealth, SyncSummary } from '../../api/dashboard';
import { carrierHealthText, countText, syncHeadline } from './dashboardText';

const sync = (overrides: Partial<SyncSummary>): SyncSummary => ({ configured: true, status: 'idle', processed: 0, counts: { added: 0, updated: 0, removed: 0, failed: 0 }, ...overrides });
const result = { added: 1, updated: 0, removed: 0, failed: 0, runId: 'r', mode: 'delta' as const, trigger: 'schedule' as const, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', durationMs: 1000 };

describe('dashboard wording', () => {
  it('says where the sync stands, with the error of a failed run', () => {
    expect(syncHeadline(sync({ configured: false })).label).toBe('Not configured');
    expect(syncHeadline(sync({ status: 'running' })).text).toMatch(/first time/);
    expect(syncHeadline(sync({ status: 'failed', lastResult: { ...result, outcome: 'failed', error: 'Graph said no.' } }))).toEqual({ label: 'Failed', color: 'danger', text: 'Graph said no.' });
    expect(syncHeadline(sync({})).label).toBe('Not run yet');
    expect(syncHeadline(sync({ lastResult: { ...result, outcome: 'succeeded' } })).text).toMatch(/the changes/);
  });

  it('names a connection failing, idle or working, and caps counts', () => {
    const carrier = (status: CarrierHealth['status']) => ({ id: 'c', name: 'c', type: 'twilio', numbers: 1, lastInboundAt: null, lastSentAt: null, lastFailureAt: null, lastFailureReason: null, status }) as CarrierHealth;
    expect(carrierHealthText(carrier('failing')).label).toBe('Failing');
    expect(carrierHealthText(carrier('idle')).label).toBe('No traffic yet');
    expect(carrierHealthText(carrier('ok')).label).toBe('Working');
    expect(countText(1234)).toBe('1,234');
    expect(countText(1000, true)).toBe('1,000+');
  });
});
