import type { Page } from 'playwright-core';
import { defaultEnterpriseSettings } from '@switchboard/shared';
import { DEV_PROVIDER_TENANT } from '../../bot/src/dev/dev-sign-in';
import { makeUser } from '../../shared/test/users';
import { browserSuite, checkAccessibility, screenshotBothThemes, signIn } from './browser';

/**
 * The Numbers page in Chromium against the real server: add a range (a result per
 * number), assign one number to a user found with the picker, create an SMS group
 * with owners and members. Each step is checked in storage too.
 */
const ENTERPRISE = 'numberly';
const TENANT = '7e57e57e-0000-4000-8000-00000000a0b1';

const person = (id: string, displayName: string) => makeUser({ enterpriseId: ENTERPRISE, id, displayName, userPrincipalName: `${id}@numberly.example`, mail: `${id}@numberly.example` });

describe('Numbers page in Chromium', () => {
  const suite = browserSuite({
    setup: async (runtime) => {
      const at = new Date().toISOString();
      await runtime.services.enterpriseRepository.create({ id: ENTERPRISE, name: 'Numberly', tenantId: TENANT, providerId: DEV_PROVIDER_TENANT, createdAt: at, updatedAt: at, settings: { ...defaultEnterpriseSettings, allowProviderManagement: true } });
      await runtime.services.userRepository.createMany([person('nina', 'Nina Numbers'), person('omar', 'Omar Owner'), person('mia', 'Mia Member')]);
      runtime.services.users.invalidate(ENTERPRISE);
    },
  });

  async function openNumbers(): Promise<Page> {
    const page = await suite.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, suite.runtime.url, 'Pat Provider');
    await page.evaluate((hash) => (window.location.hash = hash), `#/admin/enterprises/${ENTERPRISE}/numbers`);
    await page.getByRole('tab', { name: 'Inventory' }).waitFor();
    return page;
  }

  const stored = async (number: string) => (await suite.runtime.services.numberRepository.get(ENTERPRISE, number))?.value;

  it('adds a range, assigns a number to a user and creates an SMS group with members', async () => {
    const page = await openNumbers();
    await page.getByText('No numbers yet.').waitFor();
    await checkAccessibility(page, 'numbers-empty');

    // A range, checked with the server's rule as it is typed.
    await page.getByRole('button', { name: 'Add numbers' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('tab', { name: 'A range' }).click();
    await dialog.getByLabel('From').fill('+14155550700');
    await dialog.getByLabel('To (included)').fill('+442079460958');
    await dialog.getByRole('button', { name: 'Add range' }).click();
    await dialog.getByText(/different countries/).waitFor();
    await dialog.getByLabel('To (included)').fill('+14155550709');
    await dialog.getByText('10 numbers.').waitFor();
    await dialog.getByLabel('Label').fill('Support line');
    await checkAccessibility(page, 'numbers-add-dialog');
    await dialog.getByRole('button', { name: 'Add range' }).click();
    await dialog.getByText('10 of 10 numbers added.').waitFor();
    expect(await dialog.getByRole('table', { name: 'Result per number' }).getByRole('row').count()).toBe(11);
    await dialog.getByRole('button', { name: 'Done' }).click();
    const table = page.getByRole('table', { name: 'Numbers' });
    await table.getByText('+1 415 555 0709').waitFor();
    expect((await stored('+14155550705'))?.label).toBe('Support line');

    // Assign one to a user found by name.
    await table.getByRole('button', { name: 'Actions for +1 415 555 0701' }).click();
    await page.getByRole('menuitem', { name: 'Assign…' }).click();
    const assign = page.getByRole('dialog');
    await assign.getByRole('combobox', { name: 'User' }).pressSequentially('Nina');
    await page.getByRole('option', { name: /Nina Numbers/ }).click();
    await assign.getByRole('button', { name: 'Assign' }).click();
    await assign.waitFor({ state: 'detached' });
    await table.getByRole('row').filter({ hasText: '+1 415 555 0701' }).getByText('Nina Numbers').waitFor();
    expect((await stored('+14155550701'))?.holder).toEqual({ type: 'user', id: 'nina', name: 'Nina Numbers' });
    const nina = (await suite.runtime.services.userRepository.get(ENTERPRISE, 'nina'))!.value;
    expect(nina.sms).toEqual({ enabled: true, numbers: ['+14155550701'] });

    // An assigned number cannot be deleted: the dialog warns, and shows the server's refusal.
    await table.getByRole('button', { name: 'Actions for +1 415 555 0701' }).click();
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    const remove = page.getByRole('dialog');
    await remove.getByText(/It is assigned, so Switchboard will refuse/).waitFor();
    await remove.getByRole('button', { name: 'Delete' }).click();
    await remove.getByText('The number was not deleted').waitFor();
    await remove.getByText(/Nina Numbers/).waitFor();
    await remove.getByRole('button', { name: 'Close' }).click();
    expect(await stored('+14155550701')).toBeDefined();

    // Filter: held by Nina, then only the unassigned ones.
    await page.getByRole('combobox', { name: 'Held by' }).pressSequentially('Nina');
    await page.getByRole('option', { name: 'Nina Numbers' }).click();
    await page.getByText('1–1 of 1').waitFor();
    await page.getByRole('combobox', { name: 'Held by' }).click();
    await page.getByRole('option', { name: 'Anyone' }).click();
    await page.getByText('1–10 of 10').waitFor();

    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Unassigned' }).click();
    await page.getByText('1–9 of 9').waitFor();
    await screenshotBothThemes(page, 'page-numbers');

    // An SMS group with an owner, a member and a number of the range.
    await page.getByRole('tab', { name: /SMS groups/ }).click();
    await page.getByText('No SMS groups yet.').waitFor();
    await page.getByRole('button', { name: 'New SMS group' }).click();
    const group = page.getByRole('dialog');
    await group.getByRole('button', { name: 'Create group' }).click();
    await group.getByText('Give the group a name.').waitFor();
    await group.getByText('An SMS group needs at least one owner.').waitFor();
    await group.getByLabel('Group name').fill('Dispatch');
    await group.getByLabel('Number').fill('+1 415 555 0702');
    await group.getByRole('combobox', { name: 'Owners' }).pressSequentially('Omar');
    await page.getByRole('option', { name: /Omar Owner/ }).click();
    await group.getByRole('combobox', { name: 'Members' }).pressSequentially('Mia');
    await page.getByRole('option', { name: /Mia Member/ }).click();
    await checkAccessibility(page, 'sms-group-dialog');
    await screenshotBothThemes(page, 'page-numbers-sms-group');
    await group.getByRole('button', { name: 'Create group' }).click();
    await group.waitFor({ state: 'detached' });
    const groups = page.getByRole('table', { name: 'SMS groups' });
    await groups.getByRole('row').filter({ hasText: 'Dispatch' }).getByText('+1 415 555 0702').waitFor();
    await groups.getByText('2 members').waitFor();

    const saved = [];
    for await (const entry of suite.runtime.services.smsGroupRepository.listAll(ENTERPRISE)) saved.push(entry.value);
    expect(saved).toEqual([expect.objectContaining({ name: 'Dispatch', number: '+14155550702', ownerIds: ['omar'], memberIds: expect.arrayContaining(['omar', 'mia']) })]);
    expect((await stored('+14155550702'))?.holder).toMatchObject({ type: 'group', name: 'Dispatch' });
    await checkAccessibility(page, 'sms-groups');
  });
});
