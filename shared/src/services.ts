import { ActivityLog, ACTIVITY_TABLE } from './audit/activity';
import { EnterpriseRepository, ENTERPRISES_TABLE } from './enterprises/repository';
import { EnterpriseService } from './enterprises/service';
import type { TableStore } from './store/table-store';

/** Every table the product uses; created on start. */
export const TABLES = [ENTERPRISES_TABLE, ACTIVITY_TABLE] as const;

/** The service layer wired to one store: what the bot and the API call. */
export interface Services {
  store: TableStore;
  activity: ActivityLog;
  enterpriseRepository: EnterpriseRepository;
  enterprises: EnterpriseService;
}

export async function createServices(store: TableStore): Promise<Services> {
  await store.ensureTables(TABLES);
  const activity = new ActivityLog(store);
  const enterpriseRepository = new EnterpriseRepository(store);
  return { store, activity, enterpriseRepository, enterprises: new EnterpriseService(enterpriseRepository, activity) };
}
