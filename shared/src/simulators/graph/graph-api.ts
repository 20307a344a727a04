import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkCursor, latestLink, readDeltaPage, startChangeRound, startFullRound, type PageCursor } from './delta';
import { DIRECTORY_OBJECT_TYPE, GROUP_TYPE, USER_TYPE } from './entities';
import { sendJson } from './http';
import { GraphRequestError, parseFilter, parseSelect, parseTop, preferredPageSize, project, queryOption, type EntityType } from './odata';
import type { PagingTokens } from './paging-token';
import type { TenantState } from './tenant';
import type { GraphGroup, GraphUser } from './types';

/**
 * The Graph v1.0 routes the directory sync reads. Reads only: the simulator's state is
 * changed through SimulatedTenant, the way an admin would change the real directory.
 */

export interface GraphContext {
  /** `https://127.0.0.1:PORT`, for @odata.context and next/delta links. */
  origin: string;
  tokens: PagingTokens;
  defaultPageSize: number;
}

interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  tenant: TenantState;
  ctx: GraphContext;
  requestId: string;
}

const notFound = (id: string) =>
  new GraphRequestError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

const unsupported = (option: string, where: string) =>
  new GraphRequestError(400, 'Request_UnsupportedQuery', `The query option '${option}' is not supported on ${where} by the simulator.`);

/** Refuses query options the route does not simulate, so no client comes to rely on them. */
function allowOnly(query: URLSearchParams, allowed: string[], where: string): void {
  for (const key of query.keys()) {
    const name = key.replace(/^\$/, '').toLowerCase();
    if (key.startsWith('$') || ['select', 'filter', 'top', 'expand', 'orderby', 'count', 'search', 'skip'].includes(name)) {
      if (!allowed.includes(name)) throw unsupported(key, where);
    }
  }
}

/** A query string the way Graph writes links: `$select=id,displayName&$skiptoken=...`. */
function formatQuery(pairs: [string, string][]): string {
  return pairs.map(([key, value]) => `${key}=${encodeURIComponent(value).replace(/%2C/gi, ',')}`).join('&');
}

function pageSize(call: Call, top?: number): { size: number; headers: Record<string, string> } {
  if (top !== undefined) return { size: top, headers: {} };
  const preferred = preferredPageSize(call.req.headers);
  if (preferred === undefined) return { size: call.ctx.defaultPageSize, headers: {} };
  return { size: preferred, headers: { 'preference-applied': `odata.maxpagesize=${preferred}` } };
}

function respond(call: Call, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  sendJson(call.res, 200, body, { 'request-id': call.requestId, 'client-request-id': call.requestId, 'odata-version': '4.0', ...headers });
}

function context(call: Call, entitySet: string, select: string[] | null, suffix = ''): string {
  return `${call.ctx.origin}/v1.0/$metadata#${entitySet}${select ? `(${select.join(',')})` : ''}${suffix}`;
}

// --- users/delta ---

function usersDelta(call: Call): void {
  const { query, tenant, ctx } = call;
  allowOnly(query, ['select', 'skiptoken', 'deltatoken'], 'users/delta');
  const skipToken = queryOption(query, 'skiptoken');
  const deltaToken = queryOption(query, 'deltatoken');
  let cursor: PageCursor;
  if (skipToken !== undefined) {
    cursor = checkCursor(ctx.tokens.decode(skipToken), tenant, ['full', 'changes'], '$skiptoken');
  } else if (deltaToken === 'latest') {
    // Graph's shortcut: a delta link for "now", without enumerating anything.
    const select = parseSelect(queryOption(query, 'select'), USER_TYPE);
    const link = latestLink(tenant, select);
    respond(call, { '@odata.context': context(call, 'users', select), '@odata.deltaLink': deltaUrl(ctx, 'deltatoken', ctx.tokens.encode(link)), value: [] });
    return;
  } else if (deltaToken !== undefined) {
    cursor = startChangeRound(tenant, checkCursor(ctx.tokens.decode(deltaToken), tenant, ['link'], '$deltatoken'));
  } else {
    cursor = startFullRound(tenant, parseSelect(queryOption(query, 'select'), USER_TYPE));
  }
  const { size, headers } = pageSize(call);
  const page = readDeltaPage(tenant, cursor, size);
  const body: Record<string, unknown> = { '@odata.context': context(call, 'users', cursor.sel) };
  if (page.next) body['@odata.nextLink'] = deltaUrl(ctx, 'skiptoken', ctx.tokens.encode(page.next));
  if (page.link) body['@odata.deltaLink'] = deltaUrl(ctx, 'deltatoken', ctx.tokens.encode(page.link));
  body.value = page.value;
  respond(call, body, headers);
}

