import { csvRecords, IMPORT_HEADER, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, ImportFileError, importTemplate, parseImportFile } from './import-csv';

/** The reader of the bulk SMS import file: what spreadsheets write, and the files it refuses. */
const errorOf = (run: () => unknown): ImportFileError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ImportFileError);
    return error as ImportFileError;
  }
  throw new Error('expected the file to be refused');
};

const cellsOf = (text: string, delimiter = ',') => [...csvRecords(text, delimiter)].map((record) => record.cells);

describe('CSV records', () => {
  it('reads quoted cells with commas, doubled quotes and line breaks inside', () => {
    expect(cellsOf('a,"b,c","say ""hi""","two\nlines",e\n')).toEqual([['a', 'b,c', 'say "hi"', 'two\nlines', 'e']]);
    expect(cellsOf('"x\r\ny",z\r\n1,2')).toEqual([['x\r\ny', 'z'], ['1', '2']]);
  });

  it('accepts CRLF, LF and CR line ends, and a last line without one', () => {
    expect(cellsOf('a,b\r\nc,d\ne,f\rg,h')).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f'], ['g', 'h']]);
  });

  it('keeps a stray quote inside an unquoted cell as written', () => {
    expect(cellsOf('5" screen,b\n')).toEqual([['5" screen', 'b']]);
    expect(cellsOf('"quoted"tail,b\n')).toEqual([['"quoted"tail', 'b']]);
  });

  it('counts the physical line a record starts on', () => {
    expect([...csvRecords('a\n"b\nc"\nd\n', ',')].map((record) => record.physicalLine)).toEqual([1, 2, 4]);
  });
});

