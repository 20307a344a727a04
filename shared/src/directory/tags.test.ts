import { tagListSchema } from './user';
import { ValidationError } from '../errors';
import { parseOrThrow } from '../validation';
import { countTags, describeTagChange, removeTagFrom, renameTagBodySchema, renameTagIn, userTagsBodySchema, validateTags } from './tags';

/** Tag rules: every validation message, and the pure rename / remove / count. */
function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('tag validation', () => {
  it('accepts up to 5 tags of up to 20 characters, trimmed', () => {
    expect(validateTags([' VIP ', 'Night shift', 'x'.repeat(20), 'Berlin', 'ünïcödé ☎'])).toEqual(['VIP', 'Night shift', 'x'.repeat(20), 'Berlin', 'ünïcödé ☎']);
    expect(validateTags([])).toEqual([]);
  });

  it('refuses a sixth tag', () => {
    const error = refusal(() => validateTags(['a', 'b', 'c', 'd', 'e', 'f']));
    expect(error.details).toEqual([{ path: 'tags', message: 'A user can have at most 5 tags.' }]);
    expect(error.message).toBe('The tag list has invalid fields: tags.');
  });

  it('refuses a tag over 20 characters (after trimming), naming its position', () => {
    expect(validateTags(['  ' + 'y'.repeat(20) + '  '])).toEqual(['y'.repeat(20)]);
    const error = refusal(() => validateTags(['ok', 'z'.repeat(21)]));
    expect(error.details).toEqual([{ path: 'tags.1', message: 'A tag can have at most 20 characters.' }]);
  });

  it('refuses an empty or blank tag', () => {
    expect(refusal(() => validateTags(['', 'ok'])).details).toEqual([{ path: 'tags.0', message: 'A tag cannot be empty.' }]);
    expect(refusal(() => validateTags(['ok', '   '])).details).toEqual([{ path: 'tags.1', message: 'A tag cannot be empty.' }]);
  });

  it('refuses duplicates ignoring case, naming the duplicate and what it repeats', () => {
    const error = refusal(() => validateTags(['VIP', 'Sales', 'vip']));
    expect(error.details).toEqual([{ path: 'tags.2', message: '"vip" repeats the tag "VIP" (tags ignore case).' }]);
    expect(refusal(() => validateTags(['Sales', ' sales '])).details).toEqual([{ path: 'tags.1', message: '"sales" repeats the tag "Sales" (tags ignore case).' }]);
  });

  it('refuses what is not a list of strings', () => {
    expect(refusal(() => validateTags('VIP')).details.map((d) => d.path)).toEqual(['tags']);
    expect(refusal(() => validateTags(['VIP', 7])).details.map((d) => d.path)).toEqual(['tags.1']);
  });

  it('reports several problems of the tags at once; a list over 5 is told the count first', () => {
    const error = refusal(() => validateTags(['a', 'A', 'x'.repeat(21)]));
    expect(error.details.map((d) => d.path).sort()).toEqual(['tags.1', 'tags.2']);
    expect(refusal(() => validateTags(['a', 'A', 'b', 'c', 'd', 'x'.repeat(21)])).details).toEqual([{ path: 'tags', message: 'A user can have at most 5 tags.' }]);
  });

  it('validates the request bodies: unknown fields refused, rename names each bad side', () => {
    expect(refusal(() => parseOrThrow(userTagsBodySchema, { tags: [], colour: 'red' })).details).toEqual([{ path: 'colour', message: expect.stringContaining('Unknown field') }]);
    expect(refusal(() => parseOrThrow(userTagsBodySchema, {})).details.map((d) => d.path)).toEqual(['tags']);
    const rename = refusal(() => parseOrThrow(renameTagBodySchema, { from: ' ', to: 'x'.repeat(21) }));
    expect(rename.details).toEqual([
      { path: 'from', message: 'A tag cannot be empty.' },
      { path: 'to', message: 'A tag can have at most 20 characters.' },
    ]);
    expect(parseOrThrow(renameTagBodySchema, { from: ' VIP ', to: ' Gold ' })).toEqual({ from: 'VIP', to: 'Gold' });
  });
});

describe('tag changes', () => {
  it('renames in place, ignoring case', () => {
    expect(renameTagIn(['Berlin', 'sales', 'VIP'], 'SALES', 'Sales team')).toEqual(['Berlin', 'Sales team', 'VIP']);
    expect(renameTagIn(['sales'], 'Sales', 'Sales')).toEqual(['Sales']); // a respelling
  });

  it('merges with a tag the user already has, keeping one where the first was', () => {
    expect(renameTagIn(['team', 'Berlin', 'Sales'], 'sales', 'Team')).toEqual(['Team', 'Berlin']);
    expect(renameTagIn(['Sales', 'Berlin', 'TEAM'], 'sales', 'Team')).toEqual(['Team', 'Berlin']);
  });

  it('never grows a list: five tags stay five or fewer', () => {
    const five = ['a', 'b', 'c', 'd', 'e'];
    expect(renameTagIn(five, 'c', 'z')).toEqual(['a', 'b', 'z', 'd', 'e']);
    expect(renameTagIn(five, 'c', 'A')).toEqual(['A', 'b', 'd', 'e']);
  });

  it('leaves users without the tag alone, even if they have the new name', () => {
    expect(renameTagIn(['team'], 'sales', 'Team')).toEqual(['team']);
  });

  it('removes ignoring case', () => {
    expect(removeTagFrom(['VIP', 'Berlin'], 'vip')).toEqual(['Berlin']);
    expect(removeTagFrom(['Berlin'], 'vip')).toEqual(['Berlin']);
  });

  it('describes a change for the activity feed', () => {
    expect(describeTagChange(['VIP', 'Berlin'], ['Berlin', 'Night shift'])).toBe('added Night shift; removed VIP');
    expect(describeTagChange(['vip'], ['VIP'])).toBe('respelled VIP');
    expect(describeTagChange(['a', 'b'], ['b', 'a'])).toBe('reordered them');
  });

  it('counts tags across users, most used first, then by name', () => {
    expect(countTags([['VIP', 'Berlin'], ['vip'], ['VIP', 'apple'], ['Zebra']])).toEqual([
      { tag: 'VIP', count: 3 },
      { tag: 'apple', count: 1 },
      { tag: 'Berlin', count: 1 },
      { tag: 'Zebra', count: 1 },
    ]);
  });
});

describe('tag characters', () => {
  it('refuses control characters such as line breaks and tabs', () => {
    for (const tag of ['Night\nshift', 'Tab\there', 'Bell\u0007']) {
      const result = tagListSchema.safeParse([tag]);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/control characters/);
    }
    expect(tagListSchema.safeParse(['Nacht-Schicht ☾']).success).toBe(true);
  });
});
