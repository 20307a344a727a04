import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Spinner } from '@fluentui/react-components';
import type { ReactNode } from 'react';

export interface FormDialogProps {
  title: string;
  /** The fields (and the error bar above them). */
  children: ReactNode;
  /** Lays the fields out. */
  contentClassName?: string;
  /** The submit button, e.g. "Save contact"; `busyLabel` while saving (default: the same). */
  submitLabel: string;
  busyLabel?: string;
  busy: boolean;
  /** Enter or the submit button; the page is never reloaded. */
  onSubmit: () => void | Promise<unknown>;
  /** Cancel, Escape or a click outside: ignored while saving, so a save is never cut off. */
  onClose: () => void;
  open?: boolean;
  /** "off" for forms of secrets and identifiers the browser should not offer to fill. */
  autoComplete?: 'off';
}

/** A dialog around one form: title, fields, Cancel and the submit button with a spinner while it saves. */
export function FormDialog({ title, children, contentClassName, submitLabel, busyLabel, busy, onSubmit, onClose, open = true, autoComplete }: FormDialogProps) {
  return (
    <Dialog open={open} onOpenChange={(_, data) => !data.open && !busy && onClose()}>
      <DialogSurface aria-describedby={undefined}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void onSubmit();
          }}
          noValidate
          {...(autoComplete ? { autoComplete } : {})}
        >
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent className={contentClassName}>{children}</DialogContent>
            <DialogActions>
              <Button appearance="secondary" disabled={busy} onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" appearance="primary" disabledFocusable={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
                {busy ? (busyLabel ?? submitLabel) : submitLabel}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
