/**
 * The SMS compliance keywords (CTIA / carrier rules): a message that is only one of
 * these words blocks, re-subscribes or asks for help. Only the whole message counts,
 * so "stop texting me" or "please stop" stays an ordinary message.
 */
export type ComplianceKeyword = 'stop' | 'start' | 'help';

const KEYWORDS = new Map<string, ComplianceKeyword>([
  ...['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'].map((word) => [word, 'stop'] as const),
  ...['START', 'UNSTOP'].map((word) => [word, 'start'] as const),
  ...['HELP', 'INFO'].map((word) => [word, 'help'] as const),
]);

/** Trailing punctuation people (and phones) add: "Stop.", "STOP!!", "stop?". */
const TRAILING_PUNCTUATION = /[\s.!?,;:]+$/u;

/** The message as a keyword candidate: trimmed, without trailing punctuation, upper case ("Stop! " → "STOP"). */
export function keywordOf(body: string): string {
  return body.trim().replace(TRAILING_PUNCTUATION, '').toUpperCase();
}

/** Which compliance keyword the whole message is, if any. */
export function classifyKeyword(body: string): ComplianceKeyword | undefined {
  return KEYWORDS.get(keywordOf(body));
}
