import { Repository, type RepositoryDefinition } from '../store/repository';
import type { TableStore } from '../store/table-store';
import { defaultEnterpriseSettings, type Enterprise, type EnterpriseSettings } from './schema';

export const ENTERPRISES_TABLE = 'enterprises';
/**
 * All enterprises share one partition: there are thousands at most, and a tenant
 * must belong to one enterprise across the whole deployment, which an index row
 * can only guarantee inside one partition.
 */
export const ENTERPRISES_PARTITION = 'enterprises';
export const TENANT_INDEX = 'tenant';

const definition: RepositoryDefinition<Enterprise> = {
  table: ENTERPRISES_TABLE,
  entityName: 'enterprise',
  partitionOf: () => ENTERPRISES_PARTITION,
  idOf: (e) => e.id,
  toEntity: (e) => ({
    name: e.name,
    tenantId: e.tenantId,
    providerId: e.providerId,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    settings: JSON.stringify(e.settings),
  }),
  fromEntity: (p, keys) => ({
    id: keys.id,
    name: String(p.name),
    tenantId: String(p.tenantId),
    providerId: String(p.providerId),
    createdAt: String(p.createdAt),
    updatedAt: String(p.updatedAt),
    // Settings added in later versions take their defaults on older entities.
    settings: { ...defaultEnterpriseSettings, ...(JSON.parse(String(p.settings)) as Partial<EnterpriseSettings>) },
  }),
  indexes: [
    {
      name: TENANT_INDEX,
      field: 'tenantId',
      keys: (e) => [e.tenantId],
      conflictMessage: (tenantId) => `Tenant ${tenantId} already belongs to an enterprise; each Microsoft tenant can be added once.`,
    },
  ],
};

export class EnterpriseRepository extends Repository<Enterprise> {
  constructor(store: TableStore) {
    super(store, definition);
  }

  byId(id: string) {
    return this.get(ENTERPRISES_PARTITION, id);
  }

  byTenant(tenantId: string) {
    return this.findByIndex(ENTERPRISES_PARTITION, TENANT_INDEX, tenantId);
  }

  all() {
    return this.listAll(ENTERPRISES_PARTITION);
  }
}
