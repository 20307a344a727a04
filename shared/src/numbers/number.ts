import { z } from 'zod';
import type { E164 } from '../rules/phone';

/**
 * A phone number (DID) of the enterprise's inventory. The inventory is the one
 * source of truth for who holds a number: assigning is a conditional write of the
 * number's `holder`, so two admins racing for it end with exactly one holder.
 */
export interface NumberHolder {
  type: 'user' | 'group';
  id: string;
  /** Display name at the time of assignment, for messages ("held by Jane Doe"). */
  name: string;
}

export interface Capabilities {
  sms: boolean;
  mms: boolean;
  voice: boolean;
}

export interface PhoneNumberEntry {
  enterpriseId: string;
  number: E164;
  /** The carrier connection that serves it (managed with the messaging engine). */
  carrierConnectionId: string | null;
  capabilities: Capabilities;
  label: string;
  /** The extension shown in the Connect SMS view (the user's PBX extension), if any. */
  extension: string | null;
  holder: NumberHolder | null;
  createdAt: string;
  updatedAt: string;
}

export type NumberStatus = 'unassigned' | 'assigned-user' | 'assigned-group';

export function numberStatus(entry: Pick<PhoneNumberEntry, 'holder'>): NumberStatus {
  if (!entry.holder) return 'unassigned';
  return entry.holder.type === 'user' ? 'assigned-user' : 'assigned-group';
}

export const capabilitiesSchema = z
  .object({ sms: z.boolean(), mms: z.boolean(), voice: z.boolean() })
  .strict()
  .describe('What the number can do.');

export const defaultCapabilities: Capabilities = { sms: true, mms: false, voice: false };

/** Who holds it, as a sentence: "Jane Doe", "the SMS group Dispatch". */
export function describeHolder(holder: NumberHolder): string {
  return holder.type === 'user' ? holder.name : `the SMS group ${holder.name}`;
}
