import {
  Badge,
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Spinner,
  Tab,
  TabList,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { splitFieldIssues } from '../../api/errors';
import type { CarrierConnection, NumberImportReport, NumberRangeResult, NumbersApi } from '../../api/numbers';
import { ErrorBar } from '../../components/ErrorBar';
import { useAsyncAction } from '../../hooks/useAsyncAction';
import { labelProblem, numberProblem, rangePreview, type Capabilities } from './numberRules';
import { CapabilityChecks, CarrierConnectionField } from './NumberFields';

type Mode = 'one' | 'range' | 'csv';
type FieldName = 'number' | 'from' | 'to' | 'label' | 'csv';
const FIELDS: readonly FieldName[] = ['number', 'from', 'to', 'label', 'csv'];

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  results: { maxHeight: '260px', overflowY: 'auto' },
  summary: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
});

export interface AddNumbersDialogProps {
  api: NumbersApi;
  enterpriseId: string;
  connections: CarrierConnection[];
  open: boolean;
  initialMode?: Mode;
  onClose: () => void;
  /** Something was added: the list should reload. */
  onAdded: () => void;
}

type Outcome = { kind: 'range'; result: NumberRangeResult } | { kind: 'csv'; report: NumberImportReport };

/** Add one number, a range, or a CSV file; ranges and files answer with a result per number. */
export function AddNumbersDialog({ api, enterpriseId, connections, open, initialMode = 'one', onClose, onAdded }: AddNumbersDialogProps) {
  const styles = useStyles();
  const [mode, setMode] = useState<Mode>(initialMode);
  const [number, setNumber] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [label, setLabel] = useState('');
  const [csv, setCsv] = useState('');
  const [connectionId, setConnectionId] = useState<string>(connections[0]?.id ?? '');
  const [capabilities, setCapabilities] = useState<Capabilities>({ sms: true, mms: false, voice: false });
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const { run, busy, failure, clearFailure } = useAsyncAction();
  const [outcome, setOutcome] = useState<Outcome>();

  const preview = mode === 'range' && from.trim() && to.trim() ? rangePreview(from, to) : undefined;

  const validate = (): Partial<Record<FieldName, string>> => {
    const found: Partial<Record<FieldName, string>> = {};
    const labelIssue = labelProblem(label);
    if (labelIssue && mode !== 'csv') found.label = labelIssue;
    if (mode === 'one') {
      const problem = numberProblem(number);
      if (problem) found.number = problem;
    } else if (mode === 'range') {
      const checked = rangePreview(from, to);
      if ('problems' in checked) Object.assign(found, checked.problems);
    } else if (!csv.trim()) {
      found.csv = 'Choose a CSV file or paste its lines: number,label,capabilities,carrier,extension.';
    }
    return found;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const found = validate();
    setErrors(found);
    clearFailure();
    if (Object.keys(found).length > 0) return;
    const details = { ...(label.trim() ? { label: label.trim() } : {}), carrierConnectionId: connectionId || null, capabilities };
    const failed = await run(async () => {
      if (mode === 'one') {
        await api.addNumber(enterpriseId, { number, ...details });
        onAdded();
        onClose();
      } else if (mode === 'range') {
        const result = await api.addRange(enterpriseId, { from, to, ...details });
        setOutcome({ kind: 'range', result });
        onAdded();
      } else {
        const report = await api.importNumbers(enterpriseId, csv);
        setOutcome({ kind: 'csv', report });
        onAdded();
      }
    });
    if (!failed) return;
    const { byField } = splitFieldIssues(failed, FIELDS);
    // A conflict on "add one" is about the number itself: say it there.
    if (mode === 'one' && failed.status === 409) byField.number = failed.message;
    setErrors(byField);
  };

  const readFile = async (file: File | undefined) => {
    if (!file) return;
    setCsv(await file.text());
    setErrors((e) => ({ ...e, csv: undefined }));
  };

  const otherIssues = failure ? splitFieldIssues(failure, FIELDS).other : [];
  return (
    <Dialog open={open} onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface aria-describedby={undefined}>
        <form onSubmit={(event) => void submit(event)} noValidate>
          <DialogBody>
            <DialogTitle>Add numbers</DialogTitle>
            <DialogContent className={styles.form}>
              {!outcome && (
                <>
                  <TabList selectedValue={mode} onTabSelect={(_, d) => { setMode(d.value as Mode); setErrors({}); clearFailure(); }} aria-label="How to add">
                    <Tab value="one">One number</Tab>
                    <Tab value="range">A range</Tab>
                    <Tab value="csv">From a CSV file</Tab>
                  </TabList>
                  {failure && <ErrorBar error={failure} title="Couldn't add the numbers" issues={otherIssues} />}
                  {mode === 'one' && (
                    <Field label="Number" required validationMessage={errors.number} hint="International form, e.g. +1 415 555 0123.">
                      <Input value={number} onChange={(_, d) => { setNumber(d.value); setErrors((e) => ({ ...e, number: undefined })); }} autoComplete="off" />
                    </Field>
                  )}
                  {mode === 'range' && (
                    <div className={styles.row}>
                      <Field label="From" required validationMessage={errors.from}>
                        <Input value={from} onChange={(_, d) => { setFrom(d.value); setErrors((e) => ({ ...e, from: undefined })); }} autoComplete="off" placeholder="+14155550100" />
                      </Field>
                      <Field
                        label="To (included)"
                        required
                        validationMessage={errors.to}
                        validationState={errors.to ? 'error' : 'none'}
                        hint={preview && 'count' in preview ? `${preview.count} numbers${preview.invalid ? `; ${preview.invalid} invalid for their country will be skipped` : ''}.` : 'Same country and length; at most 1,000 numbers.'}
                      >
                        <Input value={to} onChange={(_, d) => { setTo(d.value); setErrors((e) => ({ ...e, to: undefined })); }} autoComplete="off" placeholder="+14155550199" />
                      </Field>
                    </div>
                  )}
                  {mode === 'csv' && (
                    <>
                      <Field label="CSV file" hint="Columns: number,label,capabilities,carrier,extension (a header row is optional; only number is required).">
                        <input type="file" accept=".csv,text/csv,text/plain" onChange={(event) => void readFile(event.target.files?.[0])} />
                      </Field>
                      <Field label="Lines of the file" validationMessage={errors.csv}>
                        <Textarea value={csv} onChange={(_, d) => { setCsv(d.value); setErrors((e) => ({ ...e, csv: undefined })); }} rows={6} placeholder={'number,label,capabilities\n+14155550123,Front desk,sms;mms'} />
                      </Field>
                    </>
                  )}
                  {mode !== 'csv' && (
                    <>
                      <Field label="Label" validationMessage={errors.label} hint="What the number is for, e.g. Front desk.">
                        <Input value={label} onChange={(_, d) => { setLabel(d.value); setErrors((e) => ({ ...e, label: undefined })); }} maxLength={120} />
                      </Field>
                      <CarrierConnectionField connections={connections} value={connectionId} onChange={setConnectionId} />
                      <CapabilityChecks value={capabilities} onChange={setCapabilities} />
                    </>
                  )}
                </>
              )}
              {outcome?.kind === 'range' && <RangeOutcome result={outcome.result} />}
              {outcome?.kind === 'csv' && <CsvOutcome report={outcome.report} />}
            </DialogContent>
            <DialogActions>
              {outcome ? (
                <Button appearance="primary" onClick={onClose}>
                  Done
                </Button>
              ) : (
                <>
                  <Button appearance="secondary" onClick={onClose}>
                    Cancel
                  </Button>
                  <Button type="submit" appearance="primary" disabledFocusable={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
                    {mode === 'one' ? 'Add number' : mode === 'range' ? 'Add range' : 'Import'}
                  </Button>
                </>
              )}
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

function RangeOutcome({ result }: { result: NumberRangeResult }) {
  const styles = useStyles();
  const rows = [
    ...result.items.map((item) => ({ number: item.display, outcome: 'Added', note: '' })),
    ...result.existing.map((number) => ({ number, outcome: 'Already there', note: 'Left as it was.' })),
    ...result.invalid.map((item) => ({ number: item.number, outcome: 'Skipped', note: item.problem })),
  ];
  return (
    <>
      <div className={styles.summary} role="status">
        <Body1>
          {result.added} of {result.requested} numbers added.
        </Body1>
        {result.existing.length > 0 && <Badge appearance="tint" color="warning">{result.existing.length} already there</Badge>}
        {result.invalid.length > 0 && <Badge appearance="tint" color="danger">{result.invalid.length} invalid</Badge>}
      </div>
      <ResultTable rows={rows} />
    </>
  );
}

function CsvOutcome({ report }: { report: NumberImportReport }) {
  const styles = useStyles();
  const names = { added: 'Added', existing: 'Already there', invalid: 'Not added' } as const;
  return (
    <>
      <div className={styles.summary} role="status">
        <Body1>
          {report.added} added, {report.existing} already there, {report.invalid} not added.
        </Body1>
        {report.ignoredColumns.length > 0 && <Body1>Ignored columns: {report.ignoredColumns.join(', ')}.</Body1>}
      </div>
      <ResultTable rows={report.rows.map((row) => ({ number: `Line ${row.line}: ${row.number}`, outcome: names[row.outcome], note: row.message ?? '' }))} />
    </>
  );
}

function ResultTable({ rows }: { rows: Array<{ number: string; outcome: string; note: string }> }) {
  const styles = useStyles();
  return (
    <div className={styles.results}>
      <Table size="small" aria-label="Result per number">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Number</TableHeaderCell>
            <TableHeaderCell>Result</TableHeaderCell>
            <TableHeaderCell>Why</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row, i) => (
            <TableRow key={`${row.number}:${i}`}>
              <TableCell>{row.number}</TableCell>
              <TableCell>{row.outcome}</TableCell>
              <TableCell>{row.note}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
