/**
 * "+14255550100" → "+1 425 555 0100": numbers as people read them, by the same rule the
 * server formats with (shared/src/rules/phone.ts). Storage and comparison stay E.164.
 */
export { formatInternational as displayNumber } from '@shared/rules/phone';
