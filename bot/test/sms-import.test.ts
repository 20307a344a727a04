import { defaultCapabilities, type DirectoryUser, type PhoneNumberEntry } from '@switchboard/shared';
import { makeUser } from '../../shared/test/users';
import type { Runtime } from '../src/runtime';
import { devTokens } from './support/dev-sign-in';
import { call, expectError, type JsonAnswer } from './support/http';
import { startTestRuntime, stopAll } from './support/runtime';

/**
 * The bulk SMS import over HTTP against the real server and Azurite: the template,
 * validation with every kind of row error, fixing and validating again, applying in
 * the background with progress, applying twice (nothing changes the second time), a
 * number taken between validation and apply, the file forms and limits, and access.
 */
const IDENTITIES = ['provider-admin', 'contoso-global-admin', 'contoso-admin', 'contoso-user', 'fabrikam-global-admin'] as const;

const at = '2026-01-01T00:00:00.000Z';
const number = (enterpriseId: string, e164: string, overrides: Partial<PhoneNumberEntry> = {}): PhoneNumberEntry => ({
  enterpriseId,
  number: e164 as PhoneNumberEntry['number'],
  carrierConnectionId: null,
  capabilities: { ...defaultCapabilities },
  label: '',
  extension: null,
  holder: null,
  createdAt: at,
  updatedAt: at,
  ...overrides,
  segmentsPerSecond: overrides.segmentsPerSecond ?? null,
});

const n = (last: number) => `+1415555${String(100 + last).padStart(4, '0')}`;

const contosoUsers: DirectoryUser[] = [
  makeUser({ enterpriseId: 'contoso', id: 'jane', displayName: 'Jane Doe' }),
  makeUser({ enterpriseId: 'contoso', id: 'john', displayName: 'John Smith', teamsLicensed: false }),
  makeUser({ enterpriseId: 'contoso', id: 'mary', displayName: 'Mary Major', sms: { enabled: true, numbers: [n(1)] }, tags: ['Support'] }),
  makeUser({ enterpriseId: 'contoso', id: 'sam', displayName: 'Sam Sample', tags: ['Night'] }),
  makeUser({ enterpriseId: 'contoso', id: 'gone', displayName: 'Gone Away', removed: true }),
  makeUser({ enterpriseId: 'contoso', id: 'mover', displayName: 'Mo Ver', sms: { enabled: true, numbers: [n(8)] } }),
];

