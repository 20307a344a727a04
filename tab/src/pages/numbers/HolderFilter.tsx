import { Combobox, Option, OptionGroup } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { NumbersApi, SmsGroup } from '../../api/numbers';

export interface HolderFilterProps {
  api: NumbersApi;
  enterpriseId: string;
  groups: SmsGroup[];
  /** The chosen holder's id (a user or an SMS group), or undefined for anyone. */
  value: string | undefined;
  onChange: (holderId: string | undefined) => void;
  className?: string;
}

/** "Held by": an SMS group of the list, or a person found as you type. */
export function HolderFilter({ api, enterpriseId, groups, value, onChange, className }: HolderFilterProps) {
  const [query, setQuery] = useState('');
  const [chosenName, setChosenName] = useState('');
  const [users, setUsers] = useState<Array<{ id: string; name: string }>>([]);

  useEffect(() => {
    const text = query.trim();
    if (!text || text === chosenName) return setUsers([]);
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.searchUsers(enterpriseId, text, controller.signal).then(
        (page) => setUsers(page.items.map((row) => ({ id: row.id, name: row.displayName || row.username }))),
        () => undefined,
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, enterpriseId, query, chosenName]);

  const text = query.trim().toLowerCase();
  const matchingGroups = groups.filter((group) => text === '' || text === chosenName.toLowerCase() || group.name.toLowerCase().includes(text));
  return (
    <Combobox
      className={className}
      freeform
      aria-label="Held by"
      placeholder="Held by anyone"
      value={query}
      selectedOptions={value ? [value] : []}
      onChange={(event) => setQuery(event.target.value)}
      onOptionSelect={(_, data) => {
        const id = data.optionValue || undefined;
        const name = id ? data.optionText ?? '' : '';
        setChosenName(name);
        setQuery(name);
        onChange(id);
      }}
    >
      <Option value="" text="">
        Anyone
      </Option>
      {matchingGroups.length > 0 && (
        <OptionGroup label="SMS groups">
          {matchingGroups.map((group) => (
            <Option key={group.id} value={group.id} text={group.name}>
              {group.name}
            </Option>
          ))}
        </OptionGroup>
      )}
      {users.length > 0 && (
        <OptionGroup label="People">
          {users.map((user) => (
            <Option key={user.id} value={user.id} text={user.name}>
              {user.name}
            </Option>
          ))}
        </OptionGroup>
      )}
    </Combobox>
  );
}
