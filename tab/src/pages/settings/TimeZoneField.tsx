import { Combobox, Field, Input, useComboboxFilter } from '@fluentui/react-components';
import { useMemo, useState, type Ref } from 'react';
import { currentTimeIn, supportedTimeZones } from './timeZones';

// "new york" should find America/New_York.
const normalise = (text: string) => text.toLowerCase().replace(/[_/]+/g, ' ');
const matches = (option: string, query: string) => normalise(option).includes(normalise(query).trim());

export interface TimeZoneFieldProps {
  value: string;
  onChange: (zone: string) => void;
  error?: string;
  disabled?: boolean;
  inputRef?: Ref<HTMLInputElement>;
}

/** A searchable list of the browser's IANA zones; a plain text box where the browser can't list them. */
export function TimeZoneField({ value, onChange, error, disabled, inputRef }: TimeZoneFieldProps) {
  const zones = supportedTimeZones();
  const [query, setQuery] = useState(value);
  // Follow outside changes (discard, reload) without an effect-and-flash.
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setQuery(value);
  }

  const options = useMemo(() => (zones && value && !zones.includes(value) ? [value, ...zones] : zones ?? []), [zones, value]);
  // While the box shows the chosen zone, list them all; filter once the user types.
  const children = useComboboxFilter(query === value ? '' : query, options, {
    noOptionsMessage: 'No time zone matches.',
    filter: matches,
  });

  const now = currentTimeIn(value);
  const hint = now ? `Used for timestamps and schedules. It's ${now} there now.` : 'Used for timestamps and schedules.';

  return (
    <Field label="Time zone" validationMessage={error} hint={hint}>
      {zones ? (
        <Combobox
          ref={inputRef}
          value={query}
          selectedOptions={value ? [value] : []}
          disabled={disabled}
          placeholder="Search, e.g. London"
          onChange={(event) => setQuery(event.target.value)}
          onOptionSelect={(_, data) => {
            if (!data.optionValue) return;
            setQuery(data.optionValue);
            onChange(data.optionValue);
          }}
          onBlur={() => setQuery(value)}
        >
          {children}
        </Combobox>
      ) : (
        <Input ref={inputRef} value={value} disabled={disabled} onChange={(_, data) => onChange(data.value)} placeholder="e.g. Europe/London" />
      )}
    </Field>
  );
}
