import { Repository, type RepositoryDefinition } from '../store/repository';
import type { TableStore } from '../store/table-store';
import type { TeamsReference } from './installations';

export const TEAMS_CONFIRMATIONS_TABLE = 'teamsconfirmations';

/**
 * The "Sent to …" card the bot posted after a send, per outbound message (partition =
 * enterprise, id = message id): where it is, so status changes can update it.
 */
export interface SentConfirmationRecord {
  enterpriseId: string;
  messageId: string;
  reference: TeamsReference;
  activityId: string;
  toName: string | null;
  toNumber: string;
  /** The status the card shows now. */
  shownStatus: string;
  updatedAt: string;
}

const definition: RepositoryDefinition<SentConfirmationRecord> = {
  table: TEAMS_CONFIRMATIONS_TABLE,
  entityName: 'sent confirmation',
  partitionOf: (r) => r.enterpriseId,
  idOf: (r) => r.messageId,
  toEntity: ({ enterpriseId: _e, messageId: _m, reference, toName, ...rest }) => ({ ...rest, toName: toName ?? '', reference: JSON.stringify(reference) }),
  fromEntity: (p, keys) => ({
    enterpriseId: keys.partition,
    messageId: keys.id,
    reference: JSON.parse(String(p.reference)) as TeamsReference,
    activityId: String(p.activityId),
    toName: typeof p.toName === 'string' && p.toName !== '' ? p.toName : null,
    toNumber: String(p.toNumber),
    shownStatus: String(p.shownStatus),
    updatedAt: String(p.updatedAt),
  }),
};

export class SentConfirmationRepository extends Repository<SentConfirmationRecord> {
  constructor(store: TableStore) {
    super(store, definition);
  }
}
