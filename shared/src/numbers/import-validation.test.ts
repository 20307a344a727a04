import { IMPORT_HEADER, parseImportFile } from './import-csv';
import { applyWaves, validateImport, type ImportLookup, type ImportNumber, type ImportUser, type ValidatedImport } from './import-validation';

/** Every validation rule of the bulk SMS import, with its message. */
const user = (id: string, overrides: Partial<ImportUser> = {}): ImportUser => ({
  id,
  userPrincipalName: `${id}@contoso.com`,
  displayName: id[0]!.toUpperCase() + id.slice(1) + ' Doe',
  mail: `${id}@contoso.com`,
  removed: false,
  teamsLicensed: true,
  inSelection: true,
  accountEnabled: true,
  sms: { enabled: false, numbers: [] },
  tags: [],
  ...overrides,
});

const USERS: ImportUser[] = [
  user('jane'),
  user('john', { sms: { enabled: true, numbers: ['+14155550101'] }, tags: ['Sales'] }),
  user('mary', { teamsLicensed: false }),
  user('gone', { removed: true }),
  user('olga', { inSelection: false, accountEnabled: false }),
  user('pat', { userPrincipalName: 'pat.smith@contoso.onmicrosoft.com', mail: 'pat@contoso.com' }),
  user('sam', { sms: { enabled: false, numbers: ['+14155550102'] } }),
];

const NUMBERS: ImportNumber[] = [
  { number: '+14155550100', holder: null },
  { number: '+14155550101', holder: { type: 'user', id: 'john', name: 'John Doe' } },
  { number: '+14155550102', holder: { type: 'user', id: 'sam', name: 'Sam Doe' } },
  { number: '+14155550103', holder: { type: 'group', id: 'g1', name: 'Dispatch' } },
  { number: '+14155550104', holder: null, capabilities: { sms: false, mms: false, voice: true } },
  { number: '+14155550105', holder: null },
  { number: '+442079460958', holder: null },
];

const lookup: ImportLookup = {
  userByUsername: (username) => USERS.find((u) => u.userPrincipalName.toLowerCase() === username.toLowerCase()),
  usersByMail: (mail) => USERS.filter((u) => u.mail?.toLowerCase() === mail.toLowerCase()),
  number: (e164) => NUMBERS.find((n) => n.number === e164),
};

const validate = (...rows: string[]): ValidatedImport => validateImport(parseImportFile([IMPORT_HEADER, ...rows].join('\n')), lookup);
const problemsOf = (result: ValidatedImport, line = 2) => result.rows.find((row) => row.line === line)!.problems.map(({ field, severity, message }) => `${severity} ${field}: ${message}`);

