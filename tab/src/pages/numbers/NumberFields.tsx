import { Checkbox, Dropdown, Field, Option, makeStyles, tokens } from '@fluentui/react-components';
import type { CarrierConnection } from '../../api/numbers';
import type { Capabilities } from './numberRules';

const useStyles = makeStyles({
  checks: { display: 'flex', gap: tokens.spacingHorizontalM, border: 'none', padding: 0, margin: 0 },
});

/** Which carrier connection sends and receives for the number(s); "None" is allowed. */
export function CarrierConnectionField({ connections, value, onChange, error }: { connections: readonly CarrierConnection[]; value: string; onChange: (id: string) => void; error?: string | undefined }) {
  return (
    <Field label="Carrier connection" validationMessage={error}>
      <Dropdown value={connections.find((c) => c.id === value)?.name ?? 'None'} selectedOptions={[value]} onOptionSelect={(_, d) => onChange(d.optionValue ?? '')}>
        <Option value="">None</Option>
        {connections.map((connection) => (
          <Option key={connection.id} value={connection.id}>
            {connection.name}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

/** SMS, MMS and Voice as three checkboxes under one legend. */
export function CapabilityChecks({ value, onChange }: { value: Capabilities; onChange: (next: Capabilities) => void }) {
  const styles = useStyles();
  return (
    <fieldset className={styles.checks}>
      <legend>Capabilities</legend>
      <Checkbox label="SMS" checked={value.sms} onChange={(_, d) => onChange({ ...value, sms: d.checked === true })} />
      <Checkbox label="MMS" checked={value.mms} onChange={(_, d) => onChange({ ...value, mms: d.checked === true })} />
      <Checkbox label="Voice" checked={value.voice} onChange={(_, d) => onChange({ ...value, voice: d.checked === true })} />
    </fieldset>
  );
}
