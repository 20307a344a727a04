/**
 * The product's own SMS rules, imported from shared/ as source (`@shared`, see
 * vite.config.ts): the composer counts segments with exactly the code the server checks
 * sends with. Only these pure modules are imported (nothing that reaches Node or storage).
 */
export { countSegments, describeSegments, MAX_SEGMENTS, type SegmentCount, type SmsEncoding } from '@shared/rules/segments';
export { conversationIdOf } from '@shared/messaging/conversation-id';
