import type { EnterpriseRepository } from '../enterprises/repository';
import type { UserRepository } from '../directory/user-repository';
import type { TableStore } from '../store/table-store';
import { SentConfirmationRepository, TEAMS_CONFIRMATIONS_TABLE } from './confirmations';
import { TeamsDeliveries, TEAMS_DELIVERIES_TABLE } from './deliveries';
import { TeamsInstallations, TEAMS_INSTALLATIONS_TABLE } from './installations';

export const TEAMS_TABLES = [TEAMS_INSTALLATIONS_TABLE, TEAMS_DELIVERIES_TABLE, TEAMS_CONFIRMATIONS_TABLE] as const;

/** Storage of the Teams chat side: where each user is, what reached them, what waits. */
export interface TeamsStore {
  installations: TeamsInstallations;
  deliveries: TeamsDeliveries;
  confirmations: SentConfirmationRepository;
}

export function createTeamsStore(store: TableStore, deps: { enterprises: EnterpriseRepository; users: UserRepository }): TeamsStore {
  return { installations: new TeamsInstallations(store, deps), deliveries: new TeamsDeliveries(store), confirmations: new SentConfirmationRepository(store) };
}
