import type { DirectoryUser } from '@switchboard/shared';
import { makeUser } from '../../shared/test/users';
import type { Runtime } from '../src/runtime';
import { devTokens } from './support/dev-sign-in';
import { call, expectError, type JsonAnswer } from './support/http';
import { startTestRuntime, stopAll } from './support/runtime';

/**
 * The number inventory and the SMS User Configuration over HTTP, against the real
 * server and Azurite: adding one, a range, a CSV; editing and deleting with ETags;
 * the list query; assigning all or nothing with real concurrency; who may do what.
 */
const IDENTITIES = ['provider-admin', 'contoso-global-admin', 'contoso-admin', 'contoso-user', 'fabrikam-global-admin'] as const;

const contosoUsers: DirectoryUser[] = [
  makeUser({ enterpriseId: 'contoso', id: 'jane', displayName: 'Jane Doe' }),
  makeUser({ enterpriseId: 'contoso', id: 'john', displayName: 'John Smith' }),
  makeUser({ enterpriseId: 'contoso', id: 'nora', displayName: 'Nora Nolicense', teamsLicensed: false }),
  makeUser({ enterpriseId: 'contoso', id: 'mary', displayName: 'Mary Major' }),
];

describe('numbers API', () => {
  let runtime: Runtime;
  let url: string;
  let tokens: Record<(typeof IDENTITIES)[number], string>;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    url = runtime.url;
    tokens = await devTokens(url, IDENTITIES);
    await runtime.services.userRepository.createMany(contosoUsers);
    await runtime.services.userRepository.createMany([makeUser({ enterpriseId: 'fabrikam', id: 'frank', displayName: 'Frank Fabrikam' })]);
  });
  afterAll(() => stopAll(runtime));

  const admin = () => tokens['contoso-global-admin'];
  const base = (enterprise = 'contoso') => `${url}/api/admin/enterprises/${enterprise}`;
  const numberUrl = (number: string, enterprise = 'contoso') => `${base(enterprise)}/numbers/${encodeURIComponent(number)}`;
  const add = (body: unknown, token = admin()) => call(`${base()}/numbers`, { token, body });
  const list = async (query = '') => {
    const answer = await call(`${base()}/numbers${query}`, { token: admin() });
    expect(answer.status).toBe(200);
    return answer.body as { items: Array<Record<string, any>>; total: number; offset: number; limit: number };
  };
  const numbersOf = (page: { items: Array<Record<string, any>> }) => page.items.map((item) => item.number as string);
  const getNumber = async (number: string) => (await call(numberUrl(number), { token: admin() })).body as Record<string, any>;
  const smsOf = async (userId: string) => {
    const answer = await call(`${base()}/users/${userId}/sms`, { token: admin() });
    expect(answer.status).toBe(200);
    return answer.body as Record<string, any>;
  };
  const putSms = (userId: string, body: unknown, etag: string, token = admin()) => call(`${base()}/users/${userId}/sms`, { method: 'PUT', token, body, headers: { 'if-match': etag } });
  const feed = async () => (await call(`${base()}/activity?pageSize=10`, { token: admin() })).body.items as Array<Record<string, any>>;

  describe('adding numbers', () => {
    it('adds one number, canonical E.164 with its display form and ETag', async () => {
      const answer = await add({ number: '+1 (415) 555-0123', label: 'Front desk', capabilities: { sms: true, mms: true, voice: false }, carrierConnectionId: 'twilio-main', extension: '2104' });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        number: '+14155550123',
        display: '+1 415 555 0123',
        label: 'Front desk',
        capabilities: { sms: true, mms: true, voice: false },
        carrierConnectionId: 'twilio-main',
        extension: '2104',
        segmentsPerSecond: null,
        status: 'unassigned',
        holder: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        etag: expect.stringMatching(/^W\//),
      });
      expect(answer.headers.get('etag')).toBe(answer.body.etag);
      expect((await feed())[0]).toMatchObject({ action: 'number.added', summary: 'Added +1 415 555 0123 (Front desk) to the numbers.', after: { number: '+14155550123', label: 'Front desk' } });

      const national = await add({ number: '020 7946 0958', defaultCountry: 'gb' });
      expect(national.status).toBe(201);
      expect(national.body).toMatchObject({ number: '+442079460958', display: '+44 20 7946 0958', capabilities: { sms: true, mms: false, voice: false }, label: '' });

      const again = expectError(await add({ number: '+14155550123' }), 409, 'conflict');
      expect(again.message).toBe('+1 415 555 0123 is already in the inventory.');
    });

    it('refuses invalid numbers, naming the field and the problem', async () => {
      const letters = expectError(await add({ number: '+1 415 CALL-NOW' }), 400, 'validation_failed');
      expect(letters.details).toEqual([{ path: 'number', message: '"+1 415 CALL-NOW" contains letters: use digits only, e.g. +14155550123.' }]);
      const short = expectError(await add({ number: '+44 20 7946 09' }), 400, 'validation_failed');
      expect(short.details).toEqual([{ path: 'number', message: '"+44 20 7946 09" is the wrong length for a +44 number: check the digits.' }]);
      const national = expectError(await add({ number: '4155550123' }), 400, 'validation_failed');
      expect(national.details![0]!.message).toMatch(/international form with the country code/);
      const fields = expectError(await add({ number: '', defaultCountry: 'XX', extension: '12a', capabilities: { sms: true }, colour: 'red' }), 400, 'validation_failed');
      expect(fields.details!.map((d) => d.path).sort()).toEqual(['capabilities.mms', 'capabilities.voice', 'colour', 'defaultCountry', 'extension', 'number']);
    });

    it('adds a range, reporting numbers already there instead of duplicating them', async () => {
      await add({ number: '+14155550105' });
      const answer = await call(`${base()}/numbers/range`, { token: admin(), body: { from: '+1 415 555 0100', to: '+1 415 555 0119', label: 'Sales', carrierConnectionId: 'twilio-main' } });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ requested: 20, added: 19, existing: ['+14155550105'], invalid: [] });
      expect(answer.body.items).toHaveLength(19);
      expect(answer.body.items[0]).toMatchObject({ number: '+14155550100', label: 'Sales', carrierConnectionId: 'twilio-main', status: 'unassigned' });
      expect((await getNumber('+14155550105')).label).toBe('');
      expect((await feed())[0]).toMatchObject({ action: 'number.added', summary: 'Added 19 numbers from the range +1 415 555 0100 to +1 415 555 0119 (1 number already there).' });

      const repeat = await call(`${base()}/numbers/range`, { token: admin(), body: { from: '+14155550100', to: '+14155550101' } });
      expect(repeat.body).toMatchObject({ requested: 2, added: 0, existing: ['+14155550100', '+14155550101'], items: [] });
    });

    it('refuses ranges over 1,000 numbers, across countries, or backwards', async () => {
      const big = expectError(await call(`${base()}/numbers/range`, { token: admin(), body: { from: '+14155560000', to: '+14155561000' } }), 400, 'validation_failed');
      expect(big.details).toEqual([{ path: 'to', message: 'The range holds 1,001 numbers; add at most 1,000 at once.' }]);
      const countries = expectError(await call(`${base()}/numbers/range`, { token: admin(), body: { from: '+14155560000', to: '+442079460958' } }), 400, 'validation_failed');
      expect(countries.message).toMatch(/different countries/);
      const backwards = expectError(await call(`${base()}/numbers/range`, { token: admin(), body: { from: '+14155560009', to: '+14155560000' } }), 400, 'validation_failed');
      expect(backwards.message).toMatch(/before it starts/);
      expect((await list('?search=555%200600')).total).toBe(0);
    });

    it('adds from a CSV as spreadsheets write it, with a report per row', async () => {
      const csv = [
        '\uFEFFNumber,Label,Capabilities,Carrier,Extension',
        '"+1 (617) 555-0100","Boston, main",sms;mms,telnyx-1,300',
        '+16175550101,,voice,,',
        '+14155550123,Duplicate of the inventory,,,',
        '+16175550100,Repeat in the file,,,',
        'not a number,,,,',
        '+16175550102,,sms;fax,,',
        '+16175550103,,,,12a',
        '',
        '',
      ].join('\r\n');
      const answer = await call(`${base()}/numbers/import`, { token: admin(), body: { csv } });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ added: 2, existing: 2, invalid: 3, ignoredColumns: [] });
      expect(answer.body.rows).toEqual([
        { line: 2, number: '+1 (617) 555-0100', e164: '+16175550100', outcome: 'added', message: null },
        { line: 3, number: '+16175550101', e164: '+16175550101', outcome: 'added', message: null },
        { line: 4, number: '+14155550123', e164: '+14155550123', outcome: 'existing', message: 'Already in the inventory (left as it is).' },
        { line: 5, number: '+16175550100', e164: '+16175550100', outcome: 'existing', message: 'Repeats line 2 of this file.' },
        { line: 6, number: 'not a number', e164: null, outcome: 'invalid', message: expect.stringContaining('contains letters') },
        { line: 7, number: '+16175550102', e164: null, outcome: 'invalid', message: 'Unknown capability "fax": use sms, mms and voice, e.g. "sms;mms".' },
        { line: 8, number: '+16175550103', e164: null, outcome: 'invalid', message: 'An extension is 1 to 10 digits, e.g. 2104.' },
      ]);
      expect(await getNumber('+16175550100')).toMatchObject({ label: 'Boston, main', capabilities: { sms: true, mms: true, voice: false }, carrierConnectionId: 'telnyx-1', extension: '300' });
      expect(await getNumber('+16175550101')).toMatchObject({ capabilities: { sms: false, mms: false, voice: true } });
      expect((await getNumber('+14155550123')).label).toBe('Front desk');
      expect((await feed())[0]).toMatchObject({ action: 'number.added', summary: 'Added 2 numbers from a CSV (2 already present, 3 invalid).' });

      const unreadable = expectError(await call(`${base()}/numbers/import`, { token: admin(), body: { csv: 'number\n"+16175550104\n' } }), 400, 'validation_failed');
      expect(unreadable.message).toMatch(/cannot be read/);
    });
  });

  describe('the list', () => {
    it('searches by digits however written, and by label', async () => {
      expect(numbersOf(await list('?search=555%2001&limit=3'))).toEqual(['+14155550100', '+14155550101', '+14155550102']);
      expect((await list(`?search=${encodeURIComponent('(415) 555-0123')}`)).items.map((i) => [i.number, i.display])).toEqual([['+14155550123', '+1 415 555 0123']]);
      expect(numbersOf(await list('?search=front%20desk'))).toEqual(['+14155550123']);
      expect(numbersOf(await list('?search=boston'))).toEqual(['+16175550100']);
      expect(numbersOf(await list('?search=020%207946'))).toEqual(['+442079460958']);
    });

    it('filters by status, carrier and capability, sorts, pages, and answers the total', async () => {
      const all = await list('?limit=500');
      expect(all.total).toBe(24); // one, one national, a range of 20, two from the CSV
      expect(all.items.every((item) => typeof item.etag === 'string' && typeof item.display === 'string')).toBe(true);
      expect(numbersOf(await list('?carrierConnectionId=telnyx-1'))).toEqual(['+16175550100']);
      expect(numbersOf(await list('?capability=voice'))).toEqual(['+16175550101']);
      expect((await list('?capability=mms')).total).toBe(2);
      expect((await list('?status=assigned-user')).total).toBe(0);
      const page = await list('?sort=label&order=desc&limit=2&offset=1');
      expect({ numbers: numbersOf(page), total: page.total, offset: page.offset, limit: page.limit }).toEqual({ numbers: ['+14155550101', '+14155550102'], total: 24, offset: 1, limit: 2 });
      expect(numbersOf(await list('?sort=label&order=desc&offset=19&limit=2'))).toEqual(['+14155550123', '+16175550100']); // Front desk, Boston
      expect(numbersOf(await list('?sort=carrier&limit=1'))).toEqual(['+16175550100']);
      const bad = expectError(await call(`${base()}/numbers?sort=colour&status=taken&limit=0`, { token: admin() }), 400, 'validation_failed');
      expect(bad.details!.map((d) => d.path).sort()).toEqual(['limit', 'sort', 'status']);
    });

    it('answers one number by E.164 (URL-encoded) or its digits; 404 for one not in the inventory', async () => {
      expect((await call(numberUrl('+14155550123'), { token: admin() })).body.label).toBe('Front desk');
      expect((await call(`${base()}/numbers/14155550123`, { token: admin() })).body.number).toBe('+14155550123');
      const missing = expectError(await call(numberUrl('+14155559999'), { token: admin() }), 404, 'not_found');
      expect(missing.message).toBe('+1 415 555 9999 is not in the number inventory.');
      expectError(await call(numberUrl('nonsense'), { token: admin() }), 400, 'validation_failed');
    });
  });

  describe('editing and deleting', () => {
    it('edits with If-Match and records the change; stale ETags and missing If-Match are refused', async () => {
      const before = await getNumber('+14155550100');
      expectError(await call(numberUrl('+14155550100'), { method: 'PATCH', token: admin(), body: { label: 'x' } }), 428, 'precondition_required');
      const answer = await call(numberUrl('+14155550100'), { method: 'PATCH', token: admin(), body: { label: 'Support line', capabilities: { sms: true, mms: true, voice: true }, carrierConnectionId: null, extension: '55' }, headers: { 'if-match': before.etag } });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ label: 'Support line', capabilities: { sms: true, mms: true, voice: true }, carrierConnectionId: null, extension: '55' });
      expect(answer.body.etag).not.toBe(before.etag);
      const entry = (await feed())[0]!;
      expect(entry).toMatchObject({ action: 'number.updated', before: { label: 'Sales', carrierConnectionId: 'twilio-main' }, after: { label: 'Support line', carrierConnectionId: null } });
      const stale = expectError(await call(numberUrl('+14155550100'), { method: 'PATCH', token: admin(), body: { label: 'Lost' }, headers: { 'if-match': before.etag } }), 409, 'conflict');
      expect(stale.message).toMatch(/changed by someone else/);
    });

    it('refuses to delete an assigned number, naming its holder; deletes it once unassigned', async () => {
      const jane = await smsOf('jane');
      expect((await putSms('jane', { enabled: true, numbers: ['+14155550123'] }, jane.userEtag)).status).toBe(200);
      const held = await getNumber('+14155550123');
      const refused = expectError(await call(numberUrl('+14155550123'), { method: 'DELETE', token: admin(), headers: { 'if-match': held.etag } }), 409, 'conflict');
      expect(refused.message).toBe('+1 415 555 0123 is assigned to Jane Doe; unassign it first.');
      const off = expectError(await call(numberUrl('+14155550123'), { method: 'PATCH', token: admin(), body: { capabilities: { sms: false, mms: false, voice: true } }, headers: { 'if-match': held.etag } }), 409, 'conflict');
      expect(off.message).toMatch(/assigned to Jane Doe, who uses it for SMS/);

      const released = await call(`${base()}/users/jane/sms/numbers`, { method: 'DELETE', token: admin(), headers: { 'if-match': (await smsOf('jane')).userEtag } });
      expect(released.status).toBe(200);
      expect(released.body).toMatchObject({ numbers: [], enabled: true, change: { removed: ['+14155550123'] } });
      const free = await getNumber('+14155550123');
      expect(free).toMatchObject({ status: 'unassigned', holder: null });
      const deleted = await call(numberUrl('+14155550123'), { method: 'DELETE', token: admin(), headers: { 'if-match': free.etag } });
      expect(deleted.status).toBe(204);
      expectError(await call(numberUrl('+14155550123'), { token: admin() }), 404, 'not_found');
      expect((await feed())[0]).toMatchObject({ action: 'number.deleted', summary: 'Deleted +1 415 555 0123 (Front desk) from the numbers.' });
    });
  });

  describe('SMS user configuration', () => {
    it('shows the dialog: numbers, available numbers, licence warning, the user ETag', async () => {
      const nora = await smsOf('nora');
      expect(nora).toMatchObject({
        userId: 'nora',
        displayName: 'Nora Nolicense',
        username: 'nora@contoso.com',
        licensed: false,
        warning: 'Nora Nolicense has no Teams license and cannot use SMS until licensed.',
        enabled: false,
        numbers: [],
        userEtag: expect.stringMatching(/^W\//),
      });
      // Unassigned and SMS-capable: the voice-only number is not offered.
      expect(nora.available.map((n: { number: string }) => n.number)).not.toContain('+16175550101');
      expect(nora.available[0]).toEqual({ number: '+14155550100', display: '+1 415 555 0100', label: 'Support line' });
      expect((await call(`${base()}/users/nora/sms?search=boston`, { token: admin() })).body.available).toEqual([{ number: '+16175550100', display: '+1 617 555 0100', label: 'Boston, main' }]);

      const saved = await putSms('nora', { enabled: true, numbers: ['+1 415 555 0101'], tags: ['Night'] }, nora.userEtag);
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({ warning: expect.stringContaining('no Teams license'), enabled: true, numbers: [{ number: '+14155550101', display: '+1 415 555 0101' }], tags: ['Night'], change: { added: ['+14155550101'], unchanged: false } });
      expect(saved.headers.get('etag')).toBe(saved.body.userEtag);
      // The Users page shows it at once.
      const row = (await call(`${base()}/users/nora`, { token: admin() })).body;
      expect(row).toMatchObject({ smsNumbers: [{ number: '+14155550101', role: 'own' }], services: { sms: 'enabled' }, tags: ['Night'] });
      expect((await call(`${base()}/users?search=555%200101`, { token: admin() })).body.items.map((u: { id: string }) => u.id)).toEqual(['nora']);
      expect((await feed())[0]).toMatchObject({ action: 'user.sms.updated', actor: { name: 'Grace Global' }, before: { enabled: false, numbers: [] }, after: { enabled: true, numbers: ['+14155550101'] } });

      // The same again: nothing to do.
      const again = await putSms('nora', { enabled: true, numbers: ['+14155550101'], tags: ['Night'] }, saved.body.userEtag);
      expect(again.body).toMatchObject({ change: { unchanged: true }, userEtag: saved.body.userEtag });
    });

    it('refuses bad bodies and stale or missing If-Match', async () => {
      const jane = await smsOf('jane');
      expectError(await call(`${base()}/users/jane/sms`, { method: 'PUT', token: admin(), body: { enabled: true, numbers: [] } }), 428, 'precondition_required');
      const invalid = expectError(await putSms('jane', { enabled: true, numbers: ['+14155550102', 'call me'] }, jane.userEtag), 400, 'validation_failed');
      expect(invalid.details).toEqual([{ path: 'numbers.1', message: expect.stringContaining('contains letters') }]);
      const unknown = expectError(await putSms('jane', { enabled: true, numbers: ['+14155559999'] }, jane.userEtag), 400, 'validation_failed');
      expect(unknown.details).toEqual([{ path: 'numbers.0', message: '+1 415 555 9999 is not in the number inventory; add it on the Numbers page first.' }]);
      const voice = expectError(await putSms('jane', { enabled: true, numbers: ['+16175550101'] }, jane.userEtag), 400, 'validation_failed');
      expect(voice.details![0]!.message).toMatch(/cannot do SMS/);
      expectError(await putSms('jane', { enabled: 'yes', numbers: [] }, jane.userEtag), 400, 'validation_failed');
      expectError(await putSms('jane', { enabled: true, numbers: [] }, 'W/"stale"'), 409, 'conflict');
      expectError(await putSms('nobody', { enabled: true, numbers: [] }, jane.userEtag), 404, 'not_found');
    });

    it('lets exactly one of two concurrent saves for the same number win; the loser is told the number and its holder', async () => {
      for (const number of ['+14155550110', '+14155550111', '+14155550112']) {
        const [jane, john] = await Promise.all([smsOf('jane'), smsOf('john')]);
        const answers = await Promise.all([
          putSms('jane', { enabled: true, numbers: [number] }, jane.userEtag),
          putSms('john', { enabled: true, numbers: [number] }, john.userEtag, tokens['contoso-admin']),
        ]);
        expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
        const winner = answers[0]!.status === 200 ? { id: 'jane', name: 'Jane Doe' } : { id: 'john', name: 'John Smith' };
        const loser = answers.find((a) => a.status === 409)!;
        const error = expectError(loser, 409, 'conflict');
        expect(error.message).toBe(`+1 415 555 01${number.slice(-2)} is assigned to ${winner.name}; unassign it first.`);
        expect(error.details).toEqual([{ path: 'numbers.0', message: error.message }]);
        expect(await getNumber(number)).toMatchObject({ status: 'assigned-user', holder: { type: 'user', id: winner.id, name: winner.name } });
        const winnerNow = await smsOf(winner.id);
        expect(winnerNow.numbers.map((n: { number: string }) => n.number)).toEqual([number]);
        expect((await putSms(winner.id, { enabled: true, numbers: [] }, winnerNow.userEtag)).status).toBe(200);
      }
    });

    it('changes nothing at all when a save loses one of its numbers to a concurrent save', async () => {
      const [mine, contested] = ['+14155550113', '+14155550114'];
      let janeLost = 0;
      for (let round = 0; round < 12 && janeLost === 0; round++) {
        const [jane, john] = await Promise.all([smsOf('jane'), smsOf('john')]);
        // Both requests in flight at once; John's leaves a few milliseconds earlier in later rounds.
        const johnSaving = putSms('john', { enabled: true, numbers: [contested] }, john.userEtag);
        await new Promise((resolve) => setTimeout(resolve, round));
        const [janeAnswer, johnAnswer] = await Promise.all([putSms('jane', { enabled: !jane.enabled, numbers: [mine, contested], tags: [`Round${round}`] }, jane.userEtag), johnSaving]);
        expect([janeAnswer.status, johnAnswer.status].sort()).toEqual([200, 409]);
        if (janeAnswer.status === 409) {
          janeLost++;
          expect(janeAnswer.body.error.message).toBe('+1 415 555 0114 is assigned to John Smith; unassign it first.');
          // Not the other number, not the switch, not the tags, not the user's ETag.
          expect(await getNumber(mine)).toMatchObject({ status: 'unassigned', holder: null });
          const after = await smsOf('jane');
          expect({ enabled: after.enabled, numbers: after.numbers, tags: after.tags, etag: after.userEtag }).toEqual({ enabled: jane.enabled, numbers: jane.numbers, tags: jane.tags, etag: jane.userEtag });
        } else {
          expect(johnAnswer.body.error.message).toBe('+1 415 555 0114 is assigned to Jane Doe; unassign it first.');
          expect((await smsOf('john')).numbers).toEqual([]);
        }
        // Back to the start for the next round.
        for (const id of ['jane', 'john']) {
          const now = await smsOf(id);
          await putSms(id, { enabled: false, numbers: [] }, now.userEtag);
        }
      }
      // Jane's save (two numbers, more work) loses the race in practice within a few rounds.
      expect(janeLost).toBeGreaterThan(0);
    });
  });

  describe('who may do what', () => {
    const operations = (enterprise: string, userId: string) => [
      { method: 'GET', path: `${base(enterprise)}/numbers` },
      { method: 'POST', path: `${base(enterprise)}/numbers`, body: { number: '+14155550199' } },
      { method: 'POST', path: `${base(enterprise)}/numbers/range`, body: { from: '+14155550198', to: '+14155550199' } },
      { method: 'POST', path: `${base(enterprise)}/numbers/import`, body: { csv: '+14155550199' } },
      { method: 'GET', path: numberUrl('+14155550100', enterprise) },
      { method: 'PATCH', path: numberUrl('+14155550100', enterprise), body: { label: 'x' }, etag: 'W/"x"' },
      { method: 'DELETE', path: numberUrl('+14155550100', enterprise), etag: 'W/"x"' },
      { method: 'GET', path: `${base(enterprise)}/users/${userId}/sms` },
      { method: 'PUT', path: `${base(enterprise)}/users/${userId}/sms`, body: { enabled: true, numbers: [] }, etag: 'W/"x"' },
      { method: 'DELETE', path: `${base(enterprise)}/users/${userId}/sms/numbers`, etag: 'W/"x"' },
    ];
    const send = (op: ReturnType<typeof operations>[number], token: string): Promise<JsonAnswer> =>
      call(op.path, { method: op.method, token, ...(op.body ? { body: op.body } : {}), ...(op.etag ? { headers: { 'if-match': op.etag } } : {}) });

    it('answers 403 to plain users', async () => {
      for (const op of operations('contoso', 'jane')) {
        const answer = await send(op, tokens['contoso-user']);
        expect({ op: `${op.method} ${op.path}`, status: answer.status }).toEqual({ op: `${op.method} ${op.path}`, status: 403 });
      }
    });

    it("answers 404 for another enterprise's numbers and users", async () => {
      for (const op of operations('contoso', 'jane')) {
        const answer = await send(op, tokens['fabrikam-global-admin']);
        expect({ op: `${op.method} ${op.path}`, status: answer.status }).toEqual({ op: `${op.method} ${op.path}`, status: 404 });
      }
      expectError(await call(`${base()}/users/frank/sms`, { token: admin() }), 404, 'not_found');
    });

    it('answers 403 to the provider where the enterprise has not allowed it, and serves it where it has', async () => {
      for (const op of operations('fabrikam', 'frank')) {
        const answer = await send(op, tokens['provider-admin']);
        expect({ op: `${op.method} ${op.path}`, status: answer.status }).toEqual({ op: `${op.method} ${op.path}`, status: 403 });
        expect(answer.body.error.message).toMatch(/has not allowed management by its service provider/);
      }
      expect((await call(`${base()}/numbers?limit=1`, { token: tokens['provider-admin'] })).status).toBe(200);
      expect((await call(`${base()}/users/mary/sms`, { token: tokens['contoso-admin'] })).status).toBe(200);
    });
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await call(`${url}/api/openapi.json`)).body;
    expect(doc.paths['/api/admin/enterprises/{enterpriseId}/numbers'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PhoneNumberPage' });
    expect(doc.paths['/api/admin/enterprises/{enterpriseId}/numbers/{number}'].delete.parameters.map((p: { name: string }) => p.name)).toContain('If-Match');
    expect(doc.paths['/api/admin/enterprises/{enterpriseId}/users/{userId}/sms'].put.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SmsUserConfigBody' });
    expect(doc.components.schemas.ImportPhoneNumbers.properties.csv.description).toMatch(/number,label,capabilities,carrier,extension/);
  });
});
