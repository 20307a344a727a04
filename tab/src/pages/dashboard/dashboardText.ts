import type { CarrierHealth, SyncSummary } from '../../api/dashboard';

type BadgeColor = 'success' | 'danger' | 'warning' | 'informative' | 'subtle';

/** The sync card's first line: a badge and a sentence. */
export function syncHeadline(sync: SyncSummary): { label: string; color: BadgeColor; text: string } {
  if (!sync.configured) return { label: 'Not configured', color: 'subtle', text: 'This server has no Microsoft Graph credentials, so users cannot be synced.' };
  if (sync.status === 'running') return { label: 'Running', color: 'informative', text: sync.lastResult ? 'Reading changes from Microsoft 365…' : 'Reading your Microsoft 365 directory for the first time…' };
  const last = sync.lastResult;
  if (sync.status === 'failed' || last?.outcome === 'failed') return { label: 'Failed', color: 'danger', text: last?.error ?? 'The last sync did not finish.' };
  if (!last) return { label: 'Not run yet', color: 'warning', text: 'Users appear once the first sync has run.' };
  return { label: 'Up to date', color: 'success', text: `The last sync read ${last.mode === 'full' ? 'the whole directory' : 'the changes'} without errors.` };
}

/** A carrier connection's health badge and what it is based on. */
export function carrierHealthText(carrier: CarrierHealth): { label: string; color: BadgeColor } {
  if (carrier.status === 'failing') return { label: 'Failing', color: 'danger' };
  if (carrier.status === 'idle') return { label: 'No traffic yet', color: 'subtle' };
  return { label: 'Working', color: 'success' };
}

/** "1,234" or "1,000+" for counts the server stopped at. */
export const countText = (count: number, capped = false): string => `${count.toLocaleString('en-US')}${capped ? '+' : ''}`;
