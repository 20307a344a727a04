import {
  Button,
  Caption1,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { ApiError } from '../api/errors';
import type { FieldIssue } from '../api/types';

const useStyles = makeStyles({
  list: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalL },
  reference: { display: 'block', marginTop: tokens.spacingVerticalXS, color: tokens.colorNeutralForeground3 },
});

function defaultTitle(error: ApiError): string {
  if (error.status === 0 && error.code === 'network') return "Can't reach Switchboard";
  if (error.status === 400) return 'Check the highlighted fields';
  if (error.status === 401) return 'Signed out';
  if (error.status === 403) return 'Not allowed';
  if (error.status === 404) return 'Not found';
  return 'Something went wrong';
}

export interface ErrorBarProps {
  error: ApiError;
  title?: string;
  /** Field issues no form field claimed; listed under the message. */
  issues?: FieldIssue[];
  onRetry?: () => void;
  retryLabel?: string;
}

/** An API error as a Fluent MessageBar: what happened, what to do, and a retry when it can help. */
export function ErrorBar({ error, title, issues: allIssues = [], onRetry, retryLabel = 'Retry' }: ErrorBarProps) {
  const styles = useStyles();
  const issues = allIssues.filter((issue) => issue.message !== error.message);
  return (
    <MessageBar intent="error" layout="multiline" politeness="assertive">
      <MessageBarBody>
        <MessageBarTitle>{title ?? defaultTitle(error)}</MessageBarTitle>
        {error.message}
        {issues.length > 0 && (
          <ul className={styles.list}>
            {issues.map((issue) => (
              <li key={`${issue.path}:${issue.message}`}>
                {issue.path && issue.path !== '(body)' ? `${issue.path}: ` : ''}
                {issue.message}
              </li>
            ))}
          </ul>
        )}
        {error.requestId && <Caption1 className={styles.reference}>Reference for support: {error.requestId}</Caption1>}
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button onClick={onRetry}>{retryLabel}</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
