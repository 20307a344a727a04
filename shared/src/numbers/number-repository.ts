import type { E164 } from '../rules/phone';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';
import type { Capabilities, NumberHolder, PhoneNumberEntry } from './number';

export const NUMBERS_TABLE = 'numbers';

/**
 * One partition per enterprise, keyed by the E.164 number: a number exists once per
 * enterprise by construction, and assigning several numbers in one save is a single
 * transaction (all or nothing; Table Storage allows 100 rows per transaction).
 */
const definition: RepositoryDefinition<PhoneNumberEntry> = {
  table: NUMBERS_TABLE,
  entityName: 'number',
  partitionOf: (n) => n.enterpriseId,
  idOf: (n) => n.number,
  toEntity: (n) => ({
    carrierConnectionId: n.carrierConnectionId,
    capabilities: JSON.stringify(n.capabilities),
    label: n.label,
    extension: n.extension,
    holderType: n.holder?.type ?? null,
    holderId: n.holder?.id ?? null,
    holderName: n.holder?.name ?? null,
    createdAt: n.createdAt,
    updatedAt: n.updatedAt,
  }),
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    number: keys.id as E164,
    carrierConnectionId: typeof p.carrierConnectionId === 'string' ? p.carrierConnectionId : null,
    capabilities: JSON.parse(String(p.capabilities)) as Capabilities,
    label: String(p.label ?? ''),
    extension: typeof p.extension === 'string' ? p.extension : null,
    holder:
      typeof p.holderType === 'string' && typeof p.holderId === 'string'
        ? ({ type: p.holderType, id: p.holderId, name: String(p.holderName ?? p.holderId) } as NumberHolder)
        : null,
    createdAt: String(p.createdAt),
    updatedAt: String(p.updatedAt),
  }),
};

export class NumberRepository extends Repository<PhoneNumberEntry> {
  constructor(store: TableStore) {
    super(store, definition);
  }

  all(enterpriseId: string): AsyncGenerator<Stored<PhoneNumberEntry>> {
    return this.listAll(enterpriseId);
  }
}
