import { countSegments, describeSegments, MAX_SEGMENTS } from './segments';

const a = (n: number) => 'a'.repeat(n);
const e = (n: number) => 'ж'.repeat(n); // Cyrillic: outside GSM-7

describe('countSegments', () => {
  it('counts an empty text as no segment', () => {
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', segments: 0, units: 0, perSegment: 160, remaining: 160, characters: 0 });
  });

  it.each([
    [1, 1, 160, 159],
    [160, 1, 160, 0],
    [161, 2, 153, 145],
    [306, 2, 153, 0],
    [307, 3, 153, 152],
    [1530, 10, 153, 0],
  ])('GSM-7: %i characters are %i segment(s) of %i, %i left', (length, segments, perSegment, remaining) => {
    expect(countSegments(a(length))).toEqual({ encoding: 'GSM-7', segments, units: length, perSegment, remaining, characters: length });
  });

  it.each([
    [70, 1, 70, 0],
    [71, 2, 67, 63],
    [134, 2, 67, 0],
    [135, 3, 67, 66],
  ])('UCS-2: %i characters are %i segment(s) of %i, %i left', (length, segments, perSegment, remaining) => {
    expect(countSegments(e(length))).toEqual({ encoding: 'UCS-2', segments, units: length, perSegment, remaining, characters: length });
  });

  it('counts the extension characters and form feed as 2 septets, still GSM-7', () => {
    for (const char of ['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\f']) {
      expect(countSegments(char)).toMatchObject({ encoding: 'GSM-7', units: 2, characters: 1, remaining: 158 });
    }
    expect(countSegments('€'.repeat(80))).toMatchObject({ segments: 1, units: 160, remaining: 0 });
    expect(countSegments('€'.repeat(81))).toMatchObject({ segments: 2, units: 162, perSegment: 153 });
    expect(countSegments(`${a(159)}€`)).toMatchObject({ segments: 2, units: 161 });
  });

  it('never splits an escape pair: a 2-septet character at the 153 boundary starts the next part', () => {
    // 152 + 2 + 152 = 306 septets, which division would call 2 parts; packed: 152 | 2 + 151 | 1.
    expect(countSegments(`${a(152)}{${'b'.repeat(152)}`)).toEqual({ encoding: 'GSM-7', segments: 3, units: 306, perSegment: 153, remaining: 152, characters: 305 });
    // The pair fits exactly when it ends on the boundary: 151 + 2 | 10.
    expect(countSegments(`${a(151)}{${'b'.repeat(10)}`)).toMatchObject({ segments: 2, units: 163, remaining: 143 });
    // 152 + 2 (moved) + 10: the second part holds 12.
    expect(countSegments(`${a(152)}{${'b'.repeat(10)}`)).toMatchObject({ segments: 2, units: 164, remaining: 141 });
  });

  it('never splits a surrogate pair: an emoji at the 67 boundary starts the next part', () => {
    const emoji = '😀';
    expect(countSegments(emoji)).toEqual({ encoding: 'UCS-2', segments: 1, units: 2, perSegment: 70, remaining: 68, characters: 1 });
    // 66 + 2 + 66 = 134 units, which division would call 2 parts; packed: 66 | 2 + 65 | 1.
    expect(countSegments(`${a(66)}${emoji}${a(66)}`)).toEqual({ encoding: 'UCS-2', segments: 3, units: 134, perSegment: 67, remaining: 66, characters: 133 });
    expect(countSegments(`${a(65)}${emoji}${a(66)}`)).toMatchObject({ segments: 2, units: 133, remaining: 1 });
    expect(countSegments(emoji.repeat(35))).toMatchObject({ segments: 1, units: 70, remaining: 0 });
    // Split, 33 emoji fill a part (66 units; a 34th would straddle 67): 33 | 3.
    expect(countSegments(emoji.repeat(36))).toMatchObject({ segments: 2, units: 72, remaining: 61 });
    expect(countSegments(emoji.repeat(67))).toMatchObject({ segments: 3, units: 134, remaining: 65 });
  });

  it('makes the whole message UCS-2 for one character outside GSM-7', () => {
    expect(countSegments(`${a(100)}ê`)).toEqual({ encoding: 'UCS-2', segments: 2, units: 101, perSegment: 67, remaining: 33, characters: 101 });
    // In UCS-2 the extension characters are ordinary single units.
    expect(countSegments('€ê')).toMatchObject({ encoding: 'UCS-2', units: 2 });
  });

  it('follows the GSM 03.38 default alphabet, not Latin-1', () => {
    const basic = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
    expect([...basic]).toHaveLength(127); // 128 positions less ESC
    expect(countSegments(basic)).toMatchObject({ encoding: 'GSM-7', units: 127, segments: 1 });
    for (const char of ['é', 'Ç', 'à', 'ü', 'Ñ', '§', '¿', '¤', 'Δ', 'Ω']) expect(countSegments(char)).toMatchObject({ encoding: 'GSM-7', units: 1 });
    // Look-alikes that are not in it: accented letters GSM lacks, lower-case ç, typographic quotes, the ellipsis, a backtick, ESC itself.
    for (const char of ['ê', 'ç', 'á', 'í', 'ó', 'ú', 'È', 'À', 'ô', '¢', '’', '“', '…', '`', '\u001b', '\t', 'α']) {
      expect(countSegments(char)).toMatchObject({ encoding: 'UCS-2', units: 1 });
    }
  });

  it('describes a count in a few words', () => {
    expect(describeSegments(countSegments(a(160)))).toBe('1 segment · GSM-7 · 0 left');
    expect(describeSegments(countSegments(a(161)))).toBe('2 segments · GSM-7 · 145 left');
    expect(describeSegments(countSegments('Hi 😀'))).toBe('1 segment · UCS-2 · 65 left');
    expect(describeSegments(countSegments(''))).toBe('0 segments · GSM-7 · 160 left');
  });

  it('caps messages at 10 segments', () => {
    expect(MAX_SEGMENTS).toBe(10);
    expect(countSegments(a(153 * MAX_SEGMENTS)).segments).toBe(MAX_SEGMENTS);
    expect(countSegments(a(153 * MAX_SEGMENTS + 1)).segments).toBe(MAX_SEGMENTS + 1);
  });
});
