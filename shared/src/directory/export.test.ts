import { parse } from 'csv-parse/sync';
import type { Readable } from 'node:stream';
import { makeUser, stored } from '../../test/users';
import { exportCells, exportFileName, neutraliseFormula, numbersCell, USER_EXPORT_COLUMNS, usersCsv } from './export';
import { toUserRow, type UserRow } from './user-view';

/** The CSV export: spreadsheet formula injection, quoting, the BOM, and streaming with backpressure. */
async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

const row = (overrides: Parameters<typeof makeUser>[0], groupNumbers: Array<{ number: string; groupId: string }> = []): UserRow =>
  toUserRow(stored(makeUser(overrides)), { enterpriseChatEnabled: true, groupNumbers });

describe('formula injection', () => {
  it('prefixes an apostrophe to cells a spreadsheet would evaluate', () => {
    for (const cell of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=x', '\r=x', '＝1+1', '＋1', '－1', '＠x']) {
      expect(neutraliseFormula(cell)).toBe(`'${cell}`);
    }
    for (const cell of ['Jane', '1+1', ' =not at the start', "'already", '', 'a=b']) expect(neutraliseFormula(cell)).toBe(cell);
  });

  it('keeps E.164 numbers as they are (known safe), and neutralises anything else in the numbers column', () => {
    expect(numbersCell([{ number: '+15551234567', role: 'own' }, { number: '+442071234567', role: 'group-owner', groupId: 'g' }])).toBe('+15551234567; +442071234567 (group owner)');
    expect(numbersCell([])).toBe('');
    expect(numbersCell([{ number: '+1555=HYPERLINK("x")', role: 'own' }])).toBe(`'+1555=HYPERLINK("x")`);
    expect(numbersCell([{ number: '+15551234567', role: 'own' }, { number: '=cmd', role: 'own' }])).toBe(`'+15551234567; =cmd`);
    expect(numbersCell([{ number: '+1234567890123456', role: 'own' }])).toBe(`'+1234567890123456`); // 16 digits is not E.164
    expect(numbersCell([{ number: '5551234', role: 'own' }])).toBe('5551234');
  });

  it('neutralises every free-text column of a row', () => {
    const cells = exportCells(row({ id: 'evil', userPrincipalName: '=evil@contoso.com', displayName: '+cmd|" /C calc"!A0', tags: ['-1', '@x'] }));
    expect(cells.slice(0, 2)).toEqual(["'=evil@contoso.com", `'+cmd|" /C calc"!A0`]);
    expect(cells[6]).toBe("'-1; @x");
  });
});

describe('CSV export', () => {
  const rows = [
    row({ id: 'jane', displayName: 'Doe, Jane "JD"', sms: { enabled: true, numbers: ['+15551234567'] }, tags: ['VIP', 'Night shift'] }),
    row({ id: 'multi', displayName: 'Line one\nLine two\r\nLine three', teamsLicensed: false, chatAccess: 'deny', sms: { enabled: false, numbers: ['+15550000001'] } }, [{ number: '+15550001111', groupId: 'g1' }]),
    row({ id: 'evil', displayName: '=HYPERLINK("http://x","click")', removed: true }),
    row({ id: 'out', displayName: 'Émile Zola ☎', inSelection: false }),
    row({ id: 'blocked', displayName: 'Blocked', accountEnabled: false }),
  ];

  it('starts with a UTF-8 BOM and the header of the page', async () => {
    const csv = await text(usersCsv(rows));
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1).split('\n')[0]).toBe('Teams username,Display name,SMS numbers,License,SMS,Chat,Tags,Status');
  });

  it('round-trips quotes, commas, newlines and non-ASCII through a CSV parser', async () => {
    const csv = await text(usersCsv(rows));
    const records = parse(csv, { bom: true, columns: true }) as Array<Record<(typeof USER_EXPORT_COLUMNS)[number], string>>;
    expect(records).toHaveLength(rows.length);
    expect(records[0]).toEqual({
      'Teams username': 'jane@contoso.com',
      'Display name': 'Doe, Jane "JD"',
      'SMS numbers': '+15551234567',
      License: 'With Teams license',
      SMS: 'Enabled',
      Chat: 'On',
      Tags: 'VIP; Night shift',
      Status: 'Active',
    });
    expect(records[1]).toMatchObject({
      'Display name': 'Line one\nLine two\r\nLine three',
      'SMS numbers': '+15550000001; +15550001111 (group owner)',
      License: 'Without Teams license',
      SMS: 'Disabled',
      Chat: 'Off',
      Tags: '',
    });
    expect(records[2]).toMatchObject({ 'Display name': `'=HYPERLINK("http://x","click")`, SMS: 'Not configured', Status: 'Removed from directory' });
    expect(records[3]).toMatchObject({ 'Display name': 'Émile Zola ☎', Status: 'Outside group selection' });
    expect(records[4]).toMatchObject({ Status: 'Sign-in blocked' });
  });

  it('quotes a lone carriage return so no reader splits the record', async () => {
    const csv = await text(usersCsv([row({ id: 'cr', displayName: 'a\rb' })]));
    expect(csv).toContain('"a\rb"');
    expect(parse(csv, { bom: true, columns: true })).toHaveLength(1);
  });

  it('pulls rows only as fast as the reader reads (backpressure), and ends cleanly', async () => {
    let produced = 0;
    const total = 200_000;
    const template = rows[0]!;
    const source = (function* () {
      for (let i = 0; i < total; i++) {
        produced++;
        yield { ...template, username: `user${i}@contoso.com` };
      }
    })();
    const stream = usersCsv(source);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(produced).toBeGreaterThan(0);
    expect(produced).toBeLessThan(5_000); // nowhere near the whole file
    let lines = 0;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) lines += String(next.value).split('\n').length - 1;
    expect(produced).toBe(total);
    expect(lines).toBeGreaterThan(total - 1_000);
  });

  it('fails the stream when the rows fail', async () => {
    const failing = (function* () {
      yield rows[0]!;
      throw new Error('storage went away');
    })();
    await expect(text(usersCsv(failing))).rejects.toThrow('storage went away');
  });
});

describe('export file name', () => {
  it('is the enterprise name made file-safe and the date where the enterprise is', () => {
    const at = new Date('2026-03-01T23:30:00Z');
    expect(exportFileName({ id: 'e1', name: 'Contoso Ltd.', settings: { timeZone: 'UTC' } }, at)).toBe('users-contoso-ltd-2026-03-01.csv');
    expect(exportFileName({ id: 'e1', name: 'Contoso Ltd.', settings: { timeZone: 'Asia/Tokyo' } }, at)).toBe('users-contoso-ltd-2026-03-02.csv');
    expect(exportFileName({ id: 'e1', name: 'Société Générale / "Paris"', settings: { timeZone: 'Europe/Paris' } }, at)).toBe('users-societe-generale-paris-2026-03-02.csv');
    expect(exportFileName({ id: 'fabrikam', name: '東京', settings: { timeZone: 'UTC' } }, at)).toBe('users-fabrikam-2026-03-01.csv');
  });
});
