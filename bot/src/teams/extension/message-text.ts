/**
 * The text of a Teams message as a person reads it. Teams gives message actions the
 * message body as HTML (`<p>`, `<br>`, `<at>` mentions, entities); an SMS needs it plain.
 */

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Plain text from a Teams message body: block ends become line breaks, tags go, entities are decoded. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6]|tr|blockquote)>/gi, '\n')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The message's text, whether Teams sent it as HTML or as plain text. */
export function messageText(body: { content?: string | undefined; contentType?: string | undefined } | undefined): string {
  const content = body?.content ?? '';
  return body?.contentType === 'text' ? content.trim() : htmlToText(content);
}

/** Room left for the user's own words under a quote: the dialog allows 1,600 characters (10 segments). */
const MAX_QUOTE_LENGTH = 1200;

/**
 * The message quoted as the start of an SMS. Straight quotes and "...": typographic
 * ones are outside GSM-7 and would turn the whole SMS into UCS-2 (70 characters a segment).
 */
export function quoteForSms(text: string): string {
  if (text === '') return '';
  const cut = text.length > MAX_QUOTE_LENGTH ? `${text.slice(0, MAX_QUOTE_LENGTH).trimEnd()}...` : text;
  return `"${cut}"`;
}
