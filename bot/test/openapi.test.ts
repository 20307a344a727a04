import { randomUUID } from 'node:crypto';
import { adminOperations } from '../src/api';
import type { Operation } from '../src/http/operation';
import type { Runtime } from '../src/runtime';
import { devTokens } from './support/dev-sign-in';
import { call, type JsonAnswer } from './support/http';
import { startTestRuntime, stopAll } from './support/runtime';

/**
 * The OpenAPI document the server publishes: it describes exactly the operations
 * mounted, its references resolve, and it agrees with what the server accepts and
 * answers (checked with a small JSON Schema subset validator; no extra dependency).
 */
type Json = any;

/** Validates `value` against the JSON Schema subset zod emits; returns the failing paths. */
function validate(schema: Json, value: unknown, doc: Json, path = ''): string[] {
  if (schema.$ref) return validate(resolveRef(doc, schema.$ref), value, doc, path);
  const here = path || '(root)';
  if (schema.anyOf) return (schema.anyOf as Json[]).some((option) => validate(option, value, doc, path).length === 0) ? [] : [here];
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) return [here];
  switch (schema.type) {
    case undefined:
      return [];
    case 'null':
      return value === null ? [] : [here];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [here];
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) return [here];
      if ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum)) return [here];
      return [];
    }
    case 'string': {
      if (typeof value !== 'string') return [here];
      if ((schema.minLength !== undefined && value.length < schema.minLength) || (schema.maxLength !== undefined && value.length > schema.maxLength)) return [here];
      if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return [here];
      return [];
    }
    case 'array':
      return Array.isArray(value) ? value.flatMap((item, i) => validate(schema.items ?? {}, item, doc, `${path}[${i}]`)) : [here];
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [here];
      const record = value as Record<string, unknown>;
      const properties = (schema.properties ?? {}) as Record<string, Json>;
      const at = (key: string) => (path ? `${path}.${key}` : key);
      const missing = ((schema.required ?? []) as string[]).filter((key) => !(key in record)).map(at);
      const extra = schema.additionalProperties === false ? Object.keys(record).filter((key) => !(key in properties)).map(at) : [];
      const inner = Object.entries(record).flatMap(([key, item]) => (properties[key] ? validate(properties[key], item, doc, at(key)) : []));
      return [...missing, ...extra, ...inner];
    }
    default:
      throw new Error(`The validator does not know type ${String(schema.type)}`);
  }
}

