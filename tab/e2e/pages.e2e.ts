import { browserSuite, checkAccessibilityBothThemes, screenshotBothThemes, signIn } from './browser';

/**
 * Every page of the admin tab passes axe-core (no serious or critical violation) and
 * is photographed in the light and dark themes (test-artifacts/screenshots/).
 */
describe('admin pages: accessibility and themes', () => {
  const suite = browserSuite();

  it('sign-in page', async () => {
    const page = await suite.newPage();
    await page.goto(`${suite.runtime.url}/index.html#/admin`);
    await page.getByRole('button', { name: /Pat Provider/ }).waitFor();
    await checkAccessibilityBothThemes(page, 'sign-in');
    await screenshotBothThemes(page, 'page-sign-in');
  });

  it('enterprises page (provider admin) and its add dialog', async () => {
    const page = await suite.newPage();
    await signIn(page, suite.runtime.url, 'Pat Provider');
    await page.getByRole('table', { name: 'Enterprises' }).getByRole('link', { name: 'Contoso' }).waitFor();
    await checkAccessibilityBothThemes(page, 'enterprises');
    await screenshotBothThemes(page, 'page-enterprises');

    await page.getByRole('button', { name: 'Add enterprise' }).click();
    await page.getByRole('dialog').waitFor();
    await checkAccessibilityBothThemes(page, 'add-enterprise-dialog');
    await screenshotBothThemes(page, 'page-enterprises-add');
  });

  it('settings and activity pages (global admin)', async () => {
    const page = await suite.newPage();
    await signIn(page, suite.runtime.url, 'Grace Global');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('form').waitFor();
    await checkAccessibilityBothThemes(page, 'settings');
    await screenshotBothThemes(page, 'page-settings');

    await nav.getByRole('tab', { name: 'Activity' }).click();
    await page.getByRole('main').getByRole('heading', { level: 1, name: /Activity/ }).waitFor();
    await page.getByRole('main').getByText(/Contoso/).first().waitFor();
    await checkAccessibilityBothThemes(page, 'activity');
    await screenshotBothThemes(page, 'page-activity');
  });

  it('messages page of a user without a number says what to do', async () => {
    const page = await suite.newPage();
    await signIn(page, suite.runtime.url, 'Uma User');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('tab', { name: 'Messages' }).click();
    // No simulator carrier in this server: Uma holds no number and has no conversations.
    await page.getByText('You have no SMS number yet.').waitFor();
    await page.getByText('No conversations yet.').waitFor();
    await checkAccessibilityBothThemes(page, 'messages-empty');
    await screenshotBothThemes(page, 'page-messages-empty');
  });
});
