import { Toast, ToastTitle, Toaster, useToastController } from '@fluentui/react-components';
import { useCallback } from 'react';

const TOASTER_ID = 'switchboard';

/** Mount once, in the shell. */
export const AppToaster = () => <Toaster toasterId={TOASTER_ID} position="bottom-end" pauseOnHover pauseOnWindowBlur />;

export type NotifyIntent = 'success' | 'info' | 'warning' | 'error';

/** Short confirmations ("Settings saved") that don't need a place on the page. */
export function useNotify(): (title: string, intent?: NotifyIntent) => void {
  const { dispatchToast } = useToastController(TOASTER_ID);
  return useCallback(
    (title: string, intent: NotifyIntent = 'success') =>
      dispatchToast(
        <Toast>
          <ToastTitle>{title}</ToastTitle>
        </Toast>,
        { intent, politeness: intent === 'error' ? 'assertive' : 'polite' },
      ),
    [dispatchToast],
  );
}