describe('parseImportFile', () => {
  const file = (...lines: string[]) => lines.join('\r\n');

  it('reads the template layout, with or without a byte order mark', () => {
    const text = file(IMPORT_HEADER, 'jane@contoso.com,+14155550123,yes,Sales;VIP', 'john@contoso.com,,no,');
    for (const variant of [text, '\uFEFF' + text, Buffer.from('\uFEFF' + text, 'utf8'), Buffer.from(text, 'utf8')]) {
      const parsed = parseImportFile(variant);
      expect(parsed.rows).toEqual([
        { line: 2, username: 'jane@contoso.com', numbers: '+14155550123', enabled: 'yes', tags: 'Sales;VIP', extraCells: [] },
        { line: 3, username: 'john@contoso.com', numbers: '', enabled: 'no', tags: '', extraCells: [] },
      ]);
      expect(parsed).toMatchObject({ hasTags: true, ignoredColumns: [], delimiter: ',' });
    }
  });

  it('reads UTF-16 with a byte order mark (Excel "Unicode text", tab-separated)', () => {
    const text = '\uFEFF' + ['Teams username\tSMS numbers\tEnable SMS\tTags', 'zoë@contoso.com\t+14155550123\tyes\tNacht'].join('\r\n');
    const bytes = Buffer.from(text, 'utf16le');
    const parsed = parseImportFile(bytes);
    expect(parsed.delimiter).toBe('\t');
    expect(parsed.rows[0]).toMatchObject({ username: 'zoë@contoso.com', tags: 'Nacht' });
  });

  it('counts rows as a spreadsheet does, across quoted line breaks, blank rows and trailing empty lines', () => {
    const parsed = parseImportFile(file(IMPORT_HEADER, '', 'jane@contoso.com,"+14155550123\n+14155550124",yes,', ',,,', 'john@contoso.com,,no,', '', '', ''));
    expect(parsed.rows.map((row) => [row.line, row.username])).toEqual([
      [3, 'jane@contoso.com'],
      [5, 'john@contoso.com'],
    ]);
    expect(parsed.rows[0]!.numbers).toBe('+14155550123\n+14155550124');
  });

  it('skips comment rows (the template examples) and accepts blank trailing columns', () => {
    const parsed = parseImportFile(file(`${IMPORT_HEADER},,`, '# jane@contoso.com,+14155550123,yes,Sales', 'jane@contoso.com,+14155550123,yes,Sales,,', 'john@contoso.com,,no'));
    expect(parsed.rows).toEqual([
      { line: 3, username: 'jane@contoso.com', numbers: '+14155550123', enabled: 'yes', tags: 'Sales', extraCells: [] },
      { line: 4, username: 'john@contoso.com', numbers: '', enabled: 'no', tags: '', extraCells: [] },
    ]);
  });

  it('reports non-blank cells beyond the header for the row to explain', () => {
    const parsed = parseImportFile(file(IMPORT_HEADER, 'jane@contoso.com,+14155550123,yes,Sales,VIP, x '));
    expect(parsed.rows[0]!.extraCells).toEqual(['VIP', 'x']);
  });

  it('matches header names loosely, in any order, ignores unknown columns and works without Tags', () => {
    const parsed = parseImportFile(file('Display name, enable sms ,TEAMS USERNAME,Sms Numbers,License', 'Jane,no,jane@contoso.com,+14155550123,With'));
    expect(parsed.rows).toEqual([{ line: 2, username: 'jane@contoso.com', numbers: '+14155550123', enabled: 'no', extraCells: [] }]);
    expect(parsed).toMatchObject({ hasTags: false, ignoredColumns: ['Display name', 'License'] });
  });

  it('reads the Users export (its SMS column stands for Enable SMS)', () => {
    const exported = '\uFEFF' + ['Teams username,Display name,SMS numbers,License,SMS,Chat,Tags,Status', 'jane@contoso.com,Jane,+15551234567,With Teams license,Enabled,On,VIP; Sales,Active'].join('\n');
    expect(parseImportFile(exported).rows[0]).toMatchObject({ username: 'jane@contoso.com', numbers: '+15551234567', enabled: 'Enabled', tags: 'VIP; Sales' });
  });

  it('takes ; as the delimiter when the header uses it (spreadsheets in decimal-comma locales)', () => {
    const parsed = parseImportFile(file('Teams username;SMS numbers;Enable SMS;Tags', 'jane@contoso.com;"+14155550123;+14155550124";ja;"Sales;VIP"'));
    expect(parsed.delimiter).toBe(';');
    expect(parsed.rows[0]).toMatchObject({ numbers: '+14155550123;+14155550124', enabled: 'ja', tags: 'Sales;VIP' });
  });

  it('refuses a file over the size limit, naming the limit', () => {
    const big = IMPORT_HEADER + '\n' + 'x'.repeat(IMPORT_MAX_BYTES);
    for (const input of [big, Buffer.from(big)]) {
      const error = errorOf(() => parseImportFile(input));
      expect(error.message).toBe('The file is 5.01 MiB; the limit is 5 MiB and 20,000 rows per file. Split it into smaller files and import them one after the other.');
      expect(error.status).toBe(400);
      expect(error.details).toEqual([{ path: 'csv', message: error.message }]);
    }
  });

  it('refuses more rows than the limit, naming it', () => {
    const rows = Array.from({ length: IMPORT_MAX_ROWS + 1 }, (_, i) => `u${i}@c.com,,no`);
    const error = errorOf(() => parseImportFile([IMPORT_HEADER, ...rows].join('\n')));
    expect(error.message).toBe('The file has more than 20,000 rows; the limit is 5 MiB and 20,000 rows per file. Split it into smaller files and import them one after the other.');
    expect(parseImportFile([IMPORT_HEADER, ...rows.slice(1)].join('\n')).rows).toHaveLength(IMPORT_MAX_ROWS);
  });

  it('refuses a file without the required header, naming the missing column', () => {
    expect(errorOf(() => parseImportFile('Teams username,Enable SMS,Tags\njane@contoso.com,yes,')).message).toBe(
      'The file has no "SMS numbers" column. The first row must be the header Teams username,SMS numbers,Enable SMS,Tags; it reads: Teams username, Enable SMS, Tags. Download the template for the layout.',
    );
    expect(errorOf(() => parseImportFile('Teams username,Tags\njane@contoso.com,VIP')).message).toMatch(/^The file has no "SMS numbers" and "Enable SMS" columns\./);
    expect(errorOf(() => parseImportFile('jane@contoso.com,+14155550123,yes,VIP\n')).message).toBe(
      'The file has no "Teams username", "SMS numbers" and "Enable SMS" columns. Its first row looks like data (jane@contoso.com, +14155550123, yes, VIP); the first row must be the header: Teams username,SMS numbers,Enable SMS,Tags. Download the template for the layout.',
    );
    expect(errorOf(() => parseImportFile('Teams username,SMS numbers,Enable SMS,SMS numbers\n')).message).toBe('The header has the "SMS numbers" column twice ("SMS numbers" and "SMS numbers"). Keep one.');
  });

  it('refuses an empty file and a file with only the header', () => {
    expect(errorOf(() => parseImportFile('\uFEFF\r\n\r\n')).message).toMatch(/^The file is empty\./);
    expect(errorOf(() => parseImportFile(IMPORT_HEADER + '\r\n# example\r\n')).message).toBe('The file has a header but no rows. Add one row per user under the header Teams username,SMS numbers,Enable SMS,Tags.');
  });

  it('refuses a quote that never closes, naming the line it opens on', () => {
    expect(errorOf(() => parseImportFile(`${IMPORT_HEADER}\njane@contoso.com,+14155550123,yes,\njohn@contoso.com,"+14155550124,no,\nmary@contoso.com,,no,`)).message).toBe(
      'Line 3 opens a quoted cell (") that never closes, so the rest of the file would be one cell. Check that row for a stray quote.',
    );
  });

  it('refuses text that is not UTF-8, saying how to save it', () => {
    const latin1 = Buffer.concat([Buffer.from(`${IMPORT_HEADER}\r\njos`), Buffer.from([0xe9]), Buffer.from('@contoso.com,,no,\r\n')]);
    expect(errorOf(() => parseImportFile(latin1)).message).toBe(
      'Line 2 has characters that are not UTF-8 (the file was probably saved in a regional encoding such as Windows-1252). Save it as "CSV UTF-8 (Comma delimited)" and upload it again.',
    );
    expect(errorOf(() => parseImportFile(`${IMPORT_HEADER}\njos\uFFFD@contoso.com,,no,`)).message).toMatch(/^Line 2 has a character that was not saved as UTF-8/);
  });
});

describe('the template', () => {
  it('is UTF-8 with BOM and CRLF, its examples are comments, and it parses as a header without rows', () => {
    const template = importTemplate();
    expect(template.startsWith('\uFEFF' + IMPORT_HEADER + '\r\n')).toBe(true);
    expect(template.split('\r\n').filter(Boolean).slice(1).every((line) => line.startsWith('#'))).toBe(true);
    expect(errorOf(() => parseImportFile(template)).message).toMatch(/header but no rows/);
    // Uncommented, the examples are valid rows.
    const examples = template.replace(/^# (?=\S+@)/gm, '');
    expect(parseImportFile(examples).rows.map((row) => row.username)).toEqual(['jane.doe@contoso.com', 'john.smith@contoso.com']);
  });
});
