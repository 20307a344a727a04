import type { SmsUserView } from '../../api/users';

/** A number as the dialog lists it. */
export interface NumberItem {
  number: string;
  display: string;
  label?: string;
}

/** What the SMS User Configuration dialog edits; saved as a whole. */
export interface SmsDraft {
  enabled: boolean;
  numbers: NumberItem[];
  tags: string[];
}

export const draftOf = (view: SmsUserView): SmsDraft => ({
  enabled: view.enabled,
  numbers: view.numbers.map(({ number, display }) => ({ number, display })),
  tags: [...view.tags],
});

/**
 * The Available list: the server's free numbers, plus the user's own numbers the
 * draft released (they become free when saved), less what the draft assigns.
 */
export function availableFor(serverAvailable: readonly NumberItem[], assignedBefore: readonly NumberItem[], draft: SmsDraft, search = ''): NumberItem[] {
  const taken = new Set(draft.numbers.map((n) => n.number));
  const digits = search.replace(/\D/g, '');
  const released = assignedBefore.filter((n) => !taken.has(n.number) && (search.trim() === '' || (digits !== '' && n.number.replace(/\D/g, '').includes(digits))));
  const seen = new Set<string>();
  return [...released, ...serverAvailable].filter((n) => {
    if (taken.has(n.number) || seen.has(n.number)) return false;
    seen.add(n.number);
    return true;
  });
}

/** Moves the chosen numbers into the draft (in the order of the list they come from). */
export function addNumbers(draft: SmsDraft, from: readonly NumberItem[], chosen: ReadonlySet<string>): SmsDraft {
  const have = new Set(draft.numbers.map((n) => n.number));
  return { ...draft, numbers: [...draft.numbers, ...from.filter((n) => chosen.has(n.number) && !have.has(n.number))] };
}

export function removeNumbers(draft: SmsDraft, chosen: ReadonlySet<string>): SmsDraft {
  return { ...draft, numbers: draft.numbers.filter((n) => !chosen.has(n.number)) };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, i) => value === b[i]);

/** Whether the draft differs from what was loaded. */
export function isDirty(view: SmsUserView, draft: SmsDraft): boolean {
  return (
    view.enabled !== draft.enabled ||
    !sameList(
      view.numbers.map((n) => n.number).sort(),
      draft.numbers.map((n) => n.number).sort(),
    ) ||
    !sameList(view.tags, draft.tags)
  );
}

/** Which part of the dialog an API field issue belongs to (`numbers.2` → numbers). */
export function sectionOf(path: string): 'enabled' | 'numbers' | 'tags' | undefined {
  const head = path.split('.')[0];
  return head === 'enabled' || head === 'numbers' || head === 'tags' ? head : undefined;
}
