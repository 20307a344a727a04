import { z } from 'zod';
import { tagListSchema } from '../directory/user';

/**
 * A user's SMS configuration as the "SMS User Configuration" dialog and the bulk
 * import set it: the SMS service on or off, the numbers the user holds, the tags.
 */
export interface DesiredSmsConfig {
  enabled: boolean;
  /** E.164 numbers the user should hold after the save (replaces the current set). */
  numbers: string[];
  /** Replaces the tags when given. */
  tags?: string[];
}

export const smsConfigBodySchema = z
  .object({
    enabled: z.boolean().describe('Enable SMS Service.'),
    numbers: z.array(z.string().trim().min(1)).max(20, 'A user can hold at most 20 numbers.').describe('The numbers the user holds after the save.'),
    tags: tagListSchema.optional(),
  })
  .strict()
  .meta({ id: 'SmsUserConfigBody' });

/** What a save changed, for the answer and the activity feed. */
export interface SmsConfigChange {
  userId: string;
  added: string[];
  removed: string[];
  enabledBefore: boolean;
  enabledAfter: boolean;
  tagsChanged: boolean;
  /** True when nothing needed to change (an idempotent repeat). */
  unchanged: boolean;
}
