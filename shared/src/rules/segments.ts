/**
 * SMS segments, one rule for the whole product (the composer's counter, the sender,
 * stored messages). GSM 03.38: 160 septets in one SMS, 153 per part once it is split
 * (the rest is the concatenation header); with one character outside GSM-7 the whole
 * message is UCS-2: 70 UTF-16 units, 67 per part. Parts are packed character by
 * character, because a carrier never splits an escape pair or a surrogate pair: a
 * character that would straddle a boundary starts the next part.
 */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Parts the message is sent as (0 for an empty text). */
  segments: number;
  /** GSM-7 septets (extension characters count 2) or UTF-16 code units. */
  units: number;
  /** Units one segment holds: 160 / 70 alone, 153 / 67 once the message is split. */
  perSegment: number;
  /** Units left in the last segment before another one starts. */
  remaining: number;
  /** Characters as people count them (code points). */
  characters: number;
}

/** Longer messages are refused: carriers reassemble at most about 10 parts reliably. */
export const MAX_SEGMENTS = 10;

const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

/** The GSM 03.38 default alphabet (ESC, 0x1B, is not a character of its own). */
const GSM_BASIC = new Set([
  ...'@£$¥èéùìòÇ\nØø\rÅå',
  ...'Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ',
  ...' !"#¤%&\'()*+,-./0123456789:;<=>?',
  ...'¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§',
  ...'¿abcdefghijklmnopqrstuvwxyzäöñüà',
]);

/** The extension table: sent as ESC + a character, so each counts 2. */
const GSM_EXTENSION = new Set([...'\f^{}\\[~]|€']);

/** Septets a character takes in GSM-7, or undefined when GSM-7 cannot carry it. */
function gsmUnits(char: string): number | undefined {
  if (GSM_BASIC.has(char)) return 1;
  if (GSM_EXTENSION.has(char)) return 2;
  return undefined;
}

export function countSegments(text: string): SegmentCount {
  const chars = [...text];
  const gsm = chars.map(gsmUnits);
  const encoding: SmsEncoding = gsm.every((units) => units !== undefined) ? 'GSM-7' : 'UCS-2';
  const sizes = encoding === 'GSM-7' ? (gsm as number[]) : chars.map((char) => char.length);
  const units = sizes.reduce((sum, size) => sum + size, 0);
  const { single, part } = LIMITS[encoding];
  if (units <= single) {
    return { encoding, segments: units === 0 ? 0 : 1, units, perSegment: single, remaining: single - units, characters: chars.length };
  }
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > part) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { encoding, segments, units, perSegment: part, remaining: part - used, characters: chars.length };
}

/** "2 segments · GSM-7 · 146 left", for a composer's counter. */
export function describeSegments(count: SegmentCount): string {
  return `${count.segments} ${count.segments === 1 ? 'segment' : 'segments'} · ${count.encoding} · ${count.remaining} left`;
}
