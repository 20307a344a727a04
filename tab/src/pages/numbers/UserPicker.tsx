import { Combobox, Field, Option, Tag, TagGroup, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { NumbersApi } from '../../api/numbers';

export interface PickedUser {
  id: string;
  displayName: string;
  username: string;
}

const useStyles = makeStyles({
  tags: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, marginTop: tokens.spacingVerticalXS },
});

export interface UserPickerProps {
  api: NumbersApi;
  enterpriseId: string;
  label: string;
  /** One person (the choice replaces the previous one) or several (shown as removable tags). */
  multiple?: boolean;
  value: PickedUser[];
  onChange: (users: PickedUser[]) => void;
  hint?: string;
  error?: string;
  required?: boolean;
  disabled?: boolean;
}

/** Finds people in the enterprise's directory as you type (the Users page's search). */
export function UserPicker({ api, enterpriseId, label, multiple = false, value, onChange, hint, error, required, disabled }: UserPickerProps) {
  const styles = useStyles();
  const [query, setQuery] = useState(multiple ? '' : value[0]?.displayName ?? '');
  const [options, setOptions] = useState<PickedUser[]>([]);
  const [searching, setSearching] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    // A short pause so each keystroke does not become a request.
    const timer = setTimeout(() => {
      setSearching(true);
      api.searchUsers(enterpriseId, query.trim(), controller.signal).then(
        (page) => {
          setOptions(page.items.filter((row) => !row.removed).map((row) => ({ id: row.id, displayName: row.displayName || row.username, username: row.username })));
          setSearching(false);
        },
        () => setSearching(false),
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, enterpriseId, query]);

  const chosen = new Set(value.map((user) => user.id));
  return (
    <Field label={label} hint={hint} validationMessage={error} required={required}>
      <Combobox
        freeform
        disabled={disabled}
        value={query}
        placeholder="Type a name or username"
        onChange={(event) => setQuery(event.target.value)}
        selectedOptions={multiple ? [] : value.map((user) => user.id)}
        onOptionSelect={(_, data) => {
          const user = options.find((option) => option.id === data.optionValue);
          if (!user) return;
          if (multiple) {
            if (!chosen.has(user.id)) onChange([...value, user]);
            setQuery('');
          } else {
            onChange([user]);
            setQuery(user.displayName);
          }
        }}
      >
        {options.map((user) => (
          <Option key={user.id} value={user.id} text={user.displayName}>
            {`${user.displayName} (${user.username})${chosen.has(user.id) && multiple ? ' ✓' : ''}`}
          </Option>
        ))}
        {options.length === 0 && (
          <Option key="none" value="" text="" disabled>
            {searching ? 'Searching…' : 'Nobody matches.'}
          </Option>
        )}
      </Combobox>
      {multiple && value.length > 0 && (
        <TagGroup
          className={styles.tags}
          aria-label={`${label}: chosen`}
          onDismiss={(_, data) => onChange(value.filter((user) => user.id !== data.value))}
        >
          {value.map((user) => (
            <Tag key={user.id} value={user.id} dismissible={!disabled} dismissIcon={{ 'aria-label': `Remove ${user.displayName}` }} size="small">
              {user.displayName}
            </Tag>
          ))}
        </TagGroup>
      )}
    </Field>
  );
}
