import {
  Badge,
  Button,
  Caption1,
  Card,
  Dropdown,
  Input,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Option,
  Skeleton,
  SkeletonItem,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, MoreHorizontalRegular, SearchRegular, PhoneRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import type { CarrierConnection, NumbersApi, NumbersQuery, PhoneNumber, SmsGroup } from '../../api/numbers';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBar } from '../../components/ErrorBar';
import { useResource } from '../../hooks/useResource';
import { AddNumbersDialog } from './AddNumbersDialog';
import { HolderFilter } from './HolderFilter';
import { AssignNumberDialog, DeleteNumberDialog, EditNumberDialog, ReleaseNumberDialog } from './NumberDialogs';
import { hashFilters } from '../../routing/routes';
import { capabilitiesText, holderText, statusFromLink } from './numberRules';

const PAGE_SIZE = 50;

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  toolbar: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'end' },
  search: { minWidth: '240px', flexGrow: 1, maxWidth: '360px' },
  filter: { minWidth: '150px' },
  card: { padding: 0, overflowX: 'auto' },
  number: { fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' },
  pager: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, justifyContent: 'flex-end' },
  muted: { color: tokens.colorNeutralForeground3 },
  label: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
});

type Dialog =
  | { kind: 'add' }
  | { kind: 'edit' | 'assign' | 'release' | 'delete'; number: PhoneNumber };

export interface NumberInventoryProps {
  api: NumbersApi;
  enterpriseId: string;
  readOnly: boolean;
  connections: CarrierConnection[];
  groups: SmsGroup[];
  /** A number changed holder: the groups' numbers may have changed too. */
  onHoldersChanged: () => void;
}

