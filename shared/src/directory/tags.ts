import { z } from 'zod';
import { parseOrThrow } from '../validation';
import { tagListSchema, tagSchema } from './user';
import { tagKey } from './user-query';

/**
 * User tags: the rules of one user's list are `tagListSchema` (user.ts): at most 5,
 * 1 to 20 characters after trimming, no duplicates ignoring case. Here: the request
 * bodies, and the pure changes applied to one user's list by the bulk rename and
 * remove, plus the enterprise's tag list for suggestions.
 */

export const userTagsBodySchema = z
  .object({ tags: tagListSchema.describe('The complete new list: at most 5 tags of 1 to 20 characters, no duplicates ignoring case.') })
  .strict()
  .meta({ id: 'UserTags' });

export const renameTagBodySchema = z
  .object({
    from: tagSchema.describe('The tag to rename (case-insensitive).'),
    to: tagSchema.describe('The new name. Users who already have it keep one.'),
  })
  .strict()
  .meta({ id: 'RenameTag' });
export type RenameTag = z.output<typeof renameTagBodySchema>;

/** Validates a complete tag list; a bad entry is reported as `tags.N`. Returns the trimmed tags. */
export function validateTags(tags: unknown): string[] {
  return parseOrThrow(z.object({ tags: tagListSchema }), { tags }, 'tag list').tags;
}

/**
 * Renames `from` (any case) to `to` in one user's list, keeping its position. If the
 * user already has `to` (any case), the two merge into one `to`, where the first was.
 * The list never grows, so it stays within the 5-tag limit.
 */
export function renameTagIn(tags: readonly string[], from: string, to: string): string[] {
  const fromKey = tagKey(from);
  const toKey = tagKey(to);
  const renamed = tags.map((tag) => (tagKey(tag) === fromKey || tagKey(tag) === toKey ? to.trim() : tag));
  if (!tags.some((tag) => tagKey(tag) === fromKey)) return [...tags];
  const seen = new Set<string>();
  return renamed.filter((tag) => {
    const key = tagKey(tag);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One user's list without `tag` (any case). */
export function removeTagFrom(tags: readonly string[], tag: string): string[] {
  const key = tagKey(tag);
  return tags.filter((candidate) => tagKey(candidate) !== key);
}

export const sameTags = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((tag, i) => tag === b[i]);

/** "added VIP, removed Night shift" */
export function describeTagChange(before: readonly string[], after: readonly string[]): string {
  const beforeKeys = new Set(before.map(tagKey));
  const afterKeys = new Set(after.map(tagKey));
  const added = after.filter((tag) => !beforeKeys.has(tagKey(tag)));
  const removed = before.filter((tag) => !afterKeys.has(tagKey(tag)));
  const renamed = after.filter((tag) => beforeKeys.has(tagKey(tag)) && !before.includes(tag));
  const parts = [
    added.length ? `added ${added.join(', ')}` : '',
    removed.length ? `removed ${removed.join(', ')}` : '',
    renamed.length ? `respelled ${renamed.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'reordered them';
}

export interface TagCount {
  tag: string;
  count: number;
}

/**
 * The enterprise's tags for suggestions: one entry per tag ignoring case (spelled as
 * most users spell it), most used first, then by name.
 */
export function countTags(lists: Iterable<readonly string[]>): TagCount[] {
  const byKey = new Map<string, { count: number; spellings: Map<string, number> }>();
  for (const tags of lists) {
    for (const tag of tags) {
      const key = tagKey(tag);
      const entry = byKey.get(key) ?? { count: 0, spellings: new Map<string, number>() };
      entry.count++;
      entry.spellings.set(tag, (entry.spellings.get(tag) ?? 0) + 1);
      byKey.set(key, entry);
    }
  }
  const result = [...byKey.values()].map(({ count, spellings }) => {
    const [tag] = [...spellings.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]!;
    return { tag, count };
  });
  return result.sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag, 'en', { sensitivity: 'base' }) || (a.tag < b.tag ? -1 : 1));
}

export const tagListResponseSchema = z
  .object({ items: z.array(z.object({ tag: z.string(), count: z.number().int().describe('Users with the tag.') })) })
  .meta({ id: 'TagList' });

export const tagChangeResultSchema = z
  .object({
    updated: z.number().int().describe('Users whose tags changed.'),
    failed: z
      .array(z.object({ id: z.string(), username: z.string(), reason: z.string() }))
      .describe('Users that could not be changed (kept changing meanwhile); run the action again for them.'),
  })
  .meta({ id: 'TagChangeResult' });

export interface TagChangeResult {
  updated: number;
  failed: Array<{ id: string; username: string; reason: string }>;
}
