import type { Page } from 'playwright-core';
import { browserSuite, checkAccessibility, screenshotBothThemes, signIn } from './browser';

/**
 * The Settings page's additions in Chromium against the real server: a carrier
 * connection added with a field error first (its secret is never shown back, on the
 * page or by the API), the reply to STOP changed, Chat turned off.
 */
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'f00dbabe'.repeat(4);

describe('Settings page in Chromium', () => {
  const suite = browserSuite();

  async function openSettings(): Promise<Page> {
    const page = await suite.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, suite.runtime.url, 'Grace Global');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('form').waitFor();
    return page;
  }

  const contoso = async () => (await suite.runtime.services.enterpriseRepository.byId('contoso'))!.value;

  it('adds a carrier connection whose secret never comes back', async () => {
    const page = await openSettings();
    const card = page.getByRole('heading', { name: 'Carrier connections' });
    await card.waitFor();
    await page.getByRole('button', { name: 'Add connection' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Connection label').fill('Twilio US');
    await dialog.getByLabel('Account SID').fill('AC123');
    await dialog.getByLabel('Auth token').fill(AUTH_TOKEN);
    await checkAccessibility(page, 'carrier-connection-dialog');
    await dialog.getByRole('button', { name: 'Add connection' }).click();
    // The server's message lands next to the field it names.
    await dialog.getByText(/A Twilio Account SID is "AC" and 32 hex digits/).first().waitFor();
    await dialog.getByLabel('Account SID').fill(ACCOUNT_SID);
    await dialog.getByRole('button', { name: 'Add connection' }).click();
    await dialog.waitFor({ state: 'detached' });

    const list = page.getByRole('list', { name: 'Carrier connections' });
    await list.getByText('Twilio US').waitFor();
    await list.getByText('Auth token: Set').waitFor();
    await list.getByText(`Account SID: ${ACCOUNT_SID}`).waitFor();
    expect(await page.content()).not.toContain(AUTH_TOKEN);

    // Editing never fills the secret in: replacing it means typing a new one.
    await page.getByRole('button', { name: 'Edit Twilio US' }).click();
    const edit = page.getByRole('dialog');
    await edit.getByRole('switch', { name: 'Replace the credentials' }).click();
    expect(await edit.getByLabel('Auth token').inputValue()).toBe('');
    expect(await edit.getByLabel('Account SID').inputValue()).toBe(ACCOUNT_SID);
    expect(await page.content()).not.toContain(AUTH_TOKEN);
    await edit.getByRole('button', { name: 'Cancel' }).click();

    const [stored] = (await suite.runtime.services.carrierConnections.list({ userId: 'test', name: 'Test', tenantId: (await contoso()).tenantId, role: 'global-admin', enterpriseId: 'contoso' }, 'contoso')).items;
    expect(stored).toMatchObject({ name: 'Twilio US', type: 'twilio', credentials: { accountSid: ACCOUNT_SID, authToken: '••••••••' } });
    await screenshotBothThemes(page, 'page-settings-carriers');
  });

  it('changes the reply to STOP and turns Chat off, keeping the rest', async () => {
    const page = await openSettings();
    await page.getByLabel('Reply to STOP').fill('   ');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The reply to STOP cannot be empty: write the text people receive.').waitFor();

    await page.getByLabel('Reply to STOP').fill('You will get no more texts from Contoso. Reply START to undo.');
    await page.getByRole('switch', { name: 'Chat enabled' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.fui-ToastTitle', { hasText: 'Settings saved' }).waitFor();
    const settings = (await contoso()).settings;
    expect(settings).toMatchObject({ optOutReply: 'You will get no more texts from Contoso. Reply START to undo.', chatEnabled: false, optOutScope: 'number' });

    // With Chat off, the exceptions card offers to turn it on for particular people.
    await page.getByText('Chat is off for the enterprise. Turn it on for particular people here.').waitFor();
    // A toast fading out is half transparent, which axe reads as low contrast: check the page once it has gone.
    await page.locator('.fui-ToastTitle').waitFor({ state: 'detached' });
    await checkAccessibility(page, 'settings');
    await screenshotBothThemes(page, 'page-settings-compliance');
  });
});
