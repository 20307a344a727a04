import type { AdminApi } from '../../api/admin';
import type { ActivityPage } from '../../api/types';

export const PAGE_SIZE = 50;
/** Table Storage may answer with empty pages that still carry a token; don't make the user click through those. */
const MAX_EMPTY_HOPS = 5;

/** The next page that has entries (or the end of the feed). */
export async function loadActivityPage(api: AdminApi, enterpriseId: string, continuationToken?: string, signal?: AbortSignal): Promise<ActivityPage> {
  let token = continuationToken;
  for (let hop = 0; ; hop++) {
    const page = await api.listActivity(enterpriseId, { pageSize: PAGE_SIZE, continuationToken: token, signal });
    if (page.items.length > 0 || !page.continuationToken || hop >= MAX_EMPTY_HOPS) return page;
    token = page.continuationToken;
  }
}
