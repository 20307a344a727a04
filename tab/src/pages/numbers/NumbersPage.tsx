import { Tab, TabList, makeStyles, tokens } from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { useApiClient } from '../../api/ApiContext';
import { numbersApi } from '../../api/numbers';
import type { Enterprise, Me } from '../../api/types';
import { useResource } from '../../hooks/useResource';
import { NumberInventory } from './NumberInventory';
import { SmsGroupsPanel } from './SmsGroupsPanel';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export interface NumbersPageProps {
  enterprise: Enterprise;
  me: Me;
  readOnly: boolean;
}

/** The number inventory and the SMS groups that share numbers. */
export function NumbersPage({ enterprise, readOnly }: NumbersPageProps) {
  const styles = useStyles();
  const client = useApiClient();
  const api = useMemo(() => numbersApi(client), [client]);
  const [view, setView] = useState<'inventory' | 'groups'>('inventory');
  const [groupsVersion, setGroupsVersion] = useState(0);
  const connections = useResource((signal) => api.listCarrierConnections(enterprise.id, signal), `connections:${enterprise.id}`);
  const groups = useResource((signal) => api.listSmsGroups(enterprise.id, signal), `sms-groups:${enterprise.id}:${groupsVersion}`);
  const reloadGroups = () => setGroupsVersion((n) => n + 1);

  return (
    <div className={styles.stack}>
      <TabList selectedValue={view} onTabSelect={(_, d) => setView(d.value as 'inventory' | 'groups')} aria-label="Numbers views">
        <Tab value="inventory">Inventory</Tab>
        <Tab value="groups">SMS groups{groups.data ? ` (${groups.data.items.length})` : ''}</Tab>
      </TabList>
      {view === 'inventory' ? (
        <NumberInventory
          api={api}
          enterpriseId={enterprise.id}
          readOnly={readOnly}
          connections={connections.data?.items ?? []}
          groups={groups.data?.items ?? []}
          onHoldersChanged={reloadGroups}
        />
      ) : (
        <SmsGroupsPanel
          api={api}
          enterpriseId={enterprise.id}
          readOnly={readOnly}
          groups={groups.data?.items}
          loading={groups.loading}
          error={groups.error}
          onRetry={groups.reload}
          onChanged={reloadGroups}
        />
      )}
    </div>
  );
}
