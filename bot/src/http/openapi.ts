import { z } from 'zod';
import { errorBodySchema } from './error-body';
import { isStreamOperation, type Operation } from './operation';

type JsonSchema = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

function idOf(schema: z.ZodType, where: string): string {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error(`${where} needs .meta({ id }) so it can be a named OpenAPI component.`);
  return id;
}

/** Every id-carrying schema as OpenAPI components; requests as input types, answers as output types. */
function components(requestIds: Set<string>): Record<string, JsonSchema> {
  const convert = (io: 'input' | 'output') =>
    z.toJSONSchema(z.globalRegistry, { io, uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' }).schemas as Record<string, JsonSchema>;
  const asInput = convert('input');
  const asOutput = convert('output');
  const result: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(asOutput)) {
    const { $schema: _schema, $id: _id, ...rest } = (requestIds.has(id) ? asInput[id] : schema) ?? schema;
    result[id] = rest;
  }
  return result;
}

/** Path and query parameters, one entry per property of their object schemas. */
function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: location, required: location === 'path' || (json.required ?? []).includes(name), schema: rest, ...(description ? { description } : {}) };
  });
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });

export function openApiDocument(operations: readonly Operation[], info: { version: string }): JsonSchema {
  z.globalRegistry.add(errorBodySchema, z.globalRegistry.get(errorBodySchema) ?? { id: 'Error' });
  const requestIds = new Set(operations.flatMap((op) => (op.body ? [idOf(op.body, `Request body of ${op.id}`)] : [])));
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of operations) {
    const success = isStreamOperation(op)
      ? { description: op.response.description, content: { [op.response.contentType.split(';')[0]!.trim()]: { schema: { type: 'string' } } } }
      : op.response.schema
        ? { description: op.response.description, content: { 'application/json': { schema: ref(idOf(op.response.schema, `Response of ${op.id}`)) } } }
        : { description: op.response.description };
    const responses: Record<string, JsonSchema> = {
      [op.response.status]: success,
      400: errorResponse('A field is invalid; `details` names each one.'),
      401: errorResponse('No valid access token.'),
      403: errorResponse('Signed in, but this role may not do this.'),
      404: errorResponse('Not found, or not yours to see.'),
    };
    if (op.requiresIfMatch) {
      responses[409] = errorResponse('Changed by someone else since it was read: reload and retry.');
      responses[428] = errorResponse('The If-Match header is missing.');
    } else if (op.method !== 'GET') {
      responses[409] = errorResponse('Conflicts with existing data, e.g. a value that must be unique.');
    }
    const ifMatch = op.requiresIfMatch
      ? [{ name: 'If-Match', in: 'header', required: true, description: 'The ETag returned when the resource was read.', schema: { type: 'string' } }]
      : [];
    (paths[op.path] ??= {})[op.method.toLowerCase()] = {
      operationId: op.id,
      summary: op.summary,
      tags: [op.tag],
      security: [{ entraId: [] }],
      parameters: [...parameters(op.params, 'path'), ...parameters(op.query, 'query'), ...ifMatch],
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: ref(idOf(op.body, `Request body of ${op.id}`)) },
                ...Object.fromEntries((op.fileBody?.contentTypes ?? []).map((type) => [type, { schema: { type: 'string', description: `The file itself, as \`${op.fileBody!.field}\` in the JSON form.` } }])),
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard admin API',
      version: info.version,
      description: 'The API behind the Switchboard tab. Every call needs a Microsoft Entra ID access token (Teams SSO).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: components(requestIds),
      securitySchemes: { entraId: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Entra ID access token for the Switchboard app.' } },
    },
  };
}