describe('validateImport', () => {
  it('accepts a good row, canonicalising numbers and trimming tags', () => {
    const result = validate('JANE@contoso.com,"+1 (415) 555-0100; +44 20 7946 0958",Yes, Sales ; VIP ');
    expect(result.rows).toEqual([
      {
        line: 2,
        username: 'JANE@contoso.com',
        userId: 'jane',
        displayName: 'Jane Doe',
        numbers: ['+14155550100', '+442079460958'],
        enabled: true,
        tags: ['Sales', 'VIP'],
        status: 'ok',
        problems: [],
        changes: true,
        after: [],
      },
    ]);
    expect(result.summary).toEqual({ rows: 1, ok: 1, warnings: 0, errors: 0, unchanged: 0 });
    expect(result.canApply).toBe(true);
  });

  it('knows a row that changes nothing, and leaves tags alone when the cell is empty', () => {
    const result = validate('john@contoso.com,+14155550101,yes,', 'sam@contoso.com,+14155550102,no');
    expect(result.rows.map((row) => [row.tags, row.changes])).toEqual([
      [null, false],
      [null, false],
    ]);
    expect(result.summary.unchanged).toBe(2);
  });

  it('refuses an empty, unknown or removed user', () => {
    const result = validate(',+14155550100,yes,', 'nobody@contoso.com,,no,', 'gone@contoso.com,,no,');
    expect(problemsOf(result, 2)).toEqual(['error username: Teams username is empty: enter the user\'s Teams username (user principal name), e.g. jane.doe@contoso.com.']);
    expect(problemsOf(result, 3)).toEqual(['error username: No user nobody@contoso.com in the directory. Check the spelling; if they were added in Microsoft 365 recently, sync Teams users first.']);
    expect(problemsOf(result, 4)).toEqual(['error username: Gone Doe (gone@contoso.com) was removed from the Microsoft 365 directory and cannot be configured.']);
    expect(result.summary).toEqual({ rows: 3, ok: 0, warnings: 0, errors: 3, unchanged: 0 });
    expect(result.canApply).toBe(false);
  });

  it('warns about an unlicensed, unselected or blocked user, who can still be configured', () => {
    const result = validate('mary@contoso.com,+14155550100,yes,', 'olga@contoso.com,,no,');
    expect(problemsOf(result, 2)).toEqual(['warning username: Mary Doe (mary@contoso.com) has no Teams license: the configuration is saved, but they cannot use SMS until they are licensed.']);
    expect(problemsOf(result, 3)).toEqual([
      'warning username: Olga Doe (olga@contoso.com) is outside the sync group selection: the configuration is saved, but they may be purged with the users outside the selection.',
      'warning username: Olga Doe (olga@contoso.com) cannot sign in (blocked in Microsoft 365): the configuration is saved, but they cannot use SMS while blocked.',
    ]);
    expect(result.rows.map((row) => row.status)).toEqual(['warning', 'warning']);
    expect(result.summary).toMatchObject({ ok: 0, warnings: 2, errors: 0 });
    expect(result.canApply).toBe(true);
  });

  it('matches a mail address when it names exactly one user, with a warning', () => {
    const result = validate('pat@contoso.com,,no,');
    expect(result.rows[0]!.userId).toBe('pat');
    expect(problemsOf(result)).toEqual(['warning username: pat@contoso.com is the mail address of Pat Doe (pat.smith@contoso.onmicrosoft.com); matched by it. Their Teams username is pat.smith@contoso.onmicrosoft.com.']);
  });

  it('refuses the same user on two rows, naming both lines', () => {
    const result = validate('jane@contoso.com,,no,', 'Jane@Contoso.com,+14155550100,yes,');
    expect(problemsOf(result, 2)).toEqual(['error username: Jane Doe (jane@contoso.com) is also on line 3: give each user one row.']);
    expect(problemsOf(result, 3)).toEqual(['error username: Jane Doe (jane@contoso.com) is also on line 2: give each user one row.']);
  });

  it('refuses invalid numbers, saying what is wrong with the field', () => {
    const result = validate('jane@contoso.com,"+1415555010; 4155550100;+1 415 CALL NOW; 1.41556E+10",no,');
    expect(problemsOf(result)).toEqual([
      'error numbers: SMS numbers: "+1415555010" is not a valid number: check the digits and the country code.',
      'error numbers: SMS numbers: "4155550100" is not a phone number: write it in international form with the country code, e.g. +14155550123.',
      'error numbers: SMS numbers: "+1 415 CALL NOW" contains letters: use digits only, e.g. +14155550123.',
      'error numbers: "1.41556E+10" is a number a spreadsheet turned into scientific notation, which loses digits. Format the SMS numbers column as Text and type the numbers again in international form, e.g. +14155550123.',
    ]);
  });

  it('reads a number whose + a spreadsheet dropped, when the inventory has it', () => {
    const result = validate('jane@contoso.com,14155550100,yes,');
    expect(result.rows[0]!.numbers).toEqual(['+14155550100']);
    expect(problemsOf(result)).toEqual(['warning numbers: "14155550100" has no leading + (spreadsheets drop it); read as +14155550100.']);
  });

  it('refuses numbers outside the inventory, held by someone else or by a group, naming the holder', () => {
    const result = validate('jane@contoso.com,"+14155550199;+14155550101;+14155550103",yes,');
    expect(problemsOf(result)).toEqual([
      "error numbers: +14155550199 is not in the enterprise's number inventory. Add it on the Numbers page first, or check the digits.",
      'error numbers: +14155550101 is already assigned to John Doe. Unassign it from them first, or choose another number.',
      'error numbers: +14155550103 is assigned to the SMS group Dispatch. Remove it from the group first, or choose another number.',
    ]);
  });

  it('refuses the same number on two rows, naming both lines, and repeats within a row are kept once', () => {
    const result = validate('jane@contoso.com,+14155550100,yes,', 'mary@contoso.com,"+14155550105;+1 415 555 0105",no,', 'sam@contoso.com,"+14155550102, +14155550100",yes,');
    expect(problemsOf(result, 2)).toEqual(['error numbers: +14155550100 is also on line 4: a number can be assigned to one user only.']);
    expect(problemsOf(result, 4)).toEqual(['error numbers: +14155550100 is also on line 2: a number can be assigned to one user only.']);
    expect(result.rows[1]!.numbers).toEqual(['+14155550105']);
    expect(problemsOf(result, 3)).toContain('warning numbers: +14155550105 is listed twice in this row; it is assigned once.');
  });

  it('refuses more than 20 numbers for one user', () => {
    const many = Array.from({ length: 21 }, (_, i) => `+1415555${String(1000 + i)}`).join(';');
    expect(problemsOf(validate(`jane@contoso.com,"${many}",no,`))).toContain('error numbers: This row gives 21 numbers; a user can hold at most 20.');
  });

  it('refuses a free number without SMS capability and ignores group-owner numbers from an export', () => {
    const result = validate('jane@contoso.com,"+14155550104; +14155550103 (group owner)",yes,');
    expect(result.rows[0]!.numbers).toEqual(['+14155550104']);
    expect(problemsOf(result)).toEqual([
      'error numbers: +14155550104 cannot do SMS (its capabilities say so). Turn SMS on for it on the Numbers page first, or choose another number.',
      'warning numbers: +14155550103 (group owner) is a number of an SMS group the user owns; group numbers are managed on the SMS groups page, so it is ignored here.',
    ]);
  });

  it('reads Enable SMS as yes or no in the usual spellings, and refuses anything else or an empty cell', () => {
    const values = ['yes', 'Y', 'TRUE', '1', 'on', 'Enabled', 'no', 'n', 'false', '0', 'off', 'Disabled', 'Not configured'];
    const result = validate(...values.map((value, i) => `${['jane', 'john', 'mary', 'sam', 'olga', 'pat'][i % 6]}x${i}@contoso.com,,${value},`));
    expect(result.rows.map((row) => row.enabled)).toEqual([true, true, true, true, true, true, false, false, false, false, false, false, false]);
    expect(problemsOf(validate('jane@contoso.com,,maybe,'))).toEqual(['error enabled: Enable SMS must be yes or no, not "maybe".']);
    expect(problemsOf(validate('jane@contoso.com,,,'))).toEqual(['error enabled: Enable SMS is empty: write yes or no.']);
  });

  it('refuses SMS enabled without a number', () => {
    expect(problemsOf(validate('jane@contoso.com,,yes,'))).toEqual([
      'error enabled: Enable SMS is yes, but the row gives no SMS number: a user needs a number to use SMS. Add a number, or write no.',
    ]);
  });

  it('refuses too many, too long or duplicate tags, naming the tag', () => {
    expect(problemsOf(validate('jane@contoso.com,,no,a;b;c;d;e;f'))).toEqual(['error tags: A user can have at most 5 tags; this row has 6.']);
    expect(problemsOf(validate('jane@contoso.com,,no,Sales;A very long tag name indeed'))).toEqual(['error tags: "A very long tag name indeed": A tag can have at most 20 characters.']);
    expect(problemsOf(validate('jane@contoso.com,,no,VIP;Sales;vip'))).toEqual(['error tags: "vip" repeats the tag "VIP" (tags ignore case).']);
  });

  it('takes the formula guard of the Users export off usernames and tags', () => {
    const result = validate("jane@contoso.com,,no,'-risky;'=sum");
    expect(result.rows[0]!.tags).toEqual(['-risky', '=sum']);
  });

  it('refuses a row with more cells than the header', () => {
    expect(problemsOf(validate('jane@contoso.com,+14155550100,yes,Sales,VIP'))).toEqual([
      'error row: This row has 1 more cell than the header ("VIP"). A cell with a comma inside must be in quotes; separate several numbers or tags with ;.',
    ]);
  });

  it('lets a number move to another user of the file who gives it up, applying that row first', () => {
    // John gives +14155550101 to Jane; Sam gives +14155550102 to John.
    const result = validate('jane@contoso.com,+14155550101,yes,', 'john@contoso.com,+14155550102,yes,', 'sam@contoso.com,,no,');
    expect(result.canApply).toBe(true);
    expect(result.rows.map((row) => [row.line, row.status, row.after])).toEqual([
      [2, 'ok', [3]],
      [3, 'ok', [4]],
      [4, 'ok', []],
    ]);
    expect([...applyWaves(result.rows)]).toEqual([
      [4, 0],
      [3, 1],
      [2, 2],
    ]);
  });

  it('refuses numbers swapped between users in one file', () => {
    const result = validate('john@contoso.com,+14155550102,yes,', 'sam@contoso.com,+14155550101,no,');
    expect(problemsOf(result, 2)).toEqual([
      'error numbers: This row takes +14155550102 from a user on line 3, whose row in turn waits for a number of this user: numbers cannot be swapped in one import. Move one of them in a separate import first.',
    ]);
    expect(problemsOf(result, 3)[0]).toMatch(/^error numbers: This row takes \+14155550101 from a user on line 2/);
    expect(result.canApply).toBe(false);
  });

  it('validates a file of the largest size allowed, 20,000 rows', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `u${i}@contoso.com,+1415${5_550_000 + i},yes,Sales;VIP`);
    const users = new Map(Array.from({ length: 20_000 }, (_, i) => [`u${i}@contoso.com`, user(`u${i}`)]));
    const result = validateImport(parseImportFile([IMPORT_HEADER, ...many].join('\n')), {
      userByUsername: (username) => users.get(username.toLowerCase()),
      number: (number) => ({ number, holder: null }),
    });
    expect(result.summary).toMatchObject({ rows: 20_000, ok: 20_000 });
  });
});
