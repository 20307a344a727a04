import type { Page } from 'playwright-core';
import { makeMessage } from '../../shared/test/messages';
import { browserSuite, checkAccessibilityBothThemes, screenshotBothThemes, signIn } from './browser';

/**
 * The personal Messages tab in a real browser, against the real server and dev mode's
 * simulator carrier: a customer texts Uma's number from the customer phone (its API),
 * Uma answers from the tab, and the phone receives the reply.
 */
const UMA_NUMBER = '+14255550100';
const CUSTOMER = '+12065550123';
const UMA = { userId: 'cccccccc-0000-4000-8000-000000000003', name: 'Uma User', tenantId: '11111111-1111-4111-8111-111111111111', role: 'user', enterpriseId: 'contoso' } as const;

interface PhoneMessage {
  mine: boolean;
  text: string;
  status: string;
}

describe('Messages tab in Chromium', () => {
  const suite = browserSuite({ devCarrier: true });

  const phoneSend = async (from: string, text: string, media?: { mediaUrl: string; mediaContentType: string }) => {
    const response = await fetch(`${suite.runtime.url}/dev/phone/api/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to: UMA_NUMBER, text, ...media }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ delivered: true });
    await suite.runtime.services.inboundSms.settleAll();
  };
  const phoneThread = async (phone: string, enterpriseNumber = UMA_NUMBER): Promise<PhoneMessage[]> => {
    const response = await fetch(`${suite.runtime.url}/dev/phone/api/messages?${new URLSearchParams({ phone, with: enterpriseNumber })}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: PhoneMessage[] }).items;
  };

  const openMessages = async (page: Page, query = '') => {
    await signIn(page, suite.runtime.url, 'Uma User', query);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('tab', { name: 'Messages' }).click();
    await page.getByRole('main').getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
  };

  it('lets Uma read a customer text, answer it with a live segment counter, and the customer phone receives the reply', async () => {
    await phoneSend(CUSTOMER, 'Hi, is my order ready?');

    const page = await suite.newPage();
    await openMessages(page);
    const conversations = page.getByRole('list', { name: 'Conversations' });
    const item = conversations.getByRole('button', { name: /\+1 206 555 0123/ });
    await item.waitFor();
    await expect(item.textContent()).resolves.toMatch(/Hi, is my order ready\?/);
    await expect(item.textContent()).resolves.toMatch(/on \+1 425 555 0100/);
    await item.getByText('1 unread message').waitFor(); // the badge, as screen readers hear it
    await checkAccessibilityBothThemes(page, 'messages-list');
    await screenshotBothThemes(page, 'messages-list');

    await item.click();
    const thread = page.getByRole('log', { name: /Messages with \+1 206 555 0123/ });
    await thread.getByText('Hi, is my order ready?').waitFor();
    // Opened is read: the badge goes, and the server agrees.
    await item.getByText('1 unread message').waitFor({ state: 'detached' });
    const unread = await suite.runtime.services.conversations.unreadTotal(UMA, 'contoso', { scope: 'mine' });
    expect(unread.unread).toBe(0);

    // The counter follows the shared rule: GSM-7 until one character needs UCS-2.
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Yes, ready for pickup');
    await page.getByText('1 segment · GSM-7 · 139 left').waitFor();
    await box.fill('Yes, ready for pickup 🎉');
    await page.getByText('1 segment · UCS-2 · 46 left').waitFor();
    await box.fill('a'.repeat(1531));
    await page.getByText(/Too long: 11 segments; a message may have at most 10/).waitFor();
    expect(await page.getByRole('button', { name: 'Send' }).getAttribute('aria-disabled')).toBe('true');

    await box.fill('Yes, ready for pickup at the front desk.');
    await box.press('Control+Enter');
    const bubble = thread.locator('[data-status]', { hasText: 'Yes, ready for pickup at the front desk.' });
    await bubble.waitFor();
    expect(await box.inputValue()).toBe('');
    // The status moves on as the carrier reports it, polled by the thread.
    await thread.locator('[data-status="delivered"]', { hasText: 'Yes, ready for pickup' }).waitFor({ timeout: 20_000 });
    await bubble.getByText('Delivered').waitFor();

    const received = await phoneThread(CUSTOMER);
    expect(received).toEqual(expect.arrayContaining([expect.objectContaining({ mine: true, text: 'Hi, is my order ready?' }), expect.objectContaining({ mine: false, text: 'Yes, ready for pickup at the front desk.', status: 'delivered' })]));
    const stored = await suite.runtime.services.conversations.history(UMA, 'contoso', '14255550100_12065550123');
    const reply = stored.items.find((m) => m.body === 'Yes, ready for pickup at the front desk.');
    expect(reply?.statusHistory.map((s) => s.status)).toEqual(expect.arrayContaining(['queued', 'sent', 'delivered']));

    // The open thread polls: the customer's answer shows up without a reload, and is read.
    const markedRead = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/conversations/14255550100_12065550123/read'));
    await phoneSend(CUSTOMER, 'Great, see you soon!');
    await thread.getByText('Great, see you soon!').waitFor();
    expect((await markedRead).status()).toBe(200);
    expect((await suite.runtime.services.conversations.unreadTotal(UMA, 'contoso', { scope: 'mine' })).unread).toBe(0);

    await checkAccessibilityBothThemes(page, 'messages-thread');
    await screenshotBothThemes(page, 'messages-thread');

    // The status badge's tooltip tells the whole story, keyboard included.
    await bubble.getByText('Delivered').focus();
    await page.getByRole('tooltip').getByText(/Queued .* → .*Delivered/).waitFor();
  });

  it('starts a conversation from the number picked, keeps the text when the send fails, and shows the error next to the recipient', async () => {
    // A second number: the composer asks which one to send from.
    const second = (await suite.runtime.services.numberRepository.get('contoso', '+14255550101'))!;
    await suite.runtime.services.numberRepository.update(second, { ...second.value, holder: { type: 'user', id: UMA.userId, name: UMA.name } });
    suite.runtime.services.numberCache.invalidate('contoso');

    const page = await suite.newPage();
    await openMessages(page, '?theme=dark');
    await page.getByRole('button', { name: 'New' }).click();
    await page.getByRole('heading', { name: 'New conversation' }).waitFor();
    const from = page.getByRole('combobox', { name: 'From' });
    expect(await from.locator('option').allTextContents()).toEqual(['+1 425 555 0100', '+1 425 555 0101']);
    await from.selectOption('+14255550101');

    const to = page.getByRole('combobox', { name: /To/ });
    const box = page.getByRole('textbox', { name: 'Message' });
    await to.fill('+1 555');
    await box.fill('Your prescription is ready.');
    await page.getByRole('button', { name: 'Send' }).click();
    const recipientField = page.locator('.fui-Field', { has: to });
    await recipientField.locator('.fui-Field__validationMessage').waitFor();
    expect(await box.inputValue()).toBe('Your prescription is ready.');
    await checkAccessibilityBothThemes(page, 'messages-new-error');
    await screenshotBothThemes(page, 'messages-new-error');

    await to.fill('+1 312 555 0142');
    await page.getByRole('button', { name: 'Send' }).click();
    const thread = page.getByRole('log', { name: /Messages with \+1 312 555 0142/ });
    await thread.getByText('Your prescription is ready.').waitFor();
    await page.getByText('on +1 425 555 0101').first().waitFor();
    await thread.locator('[data-status="delivered"]').waitFor({ timeout: 20_000 });
    expect((await phoneThread('+13125550142', '+14255550101')).map((m) => m.text)).toEqual(['Your prescription is ready.']);
  });

  it('adds a personal contact whose name then names the conversation, and shows one pane at a time when narrow', async () => {
    await phoneSend('+12065550177', 'Do you deliver on Sundays?');
    await phoneSend('+12065550177', 'This is the one I need', { mediaUrl: `${suite.runtime.url}/favicon.svg`, mediaContentType: 'image/svg+xml' });
    await phoneSend('+12065550177', 'And the prescription', { mediaUrl: `${suite.runtime.url}/favicon.svg?as=pdf`, mediaContentType: 'application/pdf' });
    const page = await suite.newPage({ width: 420, height: 800 });
    await openMessages(page);
    await page.getByRole('tab', { name: 'Contacts' }).click();
    await page.getByRole('button', { name: 'Add' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Jane Customer');
    await dialog.getByLabel('Phone number').fill('12');
    await dialog.getByRole('button', { name: 'Save contact' }).click();
    await dialog.locator('.fui-Field__validationMessage').first().waitFor();
    expect(await dialog.getByLabel('Name').inputValue()).toBe('Jane Customer');
    await dialog.getByLabel('Phone number').fill('+1 206 555 0177');
    await dialog.getByRole('button', { name: 'Save contact' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Message Jane Customer' }).waitFor();
    await checkAccessibilityBothThemes(page, 'messages-contacts-narrow');
    await screenshotBothThemes(page, 'messages-contacts-narrow');

    await page.getByRole('tab', { name: 'Conversations' }).click();
    const item = page.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: /Jane Customer/ });
    await item.click();
    // Narrow: the thread replaces the list, with a way back.
    const thread = page.getByRole('log', { name: 'Messages with Jane Customer' });
    await thread.waitFor();
    // Pictures show inline, other media as links.
    const picture = thread.getByRole('img', { name: 'Picture 1 (image/svg+xml)' });
    await picture.waitFor();
    await page.waitForFunction((img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0, await picture.elementHandle());
    expect(await thread.getByRole('link', { name: /Attachment 1 \(application\/pdf\)/ }).getAttribute('href')).toBe(`${suite.runtime.url}/favicon.svg?as=pdf`);
    await screenshotBothThemes(page, 'messages-thread-narrow');
    expect(await page.getByRole('list', { name: 'Conversations' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    await item.waitFor();
  });

  it('says why a text to someone who replied STOP is refused, and keeps the text', async () => {
    await phoneSend('+12065550188', 'STOP');
    const page = await suite.newPage();
    await openMessages(page);
    await page.getByRole('list', { name: 'Conversations' }).getByRole('button', { name: /\+1 206 555 0188/ }).click();
    const thread = page.getByRole('log', { name: /Messages with \+1 206 555 0188/ });
    await thread.getByText('STOP', { exact: true }).waitFor();

    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Your order shipped today.');
    await box.press('Control+Enter');
    await page.getByRole('alert').getByText(/\+1 206 555 0188 replied STOP to \+1 425 555 0100 .*they must text START/).waitFor();
    expect(await box.inputValue()).toBe('Your order shipped today.');
    expect((await phoneThread('+12065550188')).map((m) => m.text)).not.toContain('Your order shipped today.');
    await checkAccessibilityBothThemes(page, 'messages-opted-out');
    await screenshotBothThemes(page, 'messages-opted-out');
  });

  it('shows older conversations page by page after the newest fifty', async () => {
    // Sixty conversations from last year, recorded as the router records them.
    const { services } = suite.runtime;
    for (let i = 0; i < 60; i++) {
      const at = new Date(Date.UTC(2025, 0, 1, 9, i)).toISOString();
      const external = `+1206555${String(7000 + i)}`;
      await services.conversations.recordMessage(
        makeMessage('contoso', 'inbound', UMA_NUMBER, external, `Old question ${i}`, at, { holder: { type: 'user', id: UMA.userId, name: UMA.name }, recipients: [UMA.userId] }),
      );
    }
    const page = await suite.newPage();
    await openMessages(page);
    const conversations = page.getByRole('list', { name: 'Conversations' });
    await conversations.getByText('Old question 59').waitFor();
    // The oldest are past the first page until asked for.
    expect(await conversations.getByText('Old question 0', { exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Show older conversations' }).click();
    await conversations.getByText('Old question 0', { exact: true }).waitFor();
    const shown = await conversations.getByText(/^Old question \d+$/).allTextContents();
    expect(new Set(shown).size).toBe(60);
    expect(shown.indexOf('Old question 1')).toBeLessThan(shown.indexOf('Old question 0')); // still newest first
    await page.getByRole('button', { name: 'Show older conversations' }).waitFor({ state: 'detached' });
  });
});