const deltaUrl = (ctx: GraphContext, name: string, token: string) => `${ctx.origin}/v1.0/users/delta?$${name}=${token}`;

// --- paged collections ---

interface ListCursor {
  k: 'list';
  t: string;
  /** The collection path, so a token cannot be used on another collection. */
  r: string;
  p: number;
}

/**
 * One page of a collection, continuing at the position in `$skiptoken`. The nextLink
 * repeats the request's own query options, as Graph's do.
 */
function pagedList<T extends object>(call: Call, path: string, source: readonly T[], type: EntityType, entitySet: string, options: { filter?: boolean; view?: (item: T, select: string[] | null) => Record<string, unknown> } = {}): void {
  const { query, tenant, ctx } = call;
  allowOnly(query, ['select', 'top', 'skiptoken', ...(options.filter ? ['filter'] : [])], path);
  const selectText = queryOption(query, 'select');
  const select = selectText === undefined ? null : parseSelect(selectText, type);
  const filter = parseFilter(queryOption(query, 'filter'), type);
  const top = parseTop(queryOption(query, 'top'));
  const { size, headers } = pageSize(call, top);

  let start = 0;
  const skipToken = queryOption(query, 'skiptoken');
  if (skipToken !== undefined) {
    const cursor = ctx.tokens.decode(skipToken);
    if (!cursor || cursor.k !== 'list' || cursor.t !== tenant.id || cursor.r !== path || typeof cursor.p !== 'number') {
      throw new GraphRequestError(400, 'Request_BadRequest', 'The $skiptoken is not valid for this request. Use the nextLink exactly as Graph returned it.');
    }
    start = cursor.p;
  }

  const items: Record<string, unknown>[] = [];
  let p = start;
  const skip = () => {
    while (p < source.length && filter && !filter(source[p]!)) p++;
  };
  skip();
  while (p < source.length && items.length < size) {
    const item = source[p]!;
    items.push(options.view ? options.view(item, select) : project(item, select ?? type.defaultSelect));
    p++;
    skip();
  }

  const body: Record<string, unknown> = { '@odata.context': context(call, entitySet, select) };
  if (p < source.length) {
    const cursor: ListCursor = { k: 'list', t: tenant.id, r: path, p };
    const kept = [...query].filter(([key]) => !/^\$?skiptoken$/i.test(key));
    body['@odata.nextLink'] = `${ctx.origin}/v1.0/${path}?${formatQuery([...kept, ['$skiptoken', ctx.tokens.encode(cursor)]])}`;
  }
  body.value = items;
  respond(call, body, headers);
}

function liveUsers(tenant: TenantState): GraphUser[] {
  return tenant.records.filter((r) => !r.removed).map((r) => r.user);
}

/** `/members` and `/transitiveMembers` mix users and groups, told apart by @odata.type. */
function directoryObject(item: GraphUser | GraphGroup, select: string[] | null): Record<string, unknown> {
  const isGroup = 'groupIds' in item;
  const type = isGroup ? GROUP_TYPE : USER_TYPE;
  const properties = select ? select.filter((name) => type.properties.includes(name)) : type.defaultSelect;
  return { '@odata.type': isGroup ? '#microsoft.graph.group' : '#microsoft.graph.user', ...project(item, properties) };
}

