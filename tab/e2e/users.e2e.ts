import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { defaultEnterpriseSettings, type DirectoryUser, type Principal } from '@switchboard/shared';
import { DEV_PROVIDER_TENANT } from '../../bot/src/dev/dev-sign-in';
import { makeUser } from '../../shared/test/users';
import { browserSuite, checkAccessibility, checkAccessibilityBothThemes, screenshot, screenshotBothThemes, signIn } from './browser';

/**
 * The Users page in Chromium against the real server: search and stacked filters,
 * the SMS User Configuration (assigning a number, tag limits, a conflict), the bulk
 * import (a file with errors, then a fixed one) and the export. The enterprise is one
 * of the test's own, with a tenant the Graph simulator does not know, so no sync
 * changes its users under the test.
 */
const ENTERPRISE = 'northwind';
const TENANT = '7e57e57e-0000-4000-8000-00000000e2e1';
const NUMBERS = ['+14255550100', '+14255550101', '+14255550102', '+14255550103'];

const user = (id: string, overrides: Partial<DirectoryUser> = {}) =>
  makeUser({ enterpriseId: ENTERPRISE, id, userPrincipalName: `${id}@northwind.example`, mail: `${id}@northwind.example`, ...overrides });

/** 24 people: every third has the tag Sales, every fourth no Teams licence; plus three named ones. */
const USERS: DirectoryUser[] = [
  ...Array.from({ length: 24 }, (_, i) =>
    user(`person${String(i).padStart(2, '0')}`, {
      displayName: `Person ${i}`,
      tags: i % 3 === 0 ? ['Sales'] : i % 3 === 1 ? ['Support'] : [],
      teamsLicensed: i % 4 !== 0,
    }),
  ),
  user('jane.doe', { displayName: 'Jane Doe', tags: ['Sales', 'VIP'], sms: { enabled: true, numbers: [NUMBERS[0]!] } }),
  user('john.smith', { displayName: 'John Smith', tags: ['Sales'] }),
  user('mary.major', { displayName: 'Mary Major', teamsLicensed: false }),
  user('ola.nordmann', { displayName: 'Ola Nordmann', removed: true }),
];

const provider: Principal = { userId: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'Pat Provider', tenantId: DEV_PROVIDER_TENANT, role: 'provider-admin', providerId: DEV_PROVIDER_TENANT };

