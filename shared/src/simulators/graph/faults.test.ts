import { RetryHandlerOptions, type Client, type GraphError } from '@microsoft/microsoft-graph-client';
import { startGraphSimulator, type GraphSimulator } from './simulator';
import { simulatorClients, simulatorCredential } from './test-clients';

const TENANT = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
/** Per-request option that turns the Graph client's RetryHandler off, to see the raw answer. */
const noRetry = () => [new RetryHandlerOptions(0, 0)];

describe('Graph simulator: faults', () => {
  let sim: GraphSimulator;
  let client: Client;

  beforeAll(async () => {
    sim = await startGraphSimulator({ tenants: { [TENANT]: { users: 20 } } });
    ({ client } = await simulatorClients(sim, TENANT));
    await client.api('/organization').get(); // token in the credential's cache
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.faults.reset();
    sim.requests.length = 0;
  });

  const statuses = () => sim.requests.filter((r) => r.kind === 'graph').map((r) => r.status);

  it("throttles with 429, Retry-After and Graph's error body", async () => {
    sim.faults.throttle(1, 7);
    const error: GraphError = await client.api('/users/delta').middlewareOptions(noRetry()).get().catch((e: GraphError) => e);
    expect(error.statusCode).toBe(429);
    expect(error.code).toBe('TooManyRequests');
    expect(error.headers?.get('retry-after')).toBe('7');
    expect(error.body).toContain('innerError');
    await expect(client.api('/users/delta').get()).resolves.toHaveProperty('value'); // then serves again
    expect(statuses()).toEqual([429, 200]);
  });

  it("lets the Graph client's RetryHandler wait out Retry-After and retry", async () => {
    // RetryHandler (on by default) retries 429/503/504 up to 3 times, sleeping Retry-After seconds.
    sim.faults.throttle(1, 1);
    const started = Date.now();
    const body = await client.api('/users/delta?$select=id').get();
    expect(body.value).toHaveLength(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(statuses()).toEqual([429, 200]);
  });

  it('accepts a fractional Retry-After for fast tests (the RetryHandler reads it as seconds)', async () => {
    sim.faults.throttle(3, 0.05);
    const started = Date.now();
    await expect(client.api('/organization').get()).resolves.toHaveProperty('value');
    expect(Date.now() - started).toBeLessThan(900);
    expect(statuses()).toEqual([429, 429, 429, 200]);
  });

  it('fails with 503 (and other statuses) for the next requests', async () => {
    sim.faults.fail(1);
    const error: GraphError = await client.api('/groups').middlewareOptions(noRetry()).get().catch((e: GraphError) => e);
    expect([error.statusCode, error.code]).toEqual([503, 'serviceNotAvailable']);

    sim.faults.fail(2, 503, 0); // Retry-After: 0, so the RetryHandler retries at once
    await expect(client.api('/groups').get()).resolves.toHaveProperty('value');

    sim.faults.fail(1, 500);
    const internal: GraphError = await client.api('/groups').get().catch((e: GraphError) => e);
    expect(internal.statusCode).toBe(500); // not a status the RetryHandler retries
    expect(statuses()).toEqual([503, 503, 503, 200, 500]);
  });

  it('dies half-way with failAfter, and queues faults in order', async () => {
    sim.faults.failAfter(2, 1, 502);
    sim.faults.throttle(1, 0);
    const outcomes: number[] = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(await client.api('/organization').middlewareOptions(noRetry()).get().then(() => 200, (e: GraphError) => e.statusCode));
    }
    expect(outcomes).toEqual([200, 200, 502, 429, 200]);
  });

  it('adds latency', async () => {
    sim.faults.latency(300);
    const started = Date.now();
    await client.api('/organization').get();
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('never faults the token endpoint', async () => {
    sim.faults.throttle(3, 1);
    await expect(simulatorCredential(sim, TENANT).getToken('https://graph.microsoft.com/.default')).resolves.toHaveProperty('token');
    expect(sim.requests.every((r) => r.kind === 'entra' && r.status === 200)).toBe(true);
    const error: GraphError = await client.api('/organization').middlewareOptions(noRetry()).get().catch((e: GraphError) => e);
    expect(error.statusCode).toBe(429); // still pending for Graph
  });
});
