import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Spinner } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useAsyncAction } from '../hooks/useAsyncAction';
import { ErrorBar } from './ErrorBar';

export interface ConfirmDialogProps {
  /** E.g. "Delete Sales?" */
  title: string;
  /** What confirming does; shown under the title. */
  children: ReactNode;
  /** The confirm button's text, e.g. "Delete". */
  confirmLabel: string;
  /** The error bar's title when the server refuses, e.g. "The group was not deleted". */
  failureTitle: string;
  /** The call, and what follows it (reload, close). Anything it throws is shown in the dialog. */
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  /**
   * A refusal is final (trying again would be refused the same way): the error takes the
   * body's place and only Close is left. Otherwise the error shows above the body and
   * the confirm button stays, to try again.
   */
  refusalIsFinal?: boolean;
}

/** "Delete X?": a title, what it means, Cancel and the confirm button with a spinner while it runs. */
export function ConfirmDialog({ title, children, confirmLabel, failureTitle, onConfirm, onClose, refusalIsFinal = false }: ConfirmDialogProps) {
  const { run, busy, failure } = useAsyncAction();
  const ended = refusalIsFinal && failure !== undefined;
  return (
    <Dialog open onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>
            {failure && <ErrorBar error={failure} title={failureTitle} />}
            {!ended && children}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>{ended ? 'Close' : 'Cancel'}</Button>
            {!ended && (
              <Button appearance="primary" onClick={() => void run(onConfirm)} disabledFocusable={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
                {confirmLabel}
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