describe('bulk SMS import API', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
    const { userRepository, numberRepository } = runtime.services;
    await userRepository.createMany([...contosoUsers, makeUser({ enterpriseId: 'fabrikam', id: 'frank', displayName: 'Frank Fabrikam' })]);
    await numberRepository.createMany([
      ...Array.from({ length: 10 }, (_, i) => number('contoso', n(i))),
      number('contoso', n(10), { capabilities: { sms: false, mms: false, voice: true } }),
    ].map((entry) =>
      entry.number === n(1) ? { ...entry, holder: { type: 'user' as const, id: 'mary', name: 'Mary Major' } } : entry.number === n(8) ? { ...entry, holder: { type: 'user' as const, id: 'mover', name: 'Mo Ver' } } : entry,
    ));
    await numberRepository.createMany([number('fabrikam', n(0))]);
  });
  afterAll(() => stopAll(runtime));

  const admin = () => tokens['contoso-global-admin'];
  const base = (enterprise = 'contoso') => `${url}/api/admin/enterprises/${enterprise}/sms-import`;
  const csv = (...rows: string[]) => ['Teams username,SMS numbers,Enable SMS,Tags', ...rows].join('\r\n') + '\r\n';
  const validate = (text: string, options: { token?: string; enterprise?: string; fileName?: string; type?: string } = {}) =>
    call(`${base(options.enterprise)}/validate${options.fileName ? `?fileName=${encodeURIComponent(options.fileName)}` : ''}`, {
      token: options.token ?? admin(),
      body: text,
      headers: { 'content-type': options.type ?? 'text/csv' },
    });
  const apply = (importId: string, token = admin(), enterprise = 'contoso') => call(`${base(enterprise)}/${importId}/apply`, { method: 'POST', token });
  const status = (importId: string, token = admin(), enterprise = 'contoso') => call(`${base(enterprise)}/${importId}`, { token });
  /** Polls the import until its apply has finished. */
  const finished = async (importId: string): Promise<JsonAnswer> => {
    for (let i = 0; i < 200; i++) {
      const answer = await status(importId);
      expect(answer.status).toBe(200);
      if (answer.body.status !== 'applying') return answer;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the import did not finish');
  };
  const user = async (id: string) => (await runtime.services.userRepository.require('contoso', id)).value;
  const holderOf = async (e164: string) => (await runtime.services.numberRepository.require('contoso', e164)).value.holder?.id ?? null;
  const problems = (answer: JsonAnswer, line: number) =>
    (answer.body.rows as Array<{ line: number; problems: Array<{ field: string; severity: string; message: string }> }>).find((row) => row.line === line)!.problems.map((p) => `${p.severity} ${p.field}: ${p.message}`);
  const feed = async () => (await call(`${url}/api/admin/enterprises/contoso/activity?pageSize=50`, { token: admin() })).body.items as Array<Record<string, any>>;

  it('serves the CSV template as an attachment', async () => {
    const answer = await call(`${base()}/template`, { token: admin() });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="sms-import-template.csv"; filename*=UTF-8''sms-import-template.csv`);
    expect(answer.text.split('\r\n')[0]).toBe('Teams username,SMS numbers,Enable SMS,Tags'); // fetch drops the BOM
    expect(answer.text).toContain('# jane.doe@contoso.com,+14155550123,yes,Sales;VIP');
  });

  it('validates with errors, fixes, validates clean, applies with progress, and applying again changes nothing', async () => {
    // 1. A file with a problem on almost every row (and spreadsheet habits: BOM, CRLF, quotes, blank rows).
    const bad = await validate(
      '\uFEFF' +
        csv(
          `jane@contoso.com,"${n(0)}; ${n(2)}",yes,"Sales;VIP"`,
          `nobody@contoso.com,${n(3)},yes,`,
          `john@contoso.com,${n(1)},yes,`,
          `sam@contoso.com,"+1415555019; ${n(2)}",maybe,a;b;c;d;e;f`,
          ',,,',
          `gone@contoso.com,,no,`,
          `,${n(4)},no,`,
        ),
      { fileName: 'C:\\Users\\grace\\Desktop\\numbers.csv' },
    );
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({ fileName: 'numbers.csv', canApply: false, summary: { rows: 6, ok: 0, warnings: 0, errors: 6 }, ignoredColumns: [] });
    expect(bad.body.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(problems(bad, 2)).toEqual([`error numbers: ${n(2)} is also on line 5: a number can be assigned to one user only.`]);
    expect(problems(bad, 3)).toEqual(['error username: No user nobody@contoso.com in the directory. Check the spelling; if they were added in Microsoft 365 recently, sync Teams users first.']);
    expect(problems(bad, 4)).toEqual([
      `error numbers: ${n(1)} is already assigned to Mary Major. Unassign it from them first, or choose another number.`,
      'warning username: John Smith (john@contoso.com) has no Teams license: the configuration is saved, but they cannot use SMS until they are licensed.',
    ]);
    expect(problems(bad, 5)).toEqual([
      'error numbers: SMS numbers: "+1415555019" is not a valid number: check the digits and the country code.',
      'error enabled: Enable SMS must be yes or no, not "maybe".',
      'error tags: A user can have at most 5 tags; this row has 6.',
      `error numbers: ${n(2)} is also on line 2: a number can be assigned to one user only.`,
    ]);
    expect(problems(bad, 7)).toEqual(['error username: Gone Away (gone@contoso.com) was removed from the Microsoft 365 directory and cannot be configured.']);
    expect(problems(bad, 8)[0]).toMatch(/^error username: Teams username is empty/);
    // Nothing changed, and the file cannot be applied.
    expect((await user('jane')).sms).toEqual({ enabled: false, numbers: [] });
    const refused = expectError(await apply(bad.body.importId), 409, 'conflict');
    expect(refused.message).toBe('numbers.csv has 6 rows with errors and cannot be applied. Fix the file and validate it again.');
    expect((await status(bad.body.importId)).body).toMatchObject({ status: 'validated', canApply: false, validation: { errors: 6 } });

    // 2. Fixed: validates without errors (one warning), and still changes nothing.
    const fixed = csv(`jane@contoso.com,"${n(0)}; ${n(2)}",yes,"Sales;VIP"`, `john@contoso.com,${n(3)},no,`, `sam@contoso.com,${n(4)},yes,`, `mary@contoso.com,${n(1)},no,`);
    const good = await validate(fixed, { fileName: 'numbers.csv' });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ canApply: true, summary: { rows: 4, ok: 3, warnings: 1, errors: 0, unchanged: 0 } });
    expect(good.body.rows[0]).toEqual({
      line: 2,
      username: 'jane@contoso.com',
      userId: 'jane',
      displayName: 'Jane Doe',
      numbers: [n(0), n(2)],
      enabled: true,
      tags: ['Sales', 'VIP'],
      status: 'ok',
      problems: [],
      changes: true,
      after: [],
    });
    expect(await holderOf(n(0))).toBeNull();

    // 3. Apply: 202 at once, then progress until applied.
    const started = await apply(good.body.importId);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ importId: good.body.importId, status: 'applying', total: 4, appliedBy: 'Grace Global' });
    const done = await finished(good.body.importId);
    expect(done.body).toMatchObject({ status: 'applied', processed: 4, total: 4, summary: { changed: 4, unchanged: 0, failed: 0 }, failures: [], fileName: 'numbers.csv' });
    expect(done.body.finishedAt).toEqual(expect.any(String));
    expect((await user('jane')).sms).toEqual({ enabled: true, numbers: [n(0), n(2)] });
    expect((await user('jane')).tags).toEqual(['Sales', 'VIP']);
    expect((await user('john')).sms).toEqual({ enabled: false, numbers: [n(3)] });
    expect((await user('sam')).tags).toEqual(['Night']); // empty Tags cell: left as they were
    expect((await user('mary')).sms).toEqual({ enabled: false, numbers: [n(1)] });
    expect(await holderOf(n(2))).toBe('jane');
    const entries = await feed();
    expect(entries[0]).toMatchObject({
      action: 'sms.import.applied',
      actor: { name: 'Grace Global' },
      entity: { type: 'sms-import', id: good.body.importId, name: 'numbers.csv' },
      summary: 'Imported SMS configurations from numbers.csv: 4 rows, 4 users changed, 0 unchanged.',
      after: {
        fileName: 'numbers.csv',
        fileSha256: good.body.fileSha256,
        rows: 4,
        changed: 4,
        unchanged: 0,
        failed: 0,
        changedUsers: ['jane@contoso.com', 'john@contoso.com', 'mary@contoso.com', 'sam@contoso.com'],
      },
    });
    // One entry for the import, not one per user (rows applied in batches).
    expect(entries.filter((entry) => entry.action === 'user.sms.updated')).toHaveLength(0);

    // 4. Applying the same import again, and a new validation of the same file: nothing changes.
    expect((await apply(good.body.importId)).status).toBe(202);
    expect((await finished(good.body.importId)).body).toMatchObject({ status: 'applied', summary: { changed: 0, unchanged: 4, failed: 0 } });
    const again = await validate(fixed, { fileName: 'numbers.csv' });
    expect(again.body).toMatchObject({ canApply: true, summary: { unchanged: 4 }, fileSha256: good.body.fileSha256 });
    expect(again.body.importId).not.toBe(good.body.importId);
    expect((await apply(again.body.importId)).status).toBe(202);
    expect((await finished(again.body.importId)).body.summary).toEqual({ changed: 0, unchanged: 4, failed: 0 });
    expect((await feed()).filter((entry) => entry.action === 'sms.import.applied').map((entry) => entry.summary)).toEqual([
      'Imported SMS configurations from numbers.csv: 4 rows, 0 users changed, 4 unchanged.',
      'Imported SMS configurations from numbers.csv: 4 rows, 0 users changed, 4 unchanged.',
      'Imported SMS configurations from numbers.csv: 4 rows, 4 users changed, 0 unchanged.',
    ]);
  });

  it('fails a row whose number was taken between validation and apply, and applies the others', async () => {
    const report = await validate(csv(`sam@contoso.com,"${n(4)}; ${n(5)}",yes,`, `john@contoso.com,"${n(3)}; ${n(6)}",yes,`), { fileName: 'late.csv' });
    expect(report.body).toMatchObject({ canApply: true, summary: { errors: 0 } });
    // Meanwhile an admin gives +1 415 555 0105 to Jane.
    await runtime.services.smsAssignments.applyUserConfig('contoso', 'jane', { enabled: true, numbers: [n(0), n(2), n(5)] }, { id: 'x', name: 'Other Admin', role: 'global-admin' });
    expect((await apply(report.body.importId)).status).toBe(202);
    const done = await finished(report.body.importId);
    expect(done.body).toMatchObject({ status: 'applied', processed: 2, summary: { changed: 1, unchanged: 0, failed: 1 } });
    expect(done.body.failures).toEqual([{ line: 2, username: 'sam@contoso.com', message: '+1 415 555 0105 is assigned to Jane Doe; unassign it first.' }]);
    expect((await user('sam')).sms).toEqual({ enabled: true, numbers: [n(4)] }); // all or nothing: untouched
    expect((await user('john')).sms).toEqual({ enabled: true, numbers: [n(3), n(6)] });
    expect((await feed())[0]!.summary).toBe(
      'Imported SMS configurations from late.csv: 2 rows, 1 user changed, 0 unchanged, 1 failed (first: line 2: +1 415 555 0105 is assigned to Jane Doe; unassign it first.).',
    );
  });

  it('moves a number from one user of the file to another, releasing it first', async () => {
    const report = await validate(csv(`jane@contoso.com,"${n(0)};${n(2)};${n(5)};${n(8)}",yes,`, `mover@contoso.com,,no,`));
    expect(report.body).toMatchObject({ canApply: true });
    expect(report.body.rows.map((row: { line: number; after: number[] }) => [row.line, row.after])).toEqual([
      [2, [3]],
      [3, []],
    ]);
    await apply(report.body.importId);
    expect((await finished(report.body.importId)).body.summary).toEqual({ changed: 2, unchanged: 0, failed: 0 });
    expect(await holderOf(n(8))).toBe('jane');
    expect((await user('mover')).sms).toEqual({ enabled: false, numbers: [] });
  });

  it('accepts the file as JSON { csv, fileName } too, and refuses other media types', async () => {
    const answer = await call(`${base()}/validate`, { token: admin(), body: { csv: csv(`sam@contoso.com,${n(4)},yes,`), fileName: 'from-json.csv' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ fileName: 'from-json.csv', canApply: true });
    expect((await status(answer.body.importId)).body).toMatchObject({ status: 'validated', fileName: 'from-json.csv', createdBy: 'Grace Global', total: 1 });
    const wrong = expectError(await validate('x', { type: 'application/xml' }), 415, 'unsupported_media_type');
    expect(wrong.message).toBe('Send the file as text/csv or text/plain or application/csv or application/vnd.ms-excel, or as JSON with the file\'s text in "csv".');
    expectError(await call(`${base()}/validate`, { token: admin(), body: '{"csv": ', headers: { 'content-type': 'application/json' } }), 400, 'bad_request');
  });

  it('reads a UTF-16 file (Excel "Unicode text") sent as bytes', async () => {
    const bytes = Buffer.from('\uFEFF' + 'Teams username\tSMS numbers\tEnable SMS\tTags\r\nsam@contoso.com\t' + n(4) + '\tyes\t\r\n', 'utf16le');
    const response = await fetch(`${base()}/validate`, { method: 'POST', headers: { authorization: `Bearer ${admin()}`, 'content-type': 'text/plain' }, body: bytes });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ canApply: true, rows: [{ username: 'sam@contoso.com', numbers: [n(4)] }] });
  });

  it('refuses a file without the header, too large, or too large to upload, naming the limit', async () => {
    const headerless = expectError(await validate(`sam@contoso.com,${n(4)},yes,\r\n`), 400, 'validation_failed');
    expect(headerless.message).toMatch(/^The file has no "Teams username", "SMS numbers" and "Enable SMS" columns\. Its first row looks like data/);
    expect(headerless.details).toEqual([{ path: 'csv', message: headerless.message }]);
    const missing = expectError(await validate('Teams username,Enable SMS\r\nsam@contoso.com,yes\r\n'), 400, 'validation_failed');
    expect(missing.message).toMatch(/^The file has no "SMS numbers" column\./);

    const row = `sam@contoso.com,${n(4)},yes,${'x'.repeat(200)}\r\n`;
    const big = csv() + row.repeat(Math.ceil((5 * 1024 * 1024) / row.length) + 10);
    const tooBig = expectError(await validate(big), 400, 'validation_failed');
    expect(tooBig.message).toMatch(/^The file is 5\.\d+ MiB; the limit is 5 MiB and 20,000 rows per file\. Split it/);
    const huge = expectError(await validate(big.repeat(4)), 413, 'payload_too_large');
    expect(huge.message).toBe('The file is larger than an import accepts: at most 5 MiB and 20,000 rows per file. Split it into smaller files.');
  });

  it('answers 404 for an unknown import, and keeps imports within their enterprise', async () => {
    expectError(await status('0000000000000-nothing'), 404, 'not_found');
    expectError(await apply('0000000000000-nothing'), 404, 'not_found');
    const report = await validate(csv(`sam@contoso.com,${n(4)},yes,`));
    expectError(await status(report.body.importId, tokens['fabrikam-global-admin'], 'fabrikam'), 404, 'not_found');
    expectError(await apply(report.body.importId, tokens['fabrikam-global-admin'], 'fabrikam'), 404, 'not_found');
  });

  it('lets admins in (provider admins where allowed), refuses plain users (403) and other enterprises (404)', async () => {
    const file = csv(`sam@contoso.com,${n(4)},yes,`);
    expect((await validate(file, { token: tokens['contoso-admin'] })).status).toBe(200);
    expect((await validate(file, { token: tokens['provider-admin'] })).status).toBe(200);
    expectError(await validate(file, { token: tokens['contoso-user'] }), 403, 'forbidden');
    expectError(await call(`${base()}/template`, { token: tokens['contoso-user'] }), 403, 'forbidden');
    const report = await validate(file);
    expectError(await apply(report.body.importId, tokens['contoso-user']), 403, 'forbidden');
    expectError(await status(report.body.importId, tokens['contoso-user']), 403, 'forbidden');
    expectError(await validate(file, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
    expectError(await call(`${base()}/template`, { token: tokens['fabrikam-global-admin'] }), 404, 'not_found');
    expectError(await validate(file, { token: tokens['provider-admin'], enterprise: 'fabrikam' }), 403, 'forbidden');
    expectError(await call(`${base()}/template`), 401, 'unauthorized');
    // Without credentials the file is not read at all.
    expectError(await call(`${base()}/validate`, { body: 'x'.repeat(4 * 1024 * 1024), headers: { 'content-type': 'text/csv' } }), 401, 'unauthorized');
  });
});
