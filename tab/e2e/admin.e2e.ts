import { browserSuite, screenshot, signIn } from './browser';

/** The admin tab in a real browser against the real server: sign-in, enterprises, settings, activity. */
describe('admin tab in Chromium', () => {
  const suite = browserSuite();

  it('lets a provider admin sign in, see their enterprises and add one, with field errors first', async () => {
    const page = await suite.newPage();
    await page.goto(`${suite.runtime.url}/index.html#/admin`);
    await page.getByRole('button', { name: /Pat Provider/ }).waitFor();
    await screenshot(page, 'sign-in-light');

    await signIn(page, suite.runtime.url, 'Pat Provider');
    const table = page.getByRole('table', { name: 'Enterprises' });
    await table.getByRole('link', { name: 'Contoso' }).waitFor();
    await table.getByRole('link', { name: 'Fabrikam' }).waitFor();
    await screenshot(page, 'enterprises-light');

    await page.getByRole('button', { name: 'Add enterprise' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Northwind Traders');
    await dialog.getByLabel('Microsoft tenant ID').fill('not-a-guid');
    await dialog.getByRole('button', { name: 'Add enterprise' }).click();
    await dialog.getByText(/GUID/).first().waitFor();
    await dialog.getByLabel('Microsoft tenant ID').fill('4a5b6c7d-1111-4222-8333-444455556666');
    await dialog.getByRole('button', { name: 'Add enterprise' }).click();
    await dialog.waitFor({ state: 'detached' });
    await table.getByRole('link', { name: 'Northwind Traders' }).waitFor();

    const stored = [];
    for await (const e of suite.runtime.services.enterpriseRepository.all()) stored.push(e.value.name);
    expect(stored).toContain('Northwind Traders');
  });

  it('lets a global admin change a setting and see it in the activity feed', async () => {
    const page = await suite.newPage();
    await signIn(page, suite.runtime.url, 'Grace Global', '?theme=dark');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('form').waitFor();
    await screenshot(page, 'settings-dark');

    await page.getByLabel('Sync every (minutes)').fill('45');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.fui-ToastTitle', { hasText: 'Settings saved' }).waitFor();
    expect((await suite.runtime.services.enterpriseRepository.byId('contoso'))?.value.settings.syncIntervalMinutes).toBe(45);

    await page.getByRole('tab', { name: 'Activity' }).click();
    await page.getByText('Changed the sync interval of Contoso.').waitFor();
    await page.getByRole('button', { name: /Show changes/ }).first().click();
    await screenshot(page, 'activity-dark');
  });

  it('keeps the edits and says so when someone else saved first', async () => {
    const page = await suite.newPage();
    await signIn(page, suite.runtime.url, 'Grace Global');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('form').waitFor();
    await page.getByLabel('Name').fill('Contoso Pharmacy');

    // Another admin changes the enterprise behind this page's back.
    const current = await suite.runtime.services.enterpriseRepository.byId('contoso');
    await suite.runtime.services.enterpriseRepository.update(current!, { ...current!.value, settings: { ...current!.value.settings, timeZone: 'Europe/Paris' } });

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Someone else changed these settings').first().waitFor();
    expect(await page.getByLabel('Name').inputValue()).toBe('Contoso Pharmacy');
    expect((await suite.runtime.services.enterpriseRepository.byId('contoso'))?.value.name).toBe('Contoso');
    await screenshot(page, 'settings-conflict-light');
  });
});
