import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of Azurite that can fail, stall or rewrite chosen
 * requests, so retry and paging behaviour is tested against the real wire protocol.
 */
export type FaultRule = (req: IncomingMessage) => 'forward' | 'hang' | { status: number; headers?: Record<string, string>; body?: string };

export interface FaultProxy {
  endpoint: string;
  /** Number of requests seen, including faulted ones. */
  requests: number;
  setRule(rule: FaultRule): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetEndpoint: string): Promise<FaultProxy> {
  const target = new URL(targetEndpoint);
  let rule: FaultRule = () => 'forward';
  const hanging = new Set<ServerResponse>();
  const state = { requests: 0 };

  const server: Server = createServer((req, res) => {
    state.requests++;
    const decision = rule(req);
    if (decision === 'hang') {
      hanging.add(res);
      req.resume();
      return;
    }
    if (decision !== 'forward') {
      req.resume();
      res.writeHead(decision.status, { 'content-type': 'application/json', ...decision.headers });
      res.end(decision.body ?? '');
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}${target.pathname}`,
    get requests() {
      return state.requests;
    },
    setRule(next) {
      rule = next;
    },
    async close() {
      hanging.forEach((res) => res.destroy());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