/** The inventory: search, filters, paging, and every action on a number. */
export function NumberInventory({ api, enterpriseId, readOnly, connections, groups, onHoldersChanged }: NumberInventoryProps) {
  const styles = useStyles();
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  // A link may open the inventory filtered (a Dashboard task: numbers nobody holds).
  const [status, setStatus] = useState<NumbersQuery['status']>(() => statusFromLink(hashFilters(window.location.hash)));
  const [connection, setConnection] = useState<string>();
  const [capability, setCapability] = useState<NumbersQuery['capability']>();
  const [holderId, setHolderId] = useState<string>();
  const [offset, setOffset] = useState(0);
  const [version, setVersion] = useState(0);
  const [dialog, setDialog] = useState<Dialog>();

  useEffect(() => {
    const timer = setTimeout(() => setDebounced(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);
  // A new search or filter starts from the first page.
  const filterKey = JSON.stringify([debounced, status, connection, capability, holderId]);
  const [lastFilter, setLastFilter] = useState(filterKey);
  if (lastFilter !== filterKey) {
    setLastFilter(filterKey);
    setOffset(0);
  }

  const query: NumbersQuery = { search: debounced || undefined, status, carrierConnectionId: connection, capability, holderId, offset, limit: PAGE_SIZE };
  const page = useResource((signal) => api.listNumbers(enterpriseId, query, signal), `numbers:${enterpriseId}:${filterKey}:${offset}:${version}`);
  const reload = () => setVersion((n) => n + 1);
  const changed = () => {
    reload();
    onHoldersChanged();
  };
  const connectionName = (id: string | null) => (id ? connections.find((c) => c.id === id)?.name ?? id : '—');
  const filtered = Boolean(debounced || status || connection || capability || holderId);
  const items = page.data?.items;
  const total = page.data?.total ?? 0;

  return (
    <div className={styles.stack}>
      <div className={styles.toolbar} role="search" aria-label="Search and filter numbers">
        <Input
          className={styles.search}
          contentBefore={<SearchRegular />}
          placeholder="Search digits, label, holder, extension"
          aria-label="Search numbers"
          value={search}
          onChange={(_, d) => setSearch(d.value)}
        />
        <Dropdown
          className={styles.filter}
          aria-label="Status"
          value={status === 'unassigned' ? 'Unassigned' : status === 'assigned-user' ? 'Assigned to a user' : status === 'assigned-group' ? 'Assigned to a group' : 'Any status'}
          selectedOptions={[status ?? '']}
          onOptionSelect={(_, d) => setStatus((d.optionValue || undefined) as NumbersQuery['status'])}
        >
          <Option value="">Any status</Option>
          <Option value="unassigned">Unassigned</Option>
          <Option value="assigned-user">Assigned to a user</Option>
          <Option value="assigned-group">Assigned to a group</Option>
        </Dropdown>
        <Dropdown className={styles.filter} aria-label="Carrier connection" value={connection ? connectionName(connection) : 'Any connection'} selectedOptions={[connection ?? '']} onOptionSelect={(_, d) => setConnection(d.optionValue || undefined)}>
          <Option value="">Any connection</Option>
          {connections.map((c) => (
            <Option key={c.id} value={c.id}>
              {c.name}
            </Option>
          ))}
        </Dropdown>
        <Dropdown className={styles.filter} aria-label="Capability" value={capability ? capability.toUpperCase() : 'Any capability'} selectedOptions={[capability ?? '']} onOptionSelect={(_, d) => setCapability((d.optionValue || undefined) as NumbersQuery['capability'])}>
          <Option value="">Any capability</Option>
          <Option value="sms">SMS</Option>
          <Option value="mms">MMS</Option>
          <Option value="voice">Voice</Option>
        </Dropdown>
        <HolderFilter className={styles.filter} api={api} enterpriseId={enterpriseId} groups={groups} value={holderId} onChange={setHolderId} />
        {!readOnly && (
          <Button appearance="primary" icon={<AddRegular />} onClick={() => setDialog({ kind: 'add' })}>
            Add numbers
          </Button>
        )}
      </div>
      {page.error && <ErrorBar error={page.error} title="Couldn't load the numbers" onRetry={page.reload} />}
      {!items && page.loading && (
        <Card>
          <Skeleton aria-label="Loading numbers">
            {[0, 1, 2, 3, 4].map((i) => (
              <SkeletonItem key={i} size={24} style={{ marginBottom: 8 }} />
            ))}
          </Skeleton>
        </Card>
      )}
      {items && items.length === 0 && (
        <Card>
          <EmptyState
            icon={<PhoneRegular />}
            title={filtered ? 'No number matches.' : 'No numbers yet.'}
            description={filtered ? 'Change the search or the filters.' : 'Add the numbers your carrier gave you: one, a range, or a CSV file.'}
            action={
              !filtered && !readOnly ? (
                <Button appearance="primary" icon={<AddRegular />} onClick={() => setDialog({ kind: 'add' })}>
                  Add numbers
                </Button>
              ) : undefined
            }
          />
        </Card>
      )}
      {items && items.length > 0 && (
        <Card className={styles.card}>
          <Table aria-label="Numbers" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Number</TableHeaderCell>
                <TableHeaderCell>Label</TableHeaderCell>
                <TableHeaderCell>Capabilities</TableHeaderCell>
                <TableHeaderCell>Carrier connection</TableHeaderCell>
                <TableHeaderCell>Assigned to</TableHeaderCell>
                <TableHeaderCell>
                  <span className={styles.muted}>Actions</span>
                </TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((number) => (
                <TableRow key={number.number}>
                  <TableCell className={styles.number}>{number.display}</TableCell>
                  <TableCell>
                    <div className={styles.label}>
                      <span>{number.label || '—'}</span>
                      {number.extension && <Caption1 className={styles.muted}>Ext. {number.extension}</Caption1>}
                    </div>
                  </TableCell>
                  <TableCell>{capabilitiesText(number.capabilities)}</TableCell>
                  <TableCell>{connectionName(number.carrierConnectionId)}</TableCell>
                  <TableCell>{number.holder ? holderText(number) : <Badge appearance="outline" color="informative">Unassigned</Badge>}</TableCell>
                  <TableCell>
                    {!readOnly && (
                      <Menu>
                        <MenuTrigger disableButtonEnhancement>
                          <Button appearance="subtle" icon={<MoreHorizontalRegular />} aria-label={`Actions for ${number.display}`} />
                        </MenuTrigger>
                        <MenuPopover>
                          <MenuList>
                            {number.holder ? (
                              <MenuItem onClick={() => setDialog({ kind: 'release', number })}>Unassign</MenuItem>
                            ) : (
                              <MenuItem onClick={() => setDialog({ kind: 'assign', number })}>Assign…</MenuItem>
                            )}
                            <MenuItem onClick={() => setDialog({ kind: 'edit', number })}>Edit…</MenuItem>
                            <MenuItem onClick={() => setDialog({ kind: 'delete', number })}>Delete…</MenuItem>
                          </MenuList>
                        </MenuPopover>
                      </Menu>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
      {items && total > 0 && (
        <div className={styles.pager}>
          <Caption1 role="status">
            {offset + 1}–{offset + items.length} of {total}
          </Caption1>
          <Button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
            Previous
          </Button>
          <Button disabled={offset + items.length >= total} onClick={() => setOffset(offset + PAGE_SIZE)}>
            Next
          </Button>
        </div>
      )}
      {dialog?.kind === 'add' && <AddNumbersDialog open api={api} enterpriseId={enterpriseId} connections={connections} onClose={() => setDialog(undefined)} onAdded={reload} />}
      {dialog?.kind === 'edit' && <EditNumberDialog api={api} enterpriseId={enterpriseId} number={dialog.number} connections={connections} onClose={() => setDialog(undefined)} onChanged={reload} />}
      {dialog?.kind === 'assign' && <AssignNumberDialog api={api} enterpriseId={enterpriseId} number={dialog.number} groups={groups} onClose={() => setDialog(undefined)} onChanged={changed} />}
      {dialog?.kind === 'release' && <ReleaseNumberDialog api={api} enterpriseId={enterpriseId} number={dialog.number} groups={groups} onClose={() => setDialog(undefined)} onChanged={changed} />}
      {dialog?.kind === 'delete' && <DeleteNumberDialog api={api} enterpriseId={enterpriseId} number={dialog.number} onClose={() => setDialog(undefined)} onChanged={reload} />}
    </div>
  );
}
