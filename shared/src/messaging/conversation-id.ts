/**
 * A conversation is one enterprise number talking with one outside party. Its id is
 * readable and safe in table keys and URLs: the enterprise number's digits, then the
 * other party's address (digits of a phone number, or a short code / sender id as sent).
 */
export function conversationIdOf(enterpriseNumber: string, externalAddress: string): string {
  return `${addressKey(enterpriseNumber)}_${addressKey(externalAddress)}`;
}

function addressKey(address: string): string {
  const trimmed = address.trim();
  if (/^\+\d+$/.test(trimmed)) return trimmed.slice(1);
  // Alphanumeric sender ids keep letters and digits only (lower-cased): never a key-breaking character.
  return trimmed.toLowerCase().replace(/[^a-z0-9]/g, '') || 'unknown';
}

/** The enterprise number and the external party of a message, whichever way it went. */
export function conversationEndsOf(message: { direction: 'inbound' | 'outbound'; from: string; to: string }): { enterpriseNumber: string; externalNumber: string } {
  return message.direction === 'inbound' ? { enterpriseNumber: message.to, externalNumber: message.from } : { enterpriseNumber: message.from, externalNumber: message.to };
}
