import { Button, Field, Input, Popover, PopoverSurface, PopoverTrigger, makeStyles, tokens } from '@fluentui/react-components';
import { FilterFilled, FilterRegular } from '@fluentui/react-icons';
import { useState, type FormEvent } from 'react';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, width: '240px' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, justifyContent: 'flex-end' },
  active: { color: tokens.colorBrandForeground1 },
});

export interface ColumnFilterProps {
  /** The column's name: "Teams username". */
  column: string;
  /** What the field asks for: "Contains". */
  label: string;
  /** The filter in force (empty: none); a filter that adds (tags) passes ''. */
  value: string;
  active: boolean;
  placeholder?: string;
  /** Apply a filter; '' clears it. */
  onApply: (value: string) => void;
  /** Why the value cannot be applied, or undefined. */
  validate?: (value: string) => string | undefined;
  applyLabel?: string;
}

/** The filter icon next to a column heading: a small form whose value narrows that column. */
export function ColumnFilter({ column, label, value, active, placeholder, onApply, validate, applyLabel = 'Apply' }: ColumnFilterProps) {
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(value);
  const [problem, setProblem] = useState<string>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const issue = validate?.(draft);
    setProblem(issue);
    if (issue) return;
    onApply(draft.trim());
    setOpen(false);
  };

  return (
    // The filter sits in a sortable heading: its clicks and keys must not sort the column.
    <span onClick={(event) => event.stopPropagation()} onKeyDown={(event) => event.stopPropagation()}>
      <Popover
        open={open}
        onOpenChange={(_, data) => {
          setOpen(data.open);
          if (data.open) {
            setDraft(value);
            setProblem(undefined);
          }
        }}
        trapFocus
        withArrow
      >
        <PopoverTrigger disableButtonEnhancement>
          <Button
            appearance="subtle"
            size="small"
            icon={active ? <FilterFilled className={styles.active} /> : <FilterRegular />}
            aria-label={`Filter ${column}${active ? ' (active)' : ''}`}
          />
        </PopoverTrigger>
        <PopoverSurface aria-label={`Filter ${column}`}>
          <form className={styles.form} onSubmit={submit}>
            <Field label={`${column}: ${label}`} validationMessage={problem} validationState={problem ? 'error' : 'none'}>
              <Input value={draft} placeholder={placeholder} onChange={(_, d) => setDraft(d.value)} autoFocus />
            </Field>
            <div className={styles.actions}>
              {value && (
                <Button
                  onClick={() => {
                    onApply('');
                    setOpen(false);
                  }}
                >
                  Clear
                </Button>
              )}
              <Button appearance="primary" type="submit">
                {applyLabel}
              </Button>
            </div>
          </form>
        </PopoverSurface>
      </Popover>
    </span>
  );
}
