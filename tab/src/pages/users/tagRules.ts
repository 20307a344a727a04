import { MAX_TAG_LENGTH, MAX_TAGS_PER_USER, tagListSchema, tagSchema } from '@shared/directory/user';

/**
 * The tag limits as the SMS User Configuration dialog shows them while typing. The
 * rules themselves are the server's (shared/src/directory/user.ts), imported from
 * their one source, so the dialog and the API can never disagree.
 */
export { MAX_TAG_LENGTH, MAX_TAGS_PER_USER };

/** "12/20", and whether the tag being typed is over the limit. */
export function lengthHint(draft: string): { text: string; over: boolean } {
  const length = draft.trim().length;
  return { text: `${length}/${MAX_TAG_LENGTH}`, over: length > MAX_TAG_LENGTH };
}

/** "3/5", and whether another tag still fits. */
export function countHint(tags: readonly string[]): { text: string; full: boolean } {
  return { text: `${tags.length}/${MAX_TAGS_PER_USER}`, full: tags.length >= MAX_TAGS_PER_USER };
}

/**
 * Why `draft` cannot be added to `tags` (the message names the problem), or
 * undefined when it can. An empty draft is no problem until the user tries to add it.
 */
export function problemAdding(tags: readonly string[], draft: string, adding = false): string | undefined {
  const trimmed = draft.trim();
  if (trimmed === '' && !adding) return undefined;
  const single = tagSchema.safeParse(draft);
  if (!single.success) return single.error.issues[0]?.message;
  if (tags.length >= MAX_TAGS_PER_USER) return `A user can have at most ${MAX_TAGS_PER_USER} tags. Remove one to add "${single.data}".`;
  const list = tagListSchema.safeParse([...tags, single.data]);
  if (!list.success) return list.error.issues[0]?.message;
  return undefined;
}

/** The whole list as the server will check it: the first problem, or undefined. */
export function problemWithList(tags: readonly string[]): string | undefined {
  const result = tagListSchema.safeParse(tags);
  return result.success ? undefined : result.error.issues[0]?.message;
}

/** Why `draft` cannot be the new name of `from` (the tag rule, or no change at all), or undefined. */
export function problemRenaming(from: string, draft: string): string | undefined {
  const single = tagSchema.safeParse(draft);
  if (!single.success) return single.error.issues[0]?.message;
  if (single.data === from) return 'Type the new name.';
  return undefined;
}
