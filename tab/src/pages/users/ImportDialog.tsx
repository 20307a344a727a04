import {
  Badge,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownloadRegular, ArrowUploadRegular } from '@fluentui/react-icons';
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { toApiError, type ApiError } from '../../api/errors';
import { saveFile, type SmsImportReport, type SmsImportView, type UsersApi } from '../../api/users';
import { ErrorBar } from '../../components/ErrorBar';
import { problemsOf, reportSummary } from './importReport';

const useStyles = makeStyles({
  surface: { maxWidth: '900px', width: 'calc(100vw - 32px)' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  steps: { margin: 0, paddingLeft: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  file: { color: tokens.colorNeutralForeground2 },
  hiddenInput: { display: 'none' },
  reportBox: { maxHeight: '280px', overflowY: 'auto', border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, borderRadius: tokens.borderRadiusMedium },
  lineColumn: { width: '64px' },
  fieldColumn: { width: '130px' },
  severityColumn: { width: '96px' },
  usernameColumn: { width: '220px' },
  cellText: { overflowWrap: 'anywhere' },
});

const POLL_MS = 500;

export interface ImportDialogProps {
  api: UsersApi;
  enterpriseId: string;
  onClose: () => void;
  /** An import finished applying: the Users page should load again. */
  onApplied: (status: SmsImportView) => void;
}

/** Bulk SMS configuration: template, upload and check, the per-row report, then Import with progress. */
export function ImportDialog({ api, enterpriseId, onClose, onApplied }: ImportDialogProps) {
  const styles = useStyles();
  const fileInput = useRef<HTMLInputElement>(null);
  const [fileName, setFileName] = useState<string>();
  const [validating, setValidating] = useState(false);
  const [report, setReport] = useState<SmsImportReport>();
  const [status, setStatus] = useState<SmsImportView>();
  const [error, setError] = useState<ApiError>();
  const [downloading, setDownloading] = useState(false);
  const applying = status?.status === 'applying';
  const onAppliedRef = useRef(onApplied);
  onAppliedRef.current = onApplied;

  // While applying: progress every half second, until it is done.
  useEffect(() => {
    if (!status || status.status !== 'applying') return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.getImport(enterpriseId, status.importId, controller.signal).then(
        (next) => {
          setStatus(next);
          if (next.status === 'applied' || next.status === 'failed') onAppliedRef.current(next);
        },
        (failure: unknown) => {
          if (!controller.signal.aborted) setError(toApiError(failure));
        },
      );
    }, POLL_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, enterpriseId, status]);

  const downloadTemplate = async () => {
    setDownloading(true);
    try {
      saveFile(await api.importTemplate(enterpriseId), 'sms-import-template.csv');
    } catch (failure) {
      setError(toApiError(failure));
    } finally {
      setDownloading(false);
    }
  };

  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setFileName(file.name);
    setReport(undefined);
    setStatus(undefined);
    setError(undefined);
    setValidating(true);
    try {
      setReport(await api.validateImport(enterpriseId, await file.text(), file.name));
    } catch (failure) {
      setError(toApiError(failure));
    } finally {
      setValidating(false);
    }
  };

  const apply = async () => {
    if (!report?.canApply) return;
    setError(undefined);
    try {
      const started = await api.applyImport(enterpriseId, report.importId);
      setStatus(started);
      if (started.status === 'applied' || started.status === 'failed') onApplied(started);
    } catch (failure) {
      setError(toApiError(failure));
    }
  };

  const problems = report ? problemsOf(report) : [];
  const done = status?.status === 'applied' || status?.status === 'failed';

  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && !applying && onClose()}>
      <DialogSurface className={styles.surface} aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>Import SMS configuration</DialogTitle>
          <DialogContent className={styles.content}>
            <ol className={styles.steps}>
              <li>Download the CSV template: one row per user, with their Teams username, SMS numbers, Enable SMS (yes or no) and tags.</li>
              <li>Fill it in and save it. The import configures users who are already in the list; it does not add users.</li>
              <li>Select the file: it is checked row by row and nothing changes yet. Fix any errors and select it again.</li>
              <li>Select Import to apply it.</li>
            </ol>
            <div className={styles.row}>
              <Button icon={<ArrowDownloadRegular />} onClick={downloadTemplate} disabled={downloading}>
                Download template
              </Button>
              <input ref={fileInput} className={styles.hiddenInput} type="file" accept=".csv,text/csv" aria-label="CSV file to import" onChange={upload} />
              <Button icon={<ArrowUploadRegular />} onClick={() => fileInput.current?.click()} disabled={validating || applying}>
                Select File to Upload
              </Button>
              {fileName && <Caption1 className={styles.file}>{fileName}</Caption1>}
              {validating && <Spinner size="tiny" label="Checking the file…" />}
            </div>

            {error && <ErrorBar error={error} title="The import could not go on" issues={error.details} />}

            {report && !status && (
              <MessageBar intent={report.summary.errors > 0 ? 'error' : report.summary.warnings > 0 ? 'warning' : 'success'} layout="multiline">
                <MessageBarBody>
                  <MessageBarTitle>{report.summary.errors > 0 ? 'Fix the errors, then select the file again' : 'Ready to import'}</MessageBarTitle>
                  {reportSummary(report)}
                </MessageBarBody>
              </MessageBar>
            )}

            {report && problems.length > 0 && !done && (
              // Focusable, so keyboard users can scroll a long report.
              <div className={styles.reportBox} role="region" aria-label="Problems found in the file, scrollable" tabIndex={0}>
                <Table size="small" aria-label="Problems found in the file">
                  <TableHeader>
                    <TableRow>
                      <TableHeaderCell className={styles.lineColumn}>Row</TableHeaderCell>
                      <TableHeaderCell className={styles.usernameColumn}>Teams username</TableHeaderCell>
                      <TableHeaderCell className={styles.fieldColumn}>Field</TableHeaderCell>
                      <TableHeaderCell className={styles.severityColumn}>Severity</TableHeaderCell>
                      <TableHeaderCell>Message</TableHeaderCell>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {problems.map((problem, i) => (
                      <TableRow key={i}>
                        <TableCell>{problem.line}</TableCell>
                        <TableCell className={styles.cellText}>{problem.username}</TableCell>
                        <TableCell>{problem.field}</TableCell>
                        <TableCell>
                          <Badge appearance="tint" color={problem.severity === 'error' ? 'danger' : 'warning'}>
                            {problem.severity === 'error' ? 'Error' : 'Warning'}
                          </Badge>
                        </TableCell>
                        <TableCell className={styles.cellText}>{problem.message}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </div>
            )}

            {status && (
              <Field
                label={applying ? 'Importing…' : status.status === 'applied' ? 'Import finished' : status.status === 'failed' ? 'Import stopped' : 'Starting…'}
                validationMessage={`${status.processed.toLocaleString()} of ${status.total.toLocaleString()} rows`}
                validationState="none"
              >
                <ProgressBar value={status.total > 0 ? status.processed / status.total : done ? 1 : undefined} thickness="large" aria-label="Import progress" />
              </Field>
            )}
            {done && status && (
              <MessageBar intent={status.status === 'failed' || status.summary.failed > 0 ? 'warning' : 'success'} layout="multiline" politeness="polite">
                <MessageBarBody>
                  <MessageBarTitle>{status.status === 'failed' ? 'The import stopped' : 'Import applied'}</MessageBarTitle>
                  {status.summary.changed.toLocaleString()} users changed, {status.summary.unchanged.toLocaleString()} already configured so,{' '}
                  {status.summary.failed.toLocaleString()} failed.
                  {status.error ? ` ${status.error}` : ''}
                  {status.failures.length > 0 && (
                    <ul>
                      {status.failures.slice(0, 20).map((f) => (
                        <li key={f.line}>
                          Row {f.line} ({f.username}): {f.message}
                        </li>
                      ))}
                    </ul>
                  )}
                </MessageBarBody>
              </MessageBar>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} disabled={applying}>
              {done ? 'Close' : 'Cancel'}
            </Button>
            {!done && (
              <Button appearance="primary" onClick={apply} disabled={!report?.canApply || applying || status !== undefined} icon={applying ? <Spinner size="tiny" /> : undefined}>
                Import
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