function resolveRef(doc: Json, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`Not a local reference: ${ref}`);
  let node: Json = doc;
  for (const segment of ref.slice(2).split('/')) {
    node = node?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

function allRefs(node: Json, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => allRefs(item, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref') found.push(value as string);
      else allRefs(value, found);
    }
  }
  return found;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

describe('OpenAPI document', () => {
  let runtime: Runtime;
  let url: string;
  let doc: Json;
  let operations: Operation[];
  let tokens: Record<'provider-admin' | 'contoso-global-admin', string>;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    url = runtime.url;
    tokens = await devTokens(url, ['provider-admin', 'contoso-global-admin']);
    const answer = await call(`${url}/api/openapi.json`);
    expect(answer.status).toBe(200);
    doc = answer.body;
    operations = adminOperations(runtime.services);
  });
  afterAll(() => stopAll(runtime));

  /** The document's schema for a response of the operation. */
  const responseSchema = (path: string, method: string, status: number) => doc.paths[path][method].responses[String(status)].content['application/json'].schema;
  const expectConforms = (answer: JsonAnswer, path: string, method: string) => {
    const schema = responseSchema(path, method, answer.status);
    expect({ status: answer.status, invalid: validate(schema, answer.body, doc) }).toEqual({ status: answer.status, invalid: [] });
  };

  it('has a validator here that notices answers which do not match (so the checks below can fail)', () => {
    const enterprise = { $ref: '#/components/schemas/Enterprise' };
    const good = { id: 'e', name: 'E', tenantId: 't', providerId: 'p', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z', etag: 'x', settings: { allowProviderManagement: false, chatEnabled: true, syncIntervalMinutes: 15, timeZone: 'UTC', syncGroupIds: [], optOutScope: 'number', optOutReply: 'Unsubscribed.', optInReply: 'Resubscribed.', helpReply: 'Reply STOP to unsubscribe.' } };
    expect(validate(enterprise, good, doc)).toEqual([]);
    const { etag: _etag, ...withoutEtag } = good;
    expect(validate(enterprise, withoutEtag, doc)).toEqual(['etag']);
    expect(validate(enterprise, { ...good, settings: { ...good.settings, syncIntervalMinutes: 1 } }, doc)).toEqual(['settings.syncIntervalMinutes']);
    expect(validate(enterprise, { ...good, createdAt: 'yesterday' }, doc)).toEqual(['createdAt']);
    expect(validate(enterprise, { ...good, secret: 1 }, doc)).toEqual(['secret']);
  });

  it('is an OpenAPI 3.1.0 document with the basic structure in place', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual(expect.objectContaining({ title: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+/) }));
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    const ids: string[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      expect(path).toMatch(/^\/api\//);
      const templateParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries<Json>(item)) {
        expect(METHODS).toContain(method);
        ids.push(op.operationId);
        expect(op.operationId).toMatch(/^[a-zA-Z]\w*$/);
        const declared = (op.parameters as Json[]).filter((p) => p.in === 'path');
        expect(declared.map((p) => p.name).sort()).toEqual(templateParams);
        for (const p of declared) expect(p.required).toBe(true);
        for (const p of op.parameters as Json[]) expect(['path', 'query', 'header', 'cookie']).toContain(p.in);
        const statuses = Object.keys(op.responses);
        expect(statuses.some((s) => /^2\d\d$/.test(s))).toBe(true);
        for (const response of Object.values<Json>(op.responses)) expect(response.description).toEqual(expect.any(String));
        expect(responseSchema(path, method, 401)).toEqual({ $ref: '#/components/schemas/Error' });
        for (const requirement of op.security as Json[]) for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes[scheme]).toBeDefined();
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes every mounted admin operation under its path and method, and nothing else', () => {
    for (const op of operations) {
      expect({ op: op.id, described: doc.paths[op.path]?.[op.method.toLowerCase()]?.operationId }).toEqual({ op: op.id, described: op.id });
    }
    const described = Object.values<Json>(doc.paths).flatMap((item) => Object.values<Json>(item).map((op) => op.operationId)).sort();
    expect(described).toEqual(operations.map((op) => op.id).sort());
  });

  it('describes operations the server really serves (each answers 401 without a token, as documented)', async () => {
    for (const op of operations) {
      const path = op.path.replace(/\{\w+\}/g, 'contoso');
      const answer = await call(`${url}${path}`, { method: op.method, ...(op.body ? { body: {} } : {}) });
      expect({ op: op.id, status: answer.status }).toEqual({ op: op.id, status: 401 });
      expectConforms(answer, op.path, op.method.toLowerCase());
    }
  });

  it('resolves every $ref to a component', () => {
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\/\w+$/);
      expect({ ref, resolved: resolveRef(doc, ref) !== undefined }).toEqual({ ref, resolved: true });
    }
  });

  it('includes the Error component with code and message required', () => {
    const error = doc.components.schemas.Error;
    expect(error).toBeDefined();
    expect(error.required).toEqual(['error']);
    expect(error.properties.error.required).toEqual(expect.arrayContaining(['code', 'message']));
    expect(Object.keys(error.properties.error.properties)).toEqual(expect.arrayContaining(['code', 'message', 'details', 'requestId']));
  });

  it('documents the createEnterprise body as the server validates it', async () => {
    const bodyRef = doc.paths['/api/admin/enterprises'].post.requestBody.content['application/json'].schema;
    const schema = resolveRef(doc, bodyRef.$ref);
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'tenantId']));
    expect(schema.additionalProperties).toBe(false);

    const valid = () => ({ name: 'Northwind', tenantId: randomUUID() });
    const candidates: Array<Record<string, unknown>> = [
      valid(),
      { ...valid(), settings: { chatEnabled: false, syncIntervalMinutes: 60, timeZone: 'Europe/Paris' } },
      { tenantId: randomUUID() },
      { name: 'Northwind' },
      { ...valid(), name: '' },
      { ...valid(), name: 'n'.repeat(121) },
      { ...valid(), tenantId: 'nope' },
      { ...valid(), plan: 'gold' },
      { ...valid(), settings: { syncIntervalMinutes: 4 } },
      { ...valid(), settings: { syncIntervalMinutes: 1441 } },
      { ...valid(), settings: { syncIntervalMinutes: 7.5 } },
      { ...valid(), settings: { chatEnabled: 'yes' } },
      { ...valid(), settings: { unknown: true } },
    ];
    let accepted = 0;
    let refused = 0;
    for (const body of candidates) {
      const invalid = validate(schema, body, doc);
      if (invalid.length === 0) accepted++;
      else refused++;
      const answer = await call(`${url}/api/admin/enterprises`, { token: tokens['provider-admin'], body });
      if (invalid.length === 0) {
        expect({ body, status: answer.status }).toEqual({ body, status: 201 });
        expectConforms(answer, '/api/admin/enterprises', 'post');
      } else {
        // What the document calls invalid, the server refuses, naming the same field.
        expect({ body, status: answer.status }).toEqual({ body, status: 400 });
        expectConforms(answer, '/api/admin/enterprises', 'post');
        const named = (answer.body.error.details as Array<{ path: string }>).map((d) => d.path);
        for (const path of invalid) expect({ body, named }).toEqual({ body, named: expect.arrayContaining([path]) });
      }
    }
    // Both sides of the comparison were exercised.
    expect({ accepted, refused }).toEqual({ accepted: 2, refused: candidates.length - 2 });
  });

  it("matches the server's real answers", async () => {
    const token = tokens['contoso-global-admin'];
    expectConforms(await call(`${url}/api/admin/me`, { token }), '/api/admin/me', 'get');
    expectConforms(await call(`${url}/api/admin/enterprises`, { token }), '/api/admin/enterprises', 'get');
    const enterprise = await call(`${url}/api/admin/enterprises/contoso`, { token });
    expectConforms(enterprise, '/api/admin/enterprises/{enterpriseId}', 'get');
    const updated = await call(`${url}/api/admin/enterprises/contoso`, { method: 'PATCH', token, body: { settings: { timeZone: 'Asia/Tokyo' } }, headers: { 'if-match': enterprise.body.etag } });
    expect(updated.status).toBe(200);
    expectConforms(updated, '/api/admin/enterprises/{enterpriseId}', 'patch');
    const stale = await call(`${url}/api/admin/enterprises/contoso`, { method: 'PATCH', token, body: { name: 'X' }, headers: { 'if-match': enterprise.body.etag } });
    expect(stale.status).toBe(409);
    expectConforms(stale, '/api/admin/enterprises/{enterpriseId}', 'patch');
    const feed = await call(`${url}/api/admin/enterprises/contoso/activity?pageSize=2`, { token });
    expect(feed.body.items.length).toBeGreaterThan(0);
    expectConforms(feed, '/api/admin/enterprises/{enterpriseId}/activity', 'get');
    expectConforms(await call(`${url}/api/admin/activity`, { token: tokens['provider-admin'] }), '/api/admin/activity', 'get');
    expectConforms(await call(`${url}/api/admin/enterprises/fabrikam`, { token }), '/api/admin/enterprises/{enterpriseId}', 'get');
  });
});
