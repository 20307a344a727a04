/** Turns an activity entry's before/after into rows of (field, before, after). */

export interface ChangeRow {
  path: string;
  label: string;
  before: string;
  after: string;
}

import { formatDateTime } from '../../format/dates';

/** Bookkeeping that changes on every write and tells a reader nothing. */
const IGNORED = new Set(['etag', 'updatedAt']);

const LABELS: Record<string, string> = {
  id: 'ID',
  name: 'Name',
  tenantId: 'Microsoft tenant ID',
  providerId: 'Service provider',
  createdAt: 'Created',
  'settings.allowProviderManagement': 'Allow management by service provider',
  'settings.chatEnabled': 'Chat enabled',
  'settings.syncIntervalMinutes': 'Sync every (minutes)',
  'settings.timeZone': 'Time zone',
};

export const fieldLabel = (path: string): string => LABELS[path] ?? path;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{ settings: { chatEnabled: true } }` and `{ 'settings.chatEnabled': true }` both become the dotted form. */
export function flatten(value: Record<string, unknown> | null | undefined, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  for (const [key, inner] of Object.entries(value ?? {})) {
    const path = prefix + key;
    if (isPlainObject(inner) && Object.keys(inner).length > 0) flatten(inner, `${path}.`, out);
    else out.set(path, inner);
  }
  return out;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'boolean') return value ? 'On' : 'Off';
  if (typeof value === 'string') {
    if (value === '') return '(empty)';
    return ISO_DATE_TIME.test(value) ? formatDateTime(value) : value;
  }
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** Only the fields that differ, in the order they first appear. */
export function changeRows(before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null | undefined): ChangeRow[] {
  const left = flatten(before);
  const right = flatten(after);
  const paths = [...new Set([...left.keys(), ...right.keys()])];
  return paths
    .filter((path) => !IGNORED.has(path.split('.').pop() ?? path))
    .filter((path) => JSON.stringify(left.get(path)) !== JSON.stringify(right.get(path)))
    .map((path) => ({ path, label: fieldLabel(path), before: formatValue(left.get(path)), after: formatValue(right.get(path)) }));
}