describe('Users page in Chromium', () => {
  const suite = browserSuite({
    setup: async (runtime) => {
      const at = new Date().toISOString();
      const services = runtime.services;
      await services.enterpriseRepository.create({
        id: ENTERPRISE,
        name: 'Northwind',
        tenantId: TENANT,
        providerId: DEV_PROVIDER_TENANT,
        createdAt: at,
        updatedAt: at,
        settings: { ...defaultEnterpriseSettings, allowProviderManagement: true },
      });
      for (const number of NUMBERS) await services.numbers.add(provider, ENTERPRISE, { number, label: number === NUMBERS[3] ? 'Front desk' : undefined });
      await services.userRepository.createMany(USERS);
      // Jane holds her number in the inventory too (as an assignment would leave it).
      await services.smsAssignments.applyUserConfig(ENTERPRISE, 'jane.doe', { enabled: true, numbers: [NUMBERS[0]!] }, { id: 'test', name: 'Test', role: 'system' });
    },
  });

  const usersUrl = `#/admin/enterprises/${ENTERPRISE}/users`;

  async function openUsers(theme = ''): Promise<Page> {
    const page = await suite.newPage();
    // A step that cannot happen fails in seconds, naming the step, instead of timing out the test.
    page.setDefaultTimeout(10_000);
    await signIn(page, suite.runtime.url, 'Pat Provider', theme);
    await page.evaluate((hash) => (window.location.hash = hash), usersUrl);
    await page.getByRole('table', { name: 'Users' }).getByText('jane.doe@northwind.example').waitFor();
    return page;
  }

  const count = (page: Page) => page.getByText(/^\d[\d,]* (of [\d,]+ )?users?$/);
  const rowOf = (page: Page, username: string) => page.getByRole('row').filter({ hasText: `${username}@northwind.example` });
  const stored = async (id: string) => (await suite.runtime.services.userRepository.get(ENTERPRISE, id))!.value;

  it('searches, stacks column filters with chips, shows the empty state and resets', async () => {
    const page = await openUsers();
    await page.getByText('27 users').waitFor();
    await screenshotBothThemes(page, 'users');
    await checkAccessibilityBothThemes(page, 'Users page');

    // Quick search across columns: a tag finds its users, a name finds one.
    const search = page.getByRole('searchbox', { name: 'Search users' });
    await search.fill('jane');
    await page.getByText('1 of 27 users').waitFor();
    expect(await rowOf(page, 'john.smith').count()).toBe(0);
    await page.getByRole('button', { name: 'Clear search' }).click();
    await page.getByText('27 users').waitFor();

    // Column filters stack: tag Sales (10 people) and without a Teams licence (2 of them).
    await page.getByRole('button', { name: 'Filter User tags' }).click();
    await page.getByLabel('User tags: has the tag').fill('sales');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByText('10 of 27 users').waitFor();
    await page.getByRole('combobox', { name: 'License' }).click();
    await page.getByRole('option', { name: 'Without Teams License' }).click();
    await page.getByText('2 of 27 users').waitFor();
    for (const username of ['person00', 'person12']) await rowOf(page, username).waitFor();
    expect(await rowOf(page, 'jane.doe').count()).toBe(0);

    // A third filter on the username column.
    await page.getByRole('button', { name: 'Filter Teams username' }).click();
    await page.getByLabel('Teams username: contains').fill('person12');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('1 of 27 users').waitFor();
    const chips = page.getByRole('toolbar', { name: 'Active filters' }).or(page.getByRole('listbox', { name: 'Active filters' })).or(page.locator('[aria-label="Active filters"]'));
    for (const label of ['Teams username: person12', 'Without Teams License', 'Tag: sales']) await chips.getByText(label).waitFor();

    // Removing one chip drops only that filter.
    await page.getByRole('button', { name: 'Remove filter Teams username: person12' }).click();
    await page.getByText('2 of 27 users').waitFor();

    // Removed users are left out until asked for.
    expect(await rowOf(page, 'ola.nordmann').count()).toBe(0);
    await page.getByRole('button', { name: 'Reset filters' }).first().click();
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Removed from the directory' }).click();
    await page.getByText('1 of 27 users').waitFor();
    await rowOf(page, 'ola.nordmann').getByText('Removed from the directory').waitFor();

    // Nothing matches: the empty state offers to reset.
    await search.fill('nobody-has-this-name');
    await page.getByText('No users match').waitFor();
    await screenshot(page, 'users-empty-light');
    await page.getByRole('main').getByRole('button', { name: 'Reset filters' }).last().click();
    await page.getByText('27 users').waitFor();
    expect(await search.inputValue()).toBe('');

    // Sorting by a column header.
    const firstRow = page.locator('[role="row"][aria-rowindex="2"]');
    await firstRow.getByText('jane.doe@northwind.example').waitFor();
    await page.getByRole('button', { name: 'Teams username', exact: true }).click();
    await page.locator('[role="columnheader"][aria-sort="descending"]', { hasText: 'Teams username' }).waitFor();
    await firstRow.getByText('person23@northwind.example').waitFor();
  });

  it('assigns a number in the SMS User Configuration and the server holds it', async () => {
    const page = await openUsers();
    await rowOf(page, 'john.smith').getByRole('button', { name: 'SMS: SMS not configured for John Smith' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: /SMS User Configuration: John Smith/ }).waitFor();
    await dialog.getByText('Available Numbers (DIDs)').waitFor();
    // Jane's number is not free; the others are.
    await dialog.getByRole('checkbox', { name: /0101/ }).waitFor();
    expect(await dialog.getByRole('checkbox', { name: /0100/ }).count()).toBe(0);
    await screenshotBothThemes(page, 'users-sms-dialog');
    await checkAccessibilityBothThemes(page, 'SMS User Configuration');

    await dialog.getByRole('checkbox', { name: 'Enable SMS Service' }).check();
    await dialog.getByRole('checkbox', { name: /0101/ }).check();
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.getByRole('group', { name: 'Assigned Numbers (DIDs)' }).getByText(/0101/).waitFor();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.fui-ToastTitle', { hasText: 'SMS configuration of John Smith saved' }).waitFor();
    await rowOf(page, 'john.smith').getByText('+1 425 555 0101').waitFor();

    const john = await stored('john.smith');
    expect(john.sms).toEqual({ enabled: true, numbers: ['+14255550101'] });
    const number = await suite.runtime.services.numberRepository.get(ENTERPRISE, '+14255550101');
    expect(number?.value.holder).toMatchObject({ type: 'user', id: 'john.smith' });
  });

  it('shows the tag limits as you type, blocks a tag over them, and keeps the edits through a conflict', async () => {
    const page = await openUsers('?theme=dark');
    await rowOf(page, 'jane.doe').getByRole('button', { name: 'Configure SMS for Jane Doe' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Tags (2/5)').waitFor();

    const input = dialog.getByRole('textbox', { name: 'New tag' });
    await input.fill('Customer success team');
    await dialog.getByText('21/20').waitFor();
    await dialog.getByText('A tag can have at most 20 characters.').waitFor();
    await dialog.getByRole('button', { name: 'Add tag' }).click();
    await dialog.getByText('Tags (2/5)').waitFor();
    // Save refuses too, and names the problem; nothing is sent.
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('A tag can have at most 20 characters.').waitFor();
    expect((await stored('jane.doe')).tags).toEqual(['Sales', 'VIP']);
    await screenshot(page, 'users-tag-limit-dark');

    // A duplicate (ignoring case) is named as such.
    await input.fill('vip');
    await dialog.getByText(/repeats the tag "VIP"/).waitFor();
    for (const tag of ['Berlin', 'Night shift', 'Managers']) {
      await input.fill(tag);
      await input.press('Enter');
    }
    await dialog.getByText('Tags (5/5)').waitFor();
    await input.fill('Sixth');
    await dialog.getByText('A user can have at most 5 tags. Remove one to add "Sixth".').waitFor();
    await input.fill('');

    // Another admin changes Jane meanwhile: the save is refused, the edits stay.
    const current = (await suite.runtime.services.userRepository.get(ENTERPRISE, 'jane.doe'))!;
    await suite.runtime.services.users.setTags(provider, ENTERPRISE, 'jane.doe', current.etag, ['Sales', 'VIP', 'Remote']);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Not saved: someone else changed this user').waitFor();
    await dialog.getByText('Tags (5/5)').waitFor();
    expect((await stored('jane.doe')).tags).toEqual(['Sales', 'VIP', 'Remote']);
    await screenshot(page, 'users-sms-conflict-dark');

    await dialog.getByRole('button', { name: 'Reload, keep my edits' }).click();
    await dialog.getByText('Not saved: someone else changed this user').waitFor({ state: 'detached' });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await stored('jane.doe')).tags).toEqual(['Sales', 'VIP', 'Berlin', 'Night shift', 'Managers']);
    await rowOf(page, 'jane.doe').getByText('Managers').waitFor();
  });

  it('imports a CSV with errors, shows them per row, then imports the fixed file', async () => {
    const page = await openUsers();
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Import SMS configuration' }).waitFor();

    const template = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Download template' }).click();
    expect((await template).suggestedFilename()).toMatch(/\.csv$/);

    const file = dialog.locator('input[type="file"]');
    const bad = ['Teams username,SMS numbers,Enable SMS,Tags', 'mary.major@northwind.example,+14255550102,yes,Night', 'nobody@northwind.example,+14255550103,yes,', 'person01@northwind.example,+14255550100,yes,'].join('\r\n');
    await file.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    const problems = dialog.getByRole('table', { name: 'Problems found in the file' });
    await problems.waitFor();
    await problems.getByRole('row').filter({ hasText: 'nobody@northwind.example' }).getByText('Teams username').waitFor();
    await problems.getByRole('row').filter({ hasText: 'person01@northwind.example' }).getByText('SMS numbers').waitFor();
    await dialog.getByText('Fix the errors, then select the file again').waitFor();
    expect(await dialog.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
    await screenshotBothThemes(page, 'users-import-errors');
    await checkAccessibilityBothThemes(page, 'Import dialog with errors');

    const good = ['Teams username,SMS numbers,Enable SMS,Tags', 'mary.major@northwind.example,+14255550102,yes,Night', 'person01@northwind.example,+14255550103,no,'].join('\r\n');
    await file.setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await dialog.getByText('Ready to import').waitFor();
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await dialog.getByText('Import applied').waitFor();
    await dialog.getByText(/2 users changed/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    expect((await stored('mary.major')).sms).toEqual({ enabled: true, numbers: ['+14255550102'] });
    expect((await stored('mary.major')).tags).toEqual(['Night']);
    expect((await stored('person01')).sms).toEqual({ enabled: false, numbers: ['+14255550103'] });
    await rowOf(page, 'mary.major').getByText('+1 425 555 0102').waitFor();
  });

  it('exports the filtered users as CSV', async () => {
    const page = await openUsers();
    await page.getByRole('combobox', { name: 'License' }).click();
    await page.getByRole('option', { name: 'Without Teams License' }).click();
    await page.getByText(/^\d+ of 27 users$/).waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
    const chunks: Buffer[] = [];
    for await (const chunk of (await file.createReadStream())!) chunks.push(chunk as Buffer);
    const rows = parse(Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, ''), { columns: true }) as Array<Record<string, string>>;
    const expected = USERS.filter((u) => !u.teamsLicensed && !u.removed).map((u) => u.userPrincipalName).sort();
    expect(rows.map((row) => row['Teams username']).sort()).toEqual(expected);
    expect(await count(page).textContent()).toBe(`${expected.length} of 27 users`);
  });

  it('chooses sync groups in Manage User Groups and shows what the change means', async () => {
    const page = await suite.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, suite.runtime.url, 'Grace Global');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('tab', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Groups' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('No group selected:', { exact: true }).waitFor();
    await dialog.getByText('No group selected: everyone is synced.').waitFor();
    await dialog.getByRole('searchbox', { name: 'Search groups' }).fill('All');
    await dialog.getByRole('checkbox', { name: 'All Staff' }).check();
    await dialog.getByRole('button', { name: 'Remove All Staff' }).waitFor();
    await screenshotBothThemes(page, 'users-groups-dialog');
    await checkAccessibilityBothThemes(page, 'Manage User Groups');
    await dialog.getByRole('button', { name: 'Update Groups' }).click();
    await dialog.getByText('Groups updated').waitFor();
    await dialog.getByText(/Only members of the group All Staff/).waitFor();

    const contoso = await suite.runtime.services.enterpriseRepository.byId('contoso');
    expect(contoso?.value.settings.syncGroupIds).toHaveLength(1);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('renames a tag for everyone who has it and removes one, from Manage tags', async () => {
    const page = await openUsers();
    await page.getByRole('button', { name: 'Tags', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Manage tags' });
    const support = dialog.getByRole('list', { name: 'Tags' }).getByRole('listitem').filter({ hasText: 'Support' });
    await support.getByText('Support · 8 users').waitFor();
    await checkAccessibility(page, 'manage-tags');

    await dialog.getByRole('button', { name: 'Rename Support' }).click();
    const name = dialog.getByRole('textbox', { name: 'New name for Support' });
    await name.fill('x'.repeat(21));
    expect(await dialog.getByRole('button', { name: 'Rename', exact: true }).isDisabled()).toBe(true);
    await name.fill('Help desk');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await dialog.getByText('Renamed Support to Help desk for 8 users.').waitFor();
    await dialog.getByText('Help desk · 8 users').waitFor();
    expect((await stored('person01')).tags).toEqual(['Help desk']);

    await dialog.getByRole('button', { name: 'Remove VIP' }).click();
    await dialog.getByText('Remove VIP from 1 user?').waitFor();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await dialog.getByText('Removed VIP from 1 user.').waitFor();
    expect((await stored('jane.doe')).tags).not.toContain('VIP');
    await screenshotBothThemes(page, 'users-manage-tags');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });
});
