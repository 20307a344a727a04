import { describe, expect, it } from '@jest/globals';
import type { SmsImportReport, SmsUserView } from '../../api/users';
import { queryString } from '../../api/users';
import { fileNameOf } from '../../api/http';
import { problemsOf, reportSummary } from './importReport';
import { addNumbers, availableFor, draftOf, isDirty, removeNumbers, sectionOf } from './smsDraft';
import { countHint, lengthHint, problemAdding, problemRenaming, problemWithList } from './tagRules';
import { EMPTY_FILTERS, activeChips, countLabel, filtersFromLink, isFiltered, resetFilters, toQuery, withTag, withoutChip } from './usersFilters';

describe('Users page filters', () => {
  it('sends only what narrows the list, with tags repeated', () => {
    expect(toQuery(EMPTY_FILTERS)).toEqual({ sort: 'username', order: 'asc' });
    const filters = { ...EMPTY_FILTERS, search: '  jane ', username: 'doe', tags: ['Sales', 'VIP'], license: 'without' as const, sort: 'tags' as const, order: 'desc' as const };
    expect(toQuery(filters)).toEqual({ search: 'jane', username: 'doe', tag: ['Sales', 'VIP'], license: 'without', sort: 'tags', order: 'desc' });
    expect(queryString(toQuery(filters) as Record<string, string | string[]>)).toBe('?sort=tags&order=desc&search=jane&username=doe&tag=Sales&tag=VIP&license=without');
  });

  it('shows a chip per filter, and removing one keeps the others', () => {
    let filters = withTag(withTag({ ...EMPTY_FILTERS, smsNumber: '425', services: 'sms-enabled' }, 'Sales'), 'sales');
    expect(filters.tags).toEqual(['Sales']);
    filters = withTag(filters, 'VIP');
    expect(activeChips(filters).map((c) => c.label)).toEqual(['SMS number: 425', 'SMS Enabled', 'Tag: Sales', 'Tag: VIP']);
    const fewer = withoutChip(filters, 'tag:sales');
    expect(fewer.tags).toEqual(['VIP']);
    expect(withoutChip(fewer, 'services').services).toBe('');
    expect(isFiltered({ ...EMPTY_FILTERS, order: 'desc' })).toBe(false);
    expect(toQuery({ ...EMPTY_FILTERS, status: 'outside' })).toMatchObject({ selection: 'outside' });
    expect(toQuery({ ...EMPTY_FILTERS, status: 'removed' })).toMatchObject({ status: 'removed' });
    expect(activeChips({ ...EMPTY_FILTERS, status: 'outside' }).map((c) => c.label)).toEqual(['Outside selection']);
    expect(resetFilters({ ...filters, sort: 'license', order: 'desc' })).toEqual({ ...EMPTY_FILTERS, sort: 'license', order: 'desc' });
  });

  it('opens filtered as a link asks, ignoring what it does not know', () => {
    expect(filtersFromLink(new URLSearchParams('license=without&services=sms-enabled'))).toEqual({ ...EMPTY_FILTERS, license: 'without', services: 'sms-enabled' });
    expect(filtersFromLink(new URLSearchParams('license=maybe&status=removed&search=x'))).toEqual({ ...EMPTY_FILTERS, status: 'removed' });
    expect(filtersFromLink(new URLSearchParams(''))).toEqual(EMPTY_FILTERS);
  });

  it('counts "of" everyone only when filtered', () => {
    expect(countLabel(1234, 50000)).toBe('1,234 of 50,000 users');
    expect(countLabel(50000, 50000)).toBe('50,000 users');
    expect(countLabel(1, undefined)).toBe('1 user');
  });
});

