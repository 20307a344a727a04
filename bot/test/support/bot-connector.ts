import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One activity the bot sent to the connector. */
export interface SentActivity {
  method: string;
  path: string;
  conversationId: string;
  replyToId?: string;
  authorization?: string;
  body: Record<string, any>;
}

/**
 * A loopback stand-in for the Bot Framework connector (the `serviceUrl` of Teams
 * activities): it accepts `POST /v3/conversations/{id}/activities[/{activityId}]`,
 * records each JSON body, and answers 200 `{ "id": ... }` as the real one does.
 */
export class BotConnector {
  readonly sent: SentActivity[] = [];
  readonly unexpected: string[] = [];

  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<BotConnector> {
    let connector: BotConnector | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0]!;
        const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
        if (req.method !== 'POST' || !match) {
          connector!.unexpected.push(`${req.method} ${req.url}`);
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'NotFound', message: 'unknown route' } }));
          return;
        }
        connector!.sent.push({
          method: req.method,
          path,
          conversationId: decodeURIComponent(match[1]!),
          ...(match[2] ? { replyToId: decodeURIComponent(match[2]) } : {}),
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>,
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: randomUUID() }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    connector = new BotConnector(server, `http://127.0.0.1:${port}/`);
    return connector;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
