import restify, { type Request, type Response, type Server } from 'restify';
import type { Logger } from 'pino';
import type { TurnContext } from 'botbuilder';
import type { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import type { Services } from '@switchboard/shared';
import { adminOperations } from './api';
import type { Config } from './config';
import type { DevSignIn } from './dev/dev-sign-in';
import { devIdentities } from './dev/dev-sign-in';
import { errorBody } from './http/error-body';
import { bodyParsing, mountOperations, type Authenticator } from './http/mount';
import { openApiDocument } from './http/openapi';
import { restifyErrorBody, sendError } from './http/respond';
import { staticFiles } from './http/static-files';
import { mountSmsWebhooks } from './http/sms-webhooks';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerParts {
  config: Config;
  logger: Logger;
  services: Services;
  authenticator: Authenticator;
  devSignIn?: DevSignIn;
  adapter: TeamsAdapter;
  bot: Application<TurnState>;
  version: string;
}

/** The one HTTP server: Teams bot, admin API, health, OpenAPI, dev sign-in and the tab. */
export function createServer(parts: ServerParts): Server {
  const { config, logger, services } = parts;
  // restify 11 logs through pino; its type definitions still describe bunyan.
  const server = restify.createServer({ name: 'switchboard', log: logger as never, handleUncaughtExceptions: false });

  server.pre((req: Request, res: Response, next) => {
    // Honour a caller's request id so a request can be followed across services.
    const incoming = req.header('x-request-id');
    if (incoming && /^[\w.-]{1,128}$/.test(incoming)) (req as unknown as { id(reqId: string): string }).id(incoming);
    res.header('x-request-id', req.getId());
    req.log = logger.child({ requestId: req.getId() }) as never;
    return next();
  });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  const operations = adminOperations(services);
  server.use(bodyParsing(operations, MAX_BODY_BYTES));

  server.on('after', (req: Request, res: Response) => {
    req.log.info({ method: req.method, path: req.getPath(), status: res.statusCode, ms: Date.now() - req.time() }, 'request');
  });
  // Errors restify produces itself (no route, bad JSON, too large): our JSON shape.
  server.on('restifyError', (req: Request, _res: Response, err: { statusCode?: number; toJSON?: () => unknown }, callback: () => void) => {
    const body = restifyErrorBody(err.statusCode ?? 500, req.getId());
    err.toJSON = () => body;
    return callback();
  });

  server.get('/api/health', async (_req: Request, res: Response) => {
    try {
      await services.store.ping();
      res.send(200, { status: 'ok' });
    } catch {
      res.send(503, { status: 'unavailable', reason: 'Storage is not answering.' });
    }
  });

  let openApi: unknown;
  server.get('/api/openapi.json', async (_req: Request, res: Response) => {
    openApi ??= openApiDocument(operations, { version: parts.version });
    res.send(200, openApi);
  });

  server.get('/api/config', async (_req: Request, res: Response) => {
    res.send(200, config.auth.mode === 'entra' ? { authMode: 'entra', clientId: config.auth.clientId } : { authMode: 'dev' });
  });

  if (parts.devSignIn) mountDevSignIn(server, parts.devSignIn);
  mountOperations(server, operations, parts.authenticator);
  mountSmsWebhooks(server, services);

  server.post('/api/messages', async (req: Request, res: Response) => {
    if (typeof (req.body as { type?: unknown } | undefined)?.type !== 'string') {
      res.send(400, errorBody('bad_request', 'The body is not a Bot Framework activity (it has no "type").', req.getId()));
      return;
    }
    try {
      await parts.adapter.process(req, res, (context: TurnContext) => parts.bot.run(context).then(() => undefined));
    } catch (error) {
      sendError(req, res, error);
    }
  });

  // Unknown API paths are JSON 404s whatever the method (GET falls to staticFiles, which does the same).
  const knownPaths = operations.map((op) => new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+')}/?$`));
  const noSuchEndpoint = async (req: Request, res: Response) => {
    if (knownPaths.some((known) => known.test(req.getPath()))) {
      res.send(405, restifyErrorBody(405, req.getId()));
      return;
    }
    res.send(404, errorBody('not_found', 'No such endpoint. The API is described at /api/openapi.json.', req.getId()));
  };
  for (const register of [server.post, server.put, server.patch, server.del]) register.call(server, '/api/*', noSuchEndpoint);
  server.get('/*', staticFiles(config.tabDist));
  return server;
}

function mountDevSignIn(server: Server, devSignIn: DevSignIn): void {
  server.get('/api/auth/dev/identities', async (_req: Request, res: Response) => {
    res.send(200, devIdentities.map(({ key, label, role, tenantId }) => ({ key, label, role, tenantId })));
  });
  server.post('/api/auth/dev/sign-in', async (req: Request, res: Response) => {
    const key = (req.body as { identity?: unknown } | undefined)?.identity;
    const signedIn = typeof key === 'string' ? await devSignIn.signIn(key) : undefined;
    if (!signedIn) {
      const keys = devIdentities.map((identity) => identity.key).join(', ');
      res.send(400, errorBody('validation_failed', `Choose a dev identity: ${keys}.`, req.getId(), [{ path: 'identity', message: `Must be one of ${keys}.` }]));
      return;
    }
    res.send(200, signedIn);
  });
}