describe('tag limits (the shared rules)', () => {
  it('shows characters and count as you type', () => {
    expect(lengthHint('Customer success')).toEqual({ text: '16/20', over: false });
    expect(lengthHint('Customer success team')).toEqual({ text: '21/20', over: true });
    expect(countHint(['a', 'b', 'c'])).toEqual({ text: '3/5', full: false });
    expect(countHint(['a', 'b', 'c', 'd', 'e']).full).toBe(true);
  });

  it('checks a new name for a tag with the same rule, and asks for a change', () => {
    expect(problemRenaming('Sales', 'Field sales')).toBeUndefined();
    expect(problemRenaming('Sales', 'Sales')).toBe('Type the new name.');
    expect(problemRenaming('Sales', 'x'.repeat(21))).toMatch(/20/);
    expect(problemRenaming('Sales', '   ')).toBeDefined();
  });

  it('names the problem with a tag before it is added', () => {
    expect(problemAdding([], '')).toBeUndefined();
    expect(problemAdding([], '', true)).toBe('A tag cannot be empty.');
    expect(problemAdding([], 'Customer success team')).toBe('A tag can have at most 20 characters.');
    expect(problemAdding(['VIP'], 'vip')).toMatch(/repeats the tag "VIP"/);
    expect(problemAdding(['a', 'b', 'c', 'd', 'e'], 'Sixth')).toBe('A user can have at most 5 tags. Remove one to add "Sixth".');
    expect(problemAdding(['Sales'], 'Support')).toBeUndefined();
    expect(problemWithList(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('A user can have at most 5 tags.');
  });
});

const view: SmsUserView = {
  userId: 'jane',
  displayName: 'Jane Doe',
  username: 'jane@contoso.com',
  licensed: true,
  warning: null,
  removed: false,
  enabled: true,
  numbers: [{ number: '+14255550100', display: '+1 425 555 0100' }],
  tags: ['Sales'],
  available: [{ number: '+14255550101', display: '+1 425 555 0101', label: '' }],
  availableTotal: 1,
  userEtag: 'W/"1"',
  etag: 'W/"1"',
};

describe('SMS User Configuration draft', () => {
  it('moves numbers between Available and Assigned, and a released number becomes available', () => {
    let draft = draftOf(view);
    expect(isDirty(view, draft)).toBe(false);
    draft = addNumbers(draft, view.available, new Set(['+14255550101']));
    expect(draft.numbers.map((n) => n.number)).toEqual(['+14255550100', '+14255550101']);
    expect(availableFor(view.available, view.numbers, draft)).toEqual([]);
    draft = removeNumbers(draft, new Set(['+14255550100']));
    expect(availableFor(view.available, view.numbers, draft).map((n) => n.number)).toEqual(['+14255550100']);
    expect(availableFor(view.available, view.numbers, draft, '0199')).toEqual([]);
    expect(isDirty(view, draft)).toBe(true);
  });

  it('puts API field issues next to their part of the dialog', () => {
    expect(sectionOf('numbers.1')).toBe('numbers');
    expect(sectionOf('tags.0')).toBe('tags');
    expect(sectionOf('(body)')).toBeUndefined();
  });
});

describe('import report', () => {
  const report: SmsImportReport = {
    importId: 'i1',
    fileName: 'users.csv',
    fileSha256: 'x',
    ignoredColumns: ['Display name'],
    canApply: false,
    summary: { rows: 3, ok: 1, warnings: 1, errors: 1, unchanged: 0 },
    rows: [
      { line: 2, username: 'a@x', userId: 'a', displayName: 'A', numbers: [], enabled: true, tags: null, status: 'warning', problems: [{ field: 'username', severity: 'warning', message: 'No Teams license.' }], changes: true, after: [] },
      { line: 3, username: 'b@x', userId: null, displayName: null, numbers: [], enabled: true, tags: null, status: 'error', problems: [{ field: 'numbers', severity: 'error', message: 'Not in the inventory.' }], changes: false, after: [] },
      { line: 4, username: 'c@x', userId: 'c', displayName: 'C', numbers: [], enabled: false, tags: null, status: 'ok', problems: [], changes: true, after: [] },
    ],
  };

  it('lists errors first, each with its row and field', () => {
    expect(problemsOf(report)).toEqual([
      { line: 3, username: 'b@x', field: 'SMS numbers', severity: 'error', message: 'Not in the inventory.' },
      { line: 2, username: 'a@x', field: 'Teams username', severity: 'warning', message: 'No Teams license.' },
    ]);
    expect(reportSummary(report)).toBe('3 rows: 1 ready, 1 with warnings, 1 with errors. Ignored columns: Display name.');
  });
});

describe('downloads', () => {
  it('reads the file name the server suggests', () => {
    expect(fileNameOf(`attachment; filename="users.csv"; filename*=UTF-8''users%20%C3%A9.csv`)).toBe('users é.csv');
    expect(fileNameOf('attachment; filename="users.csv"')).toBe('users.csv');
    expect(fileNameOf(null)).toBeUndefined();
  });
});
