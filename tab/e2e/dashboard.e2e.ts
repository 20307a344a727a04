import type { Page } from 'playwright-core';
import { defaultEnterpriseSettings, SyncStateRepository, zeroCounts } from '@switchboard/shared';
import { DEV_PROVIDER_TENANT } from '../../bot/src/dev/dev-sign-in';
import { makeMessage } from '../../shared/test/messages';
import { browserSuite, checkAccessibility, screenshotBothThemes, signIn } from './browser';

/**
 * The Dashboard in Chromium against the real server: a failed sync and an unrouted
 * text (seeded through the services, as the sync and the router leave them) appear as
 * tasks behind the bell, and the day's traffic in the chart and its table. The
 * enterprise is the test's own, with a tenant the Graph simulator does not know.
 */
const ENTERPRISE = 'dashwood';
const TENANT = '7e57e57e-0000-4000-8000-00000000da51';

describe('Dashboard in Chromium', () => {
  const suite = browserSuite({
    setup: async (runtime) => {
      const services = runtime.services;
      const at = new Date().toISOString();
      await services.enterpriseRepository.create({ id: ENTERPRISE, name: 'Dashwood', tenantId: TENANT, providerId: DEV_PROVIDER_TENANT, createdAt: at, updatedAt: at, settings: { ...defaultEnterpriseSettings, allowProviderManagement: true } });

      // The sync failed, as the sync records it.
      const states = new SyncStateRepository(services.store);
      const failed = { enterpriseId: ENTERPRISE, status: 'failed' as const, processed: 0, counts: zeroCounts(), lastResult: { ...zeroCounts(), runId: 'e2e', mode: 'full' as const, trigger: 'schedule' as const, outcome: 'failed' as const, error: 'Microsoft Graph refused the app: it lacks User.Read.All.', startedAt: at, finishedAt: at, durationMs: 10 } };
      const current = await states.get(ENTERPRISE, 'state');
      if (current) await states.update(current, failed);
      else await states.create(failed);

      // A text to a number nobody holds, routed by the real router (and counted for the chart).
      const message = makeMessage(ENTERPRISE, 'inbound', '+14155550300', '+12065550199', 'Hello, anyone?', at, { status: 'received', id: 'conn1:e2e-unrouted' });
      await services.messages.create(message);
      await services.inboundSms.route(ENTERPRISE, message.id);
      await services.messageStats.flush();
    },
  });

  async function openDashboard(): Promise<Page> {
    const page = await suite.newPage();
    page.setDefaultTimeout(10_000);
    await signIn(page, suite.runtime.url, 'Pat Provider');
    await page.evaluate((hash) => (window.location.hash = hash), `#/admin/enterprises/${ENTERPRISE}/dashboard`);
    await page.getByRole('heading', { name: 'Needs attention' }).waitFor();
    return page;
  }

  it('shows the tasks behind the bell, the sync failure and the messages chart', async () => {
    const page = await openDashboard();
    const main = page.getByRole('main');
    await main.getByText('The Teams users sync failed').first().waitFor();
    await main.getByText('1 message to numbers nobody holds').first().waitFor();

    // The bell counts both tasks and opens the list.
    const bell = page.getByRole('button', { name: 'Tasks: 2 items need attention' });
    await bell.click();
    const tasks = page.getByRole('dialog', { name: 'Tasks that need attention' });
    await tasks.getByText('The Teams users sync failed').waitFor();
    await tasks.getByText(/Microsoft Graph refused the app/).waitFor();
    await tasks.getByRole('link', { name: 'Go to Numbers' }).waitFor();
    // The task's link opens the inventory filtered to the numbers nobody holds.
    expect(await tasks.getByRole('link', { name: 'Go to Numbers' }).getAttribute('href')).toBe(`#/admin/enterprises/${ENTERPRISE}/numbers?status=unassigned`);
    await checkAccessibility(page, 'dashboard-tasks');
    await page.keyboard.press('Escape');
    await tasks.waitFor({ state: 'detached' });

    // The sync card says what failed.
    await main.getByText('Failed', { exact: true }).waitFor();

    // The chart is one labelled image; its numbers are in a table for screen readers.
    await main.getByRole('img', { name: /Messages received and sent per day, last 14 days/ }).waitFor();
    const table = main.getByRole('table', { name: /as a table/ });
    expect(await table.getByRole('row').count()).toBe(15);
    const today = new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(new Date());
    expect(await table.getByRole('row').last().textContent()).toBe(`${today}10`);
    await checkAccessibility(page, 'dashboard');
    await screenshotBothThemes(page, 'page-dashboard');

    // 30 days at a click.
    await main.getByRole('tab', { name: '30 days' }).click();
    await main.getByRole('img', { name: /last 30 days/ }).waitFor();
    expect(await main.getByRole('table', { name: /as a table/ }).getByRole('row').count()).toBe(31);

    await page.getByRole('button', { name: 'Tasks: 2 items need attention' }).click();
    await page.getByRole('dialog', { name: 'Tasks that need attention' }).getByRole('link', { name: 'Go to Numbers' }).click();
    const status = page.getByRole('combobox', { name: 'Status' });
    await status.waitFor();
    expect(await status.textContent()).toBe('Unassigned');
  });
});
