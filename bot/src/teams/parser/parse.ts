import { checkPhoneNumber, digitsOf } from '@switchboard/shared';
import { looksLikeNumber, meansThisCustomer, THIS_CUSTOMER, type ActionName } from '../actions';

/**
 * The deterministic reading of a chat message, used when no model is configured:
 * the common ways to ask for each action, or a plain statement to continue the
 * current conversation. What it cannot place it says so, never guesses a send.
 */
export type ParseResult =
  | { kind: 'action'; action: ActionName; args: Record<string, string> }
  | { kind: 'help'; greeting: boolean }
  | { kind: 'not-understood'; reason: string };

const PHONE_TOKEN = /^[+(]?[\d().\-/]+$/;

const action = (name: ActionName, args: Record<string, string> = {}): ParseResult => ({ kind: 'action', action: name, args });

/** "them", "this customer", "her" → "this customer"; otherwise the words as written. */
function who(text: string): string {
  const trimmed = text.trim().replace(/^["'“]|["'”]$/g, '').replace(/[?.!,]+$/, '').trim();
  return meansThisCustomer(trimmed) ? THIS_CUSTOMER : trimmed;
}

const isPhone = looksLikeNumber;

/** The longest run of phone-like tokens at the start that is a valid number (US when national), and what follows. */
function leadingPhone(text: string): { phone: string; rest: string } | undefined {
  const tokens = text.split(/\s+/);
  let count = 0;
  while (count < tokens.length && count < 6 && PHONE_TOKEN.test(tokens[count]!)) count++;
  for (let n = count; n > 0; n--) {
    const phone = tokens.slice(0, n).join(' ');
    if (digitsOf(phone).length >= 7 && checkPhoneNumber(phone, 'US').ok) return { phone, rest: tokens.slice(n).join(' ') };
  }
  if (count > 0 && digitsOf(tokens.slice(0, count).join(' ')).length >= 7) return { phone: tokens.slice(0, count).join(' '), rest: tokens.slice(count).join(' ') };
  return undefined;
}

/** A phone number anywhere in the text. */
function findPhone(text: string): { phone: string; before: string; after: string } | undefined {
  const match = /(\+?\(?\d[\d\s().\-/]{5,}\d)/.exec(text);
  if (!match || digitsOf(match[1]!).length < 7) return undefined;
  return { phone: match[1]!.trim(), before: text.slice(0, match.index).trim(), after: text.slice(match.index + match[1]!.length).trim() };
}

/** What comes after the recipient: "saying hi", ": hi", "that we're late", "- hi" → the message. */
function bodyOf(text: string): string {
  return text.replace(/^\s*(?:[:,\-–—]|saying|that says|that|to say|with|message)\s*/i, '').trim().replace(/^["“](.*)["”]$/s, '$1');
}

/** Splits "Jane: running late", "+1 425 555 0101 hello", "this customer that we're late", "Jane Doe hello". */
function recipientAndBody(rest: string): { to: string; text: string } | undefined {
  const colon = /^([^:]{1,60}?)\s*:\s*(.+)$/s.exec(rest);
  if (colon && !/^\+?[\d\s().\-]+$/.test(colon[2]!)) return { to: who(colon[1]!), text: colon[2]!.trim() };
  const focus = /^((?:this|that|the)\s+(?:customer|client|person|number)|them|him|her)\b(.*)$/is.exec(rest);
  if (focus) return { to: THIS_CUSTOMER, text: bodyOf(focus[2]!) };
  const phone = leadingPhone(rest);
  if (phone) return { to: phone.phone, text: bodyOf(phone.rest) };
  const joined = /^(.{1,40}?)\s+(?:saying|that says|that|to say)\s+(.+)$/is.exec(rest);
  if (joined && joined[1]!.split(/\s+/).length <= 4) return { to: who(joined[1]!), text: joined[2]!.trim() };
  // Without a separator a name is its capitalised words ("Jane Doe running late"), or the first word.
  const words = rest.split(/\s+/);
  let n = 0;
  while (n < words.length - 1 && n < 3 && /^\p{Lu}/u.test(words[n]!)) n++;
  if (n === 0) n = 1;
  return { to: who(words.slice(0, n).join(' ')), text: words.slice(n).join(' ').trim() };
}

const sendOrAsk = (rest: string): ParseResult => {
  const split = recipientAndBody(rest.trim());
  if (!split || split.to === '') return { kind: 'not-understood', reason: 'I could not tell who to text. Write e.g. "text +1 425 555 0100 Hello" or "sms Jane: running late".' };
  if (split.text === '') return { kind: 'not-understood', reason: `I could not tell what to send to ${split.to}. Write e.g. "sms ${split.to}: running late".` };
  return action('send_sms', split);
};

const QUESTION = /^(?:what|what's|whats|who|who's|when|where|why|how|which|is|are|am|do|does|did|can|could|will|would|should|shall|may|tell me)\b/i;
const COMMAND_WORD = /^(?:send|text|sms|message|msg|remind|ping|notify|tell|save|add contact|find|look up|lookup|search|show|list|open)\b/i;
const GREETING = /^(?:hi|hello|hey|hiya|yo|good (?:morning|afternoon|evening)|thanks|thank you|thx|ty|cheers)(?:\s+(?:switchboard|bot|there))?[!.]*$/i;

function save(rest: string): ParseResult | undefined {
  const body = rest.replace(/^(?:a\s+)?(?:new\s+)?(?:contact|number)\s*:?\s*/i, '').trim();
  const as = /^(.+?)\s+as\s+(.+)$/i.exec(body);
  if (as) {
    const [left, right] = [as[1]!.trim(), as[2]!.trim().replace(/[.!]+$/, '')];
    if (isPhone(left) || meansThisCustomer(left) || /^(?:their|his|her)\s+(?:number|contact)$/i.test(left)) return action('save_contact', { name: right, number: isPhone(left) ? left : THIS_CUSTOMER });
    if (isPhone(right)) return action('save_contact', { name: left, number: right });
  }
  const phone = findPhone(body);
  if (!phone) return undefined;
  const name = `${phone.before} ${phone.after}`
    .replace(/'s\s+(?:number|phone|cell|mobile)\b/i, '')
    .replace(/\b(?:with|at|on|number|phone|is|to contacts|to my contacts)\b/gi, ' ')
    .replace(/[:,\-–]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return name === '' ? { kind: 'not-understood', reason: `What should I call ${phone.phone}? Write e.g. "save Jane Doe ${phone.phone}".` } : action('save_contact', { name, number: phone.phone });
}

function optOut(text: string): ParseResult | undefined {
  if (!/\b(?:opt(?:ed)?[\s-]?out|unsubscribed?|said stop|repl(?:y|ied) stop|texted stop|sent stop|blocked us|blocked me)\b/i.test(text) && !/^can i (?:still )?(?:text|message|sms)\b/i.test(text)) return undefined;
  const patterns = [
    /^(?:has|did|is|have|does)\s+(.+?)\s+(?:opted[\s-]?out|opt[\s-]?out|unsubscribed?|said stop|repl(?:y|ied) stop|texted stop|sent stop|blocked)/i,
    /(?:opt[\s-]?out|opted[\s-]?out|unsubscribe)\s+status\s+(?:of|for)\s+(.+)$/i,
    /^(?:check|see)\s+(?:if|whether)\s+(.+?)\s+(?:has\s+|is\s+|did\s+)?(?:opted|unsubscribed|said stop)/i,
    /^can i (?:still )?(?:text|message|sms)\s+(.+?)\??$/i,
    /^(?:is|are)\s+(.+?)\s+(?:opted|unsubscribed|blocked)/i,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match) return action('opt_out_status', { who: who(match[1]!) });
  }
  return action('opt_out_status', { who: THIS_CUSTOMER });
}

/** Reads one chat message. */
export function parseCommand(input: string): ParseResult {
  const text = input
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:please|pls|plz|kindly|(?:can|could|would|will) you(?: please)?)\s+/i, '')
    .replace(/\s*,?\s*please[.!]?$/i, '')
    .trim();
  if (text === '') return { kind: 'help', greeting: false };
  if (/^(?:help|\?|commands|menu|what can you do\??|how does this work\??|what can i say\??)$/i.test(text)) return { kind: 'help', greeting: false };
  if (GREETING.test(text)) return { kind: 'help', greeting: true };

  // reply: on my way / reply to Jane: ok
  let m = /^(?:reply|respond|answer)\s+to\s+(.+?)\s*(?::|saying|with)\s*(.+)$/is.exec(text);
  if (m) return meansFocus(m[1]!) ? action('reply', { text: m[2]!.trim() }) : action('send_sms', { to: who(m[1]!), text: m[2]!.trim() });
  m = /^(?:reply|respond|answer)\s*(?:[:,\-–]\s*|\s+(?:with|saying)\s+|\s+)(.+)$/is.exec(text);
  if (m) return action('reply', { text: m[1]!.trim() });

  m = /^(?:save|add|store|create)\s+(.+)$/i.exec(text);
  if (m) {
    const saved = save(m[1]!);
    if (saved) return saved;
  }

  const opt = optOut(text);
  if (opt) return opt;

  if (/^(?:(?:list|show|see|view|open|get|check)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:my\s+)?(?:recent\s+|latest\s+|sms\s+|text\s+)*(?:conversations|chats|threads|texts|messages|inbox)|(?:my\s+)?(?:recent\s+)?conversations|inbox|who (?:has )?texted me(?: recently| today)?|any new (?:messages|texts)|do i have (?:any )?new (?:messages|texts))\??$/i.test(text)) {
    return action('list_conversations');
  }

  m = /^(?:show|open|view|see|display|get|pull up)\s+(?:me\s+)?(?:the\s+|my\s+)?(?:conversation|chat|thread|messages|texts|history|sms history|text history)(?:\s+(?:with|from|for|of)\s+(.+?))?\??$/i.exec(text);
  if (m) return action('show_conversation', { who: who(m[1] ?? '') });
  m = /^what did (.+?) (?:say|write|text|send)(?: me)?\??$/i.exec(text);
  if (m) return action('show_conversation', { who: who(m[1]!) });
  m = /^(?:show|open|view|pull up)\s+(?:me\s+)?(.+?)(?:'s)?\s+(?:conversation|messages|texts|thread|history)\??$/i.exec(text);
  if (m) return action('show_conversation', { who: who(m[1]!) });

  m = /^(?:find|look\s?up|search(?:\s+contacts)?(?:\s+for)?|get)\s+(?:the\s+)?(?:contact\s+|number\s+(?:of|for)\s+|phone number\s+(?:of|for)\s+)?(.+?)(?:'s\s+(?:number|phone number|contact))?\??$/i.exec(text);
  if (m && !/^(?:conversation|messages|texts)/i.test(m[1]!)) return action('find_contact', { name: m[1]!.trim() });
  m = /^(?:what(?:'s| is)|whats)\s+(.+?)'s\s+(?:number|phone(?: number)?|cell|mobile)\??$/i.exec(text) ?? /^(?:what(?:'s| is)|whats) the (?:number|phone number) (?:of|for) (.+?)\??$/i.exec(text) ?? /^do i have (?:a )?(?:number|contact) for (.+?)\??$/i.exec(text);
  if (m) return action('find_contact', { name: m[1]!.trim() });

  m = /^(?:send\s+(?:a\s+|an\s+)?(?:text|sms|message|msg)\s+to|text|sms|message|msg|write\s+to|send\s+to)\s+(.+)$/is.exec(text);
  if (m) return sendOrAsk(m[1]!);
  m = /^send\s+(.+?)\s+to\s+(.+?)$/is.exec(text);
  if (m && (isPhone(m[2]!) || meansThisCustomer(m[2]!) || m[2]!.trim().split(/\s+/).length <= 3)) return action('send_sms', { to: who(m[2]!), text: m[1]!.trim().replace(/^["“](.*)["”]$/s, '$1') });
  m = /^send\s+(.+?)\s+(?:a|an)\s+(?:text|sms|message|msg)\s*(?::|saying|that says|that|to say)?\s+(.+)$/is.exec(text);
  if (m && m[1]!.split(/\s+/).length <= 4) return action('send_sms', { to: who(m[1]!), text: m[2]!.trim() });
  m = /^let\s+(.+?)\s+know\s+(?:that\s+)?(.+)$/is.exec(text);
  if (m) return action('send_sms', { to: who(m[1]!), text: m[2]!.trim() });
  m = /^tell\s+(?!me\b|us\b)(.+)$/is.exec(text);
  if (m) return sendOrAsk(m[1]!);

  if (text.endsWith('?') || QUESTION.test(text)) {
    return { kind: 'not-understood', reason: `I didn't understand "${input.trim()}": it isn't one of the things I can do. To text it to the customer you're talking with, write "reply: ${input.trim()}".` };
  }
  // A command word we could not read is never texted to a customer as it stands.
  if (COMMAND_WORD.test(text)) {
    return { kind: 'not-understood', reason: `I didn't understand "${input.trim()}". To text it as it stands to the customer you're talking with, write "reply: ${input.trim()}".` };
  }
  // Anything else is a message for the customer: it continues the current conversation.
  return action('reply', { text: input.trim() });
}

function meansFocus(text: string): boolean {
  return who(text) === THIS_CUSTOMER;
}