function groupMembers(call: Call, group: GraphGroup, relation: string, cast: string | undefined): void {
  const { tenant } = call;
  const transitive = relation === 'transitivemembers';
  const { userIds, groupIds } = transitive ? tenant.transitiveMembers(group.id) : { userIds: group.memberIds, groupIds: group.groupIds };
  const users = userIds.map((id) => tenant.record(id)).filter((r) => r && !r.removed).map((r) => r!.user);
  const path = `groups/${group.id}/${transitive ? 'transitiveMembers' : 'members'}${cast ? `/${cast}` : ''}`;
  if (cast === undefined) {
    const groups = groupIds.map((id) => tenant.groupRecord(id)).filter((g): g is GraphGroup => g !== undefined);
    pagedList<GraphUser | GraphGroup>(call, path, [...users, ...groups], DIRECTORY_OBJECT_TYPE, 'directoryObjects', { view: directoryObject });
  } else if (cast.toLowerCase() === 'microsoft.graph.user') {
    pagedList(call, path, users, USER_TYPE, 'users', { filter: true });
  } else if (cast.toLowerCase() === 'microsoft.graph.group') {
    const groups = groupIds.map((id) => tenant.groupRecord(id)).filter((g): g is GraphGroup => g !== undefined);
    pagedList(call, path, groups, GROUP_TYPE, 'groups', { filter: true });
  } else {
    throw new GraphRequestError(400, 'BadRequest', `Resource not found for the segment '${cast}'.`);
  }
}

function single(call: Call, entity: object, type: EntityType, entitySet: string): void {
  allowOnly(call.query, ['select'], entitySet);
  const selectText = queryOption(call.query, 'select');
  const select = selectText === undefined ? null : parseSelect(selectText, type);
  respond(call, { '@odata.context': context(call, entitySet, select, '/$entity'), ...project(entity, select ?? type.defaultSelect) });
}

function organization(call: Call): void {
  const { tenant } = call;
  respond(call, {
    '@odata.context': context(call, 'organization', null),
    value: [
      {
        id: tenant.id,
        displayName: tenant.displayName,
        tenantType: 'AAD',
        verifiedDomains: [{ name: tenant.domain, type: 'Managed', isDefault: true, isInitial: true, capabilities: 'Email, OfficeCommunicationsOnline' }],
      },
    ],
  });
}

/** Routes one authenticated request under /v1.0 (the path given without the prefix). */
export function serveGraph(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, tenant: TenantState, ctx: GraphContext, requestId: string): void {
  if (req.method !== 'GET') throw new GraphRequestError(405, 'Request_BadRequest', `The simulator serves reads only; ${req.method} is not supported on /v1.0/${path}.`);
  const call: Call = { req, res, query, tenant, ctx, requestId };
  const segments = path.split('/').filter(Boolean).map((segment) => decodeURIComponent(segment));
  const [collection = '', id, relation, cast, ...extra] = segments;
  const lower = (value: string | undefined) => value?.toLowerCase();
  const badSegment = (segment: string) => new GraphRequestError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
  if (extra.length > 0) throw badSegment(extra[0]!);

  switch (lower(collection)) {
    case 'users': {
      if (id === undefined) return pagedList(call, 'users', liveUsers(tenant), USER_TYPE, 'users', { filter: true });
      if (['delta', 'microsoft.graph.delta', 'delta()', 'microsoft.graph.delta()'].includes(lower(id)!) && relation === undefined) return usersDelta(call);
      if (relation !== undefined) throw badSegment(relation);
      const record = tenant.liveRecord(id);
      if (!record) throw notFound(id);
      return single(call, record.user, USER_TYPE, 'users');
    }
    case 'groups': {
      if (id === undefined) return pagedList(call, 'groups', tenant.groupRecords, GROUP_TYPE, 'groups', { filter: true });
      const group = tenant.groupRecord(id);
      if (!group) throw notFound(id);
      if (relation === undefined) return single(call, group, GROUP_TYPE, 'groups');
      if (!['members', 'transitivemembers'].includes(lower(relation)!)) throw badSegment(relation);
      return groupMembers(call, group, lower(relation)!, cast);
    }
    case 'organization':
      if (id !== undefined) throw badSegment(id);
      return organization(call);
    default:
      throw badSegment(collection);
  }
}
