import { ConflictError } from '../errors';
import { Repository, type RepositoryDefinition } from '../store/repository';
import type { TableStore } from '../store/table-store';
import { messageIdOf } from './message';

export const CARRIER_REFERENCES_TABLE = 'carrierreferences';

interface CarrierReference {
  enterpriseId: string;
  /** `{connectionId}:{carrierMessageId}`. */
  key: string;
  messageId: string;
}

const definition: RepositoryDefinition<CarrierReference> = {
  table: CARRIER_REFERENCES_TABLE,
  entityName: 'carrier reference',
  partitionOf: (r) => r.enterpriseId,
  idOf: (r) => r.key,
  toEntity: (r) => ({ messageId: r.messageId }),
  fromEntity: (p, keys) => ({ enterpriseId: keys.partition, key: keys.id, messageId: String(p.messageId) }),
};

/**
 * The carrier's id of an outbound message → ours. Status reports that cannot carry our
 * id (ACS without a tag, a carrier console's resend) are matched through it.
 */
export class CarrierReferences {
  private readonly rows: Repository<CarrierReference>;

  constructor(store: TableStore) {
    this.rows = new Repository(store, definition);
  }

  async remember(enterpriseId: string, connectionId: string, carrierMessageId: string, messageId: string): Promise<void> {
    try {
      await this.rows.create({ enterpriseId, key: messageIdOf(connectionId, carrierMessageId), messageId });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error; // written already (a retried write)
    }
  }

  async messageIdOf(enterpriseId: string, connectionId: string, carrierMessageId: string): Promise<string | undefined> {
    return (await this.rows.get(enterpriseId, messageIdOf(connectionId, carrierMessageId)))?.value.messageId;
  }
}
