import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { formatInternational, systemActor, type Services } from '@switchboard/shared';
import type { GraphSimulator, GraphUser } from '@switchboard/shared/simulators';
import { DEV_NUMBER_RANGES } from './dev-carrier';
import { DEV_TENANTS } from './dev-sign-in';

/**
 * The Microsoft 365 Agents Playground (`@microsoft/m365agentsplayground`, a dev
 * dependency) beside the dev server: a Teams-like chat in the browser that talks to
 * our /api/messages, so the bot can be tried without a Microsoft 365 tenant. It is
 * told who it plays through its configuration file: a Contoso user of the demo
 * directory (the Graph simulator's), who gets a Simulator number to text from.
 */
export const PLAYGROUND_ENTERPRISE = 'contoso';
const READY = /Listening on (\d+)/;

/** Who the Playground user is, for the dev server's start-up lines. */
export interface PlaygroundUser {
  name: string;
  aadObjectId: string;
  number?: string;
}

export interface Playground {
  /** Where to open it, e.g. http://localhost:56150 */
  url: string;
  /** The Contoso user the Playground plays, once known to the directory and given a number. */
  user: Promise<PlaygroundUser | undefined>;
  stop(): Promise<void>;
}

export interface PlaygroundOptions {
  /** The bot's server, e.g. http://127.0.0.1:3978 */
  botUrl: string;
  port: number;
  /** Its configuration file and log go to `{dataDir}/playground/`. */
  dataDir: string;
  services: Services;
  /** The dev server's Graph simulator: the Playground user is one of its Contoso people. */
  graphSimulator?: GraphSimulator | undefined;
  logger: Logger;
}

/** Contoso's first demo person (always the CEO, licensed for Teams), the same on every start. */
function contosoUser(graph: GraphSimulator | undefined): { me: GraphUser; others: GraphUser[] } | undefined {
  if (!graph) return undefined;
  const members = graph.tenant(DEV_TENANTS.contoso).users().filter((u) => u.userType === 'Member' && u.accountEnabled);
  // The Playground wants at least five other people (for its group chat and team).
  return members.length > 5 ? { me: members[0]!, others: members.slice(1, 6) } : undefined;
}

const q = (value: string) => JSON.stringify(value); // a JSON string is a YAML double-quoted scalar

function person(user: GraphUser, id: string, indent: string): string {
  return [
    `id: ${q(id)}`,
    `name: ${q(user.displayName)}`,
    `userPrincipleName: ${q(user.userPrincipalName)}`, // sic: the Playground's spelling
    `aadObjectId: ${q(user.id)}`,
    `givenName: ${q(user.givenName ?? user.displayName)}`,
    `surname: ${q(user.surname ?? '')}`,
    `email: ${q(user.mail ?? user.userPrincipalName)}`,
  ].join(`\n${indent}`);
}

/** The Playground's `.m365agentsplayground.yml`: Contoso's tenant, its user, and the chats it offers. */
export function playgroundConfig(people: { me: GraphUser; others: GraphUser[] }): string {
  const lines = ['# Written by the Switchboard dev server at each start with the Playground.', 'version: "0.1.1"', `tenantId: ${q(DEV_TENANTS.contoso)}`, 'bot:', '  id: "28:switchboard-dev"', '  name: "Switchboard"'];
  lines.push('currentUser:', `  ${person(people.me, '29:playground-user', '  ')}`, 'users:');
  people.others.forEach((other, i) => lines.push(`  - ${person(other, `29:playground-colleague-${i + 1}`, '    ')}`));
  lines.push(
    'personalChat:',
    '  id: "a:playground-personal-chat"',
    'groupChat:',
    '  id: "19:playground-group-chat@thread.v2"',
    '  name: "Sales team"',
    'team:',
    '  id: "19:playground-team@thread.tacv2"',
    '  name: "Contoso"',
    '  aadGroupId: "00000000-0000-4000-8000-000000000031"',
    // The Playground adds the team's General channel itself.
    '  channels:',
    '    - id: "19:playground-dispatch@thread.tacv2"',
    '      name: "Dispatch"',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Waits until the directory sync has brought the user in, then gives them the first
 * free Simulator number of Contoso when they hold none (the way an admin would, in
 * one all-or-nothing save). Returns the number they text from.
 */
async function prepareUser(services: Services, user: GraphUser, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (!(await services.userRepository.get(PLAYGROUND_ENTERPRISE, user.id))) {
    if (Date.now() > deadline) throw new Error(`${user.displayName} did not arrive in Contoso's directory within ${Math.round(timeoutMs / 1000)} s: is the directory sync running?`);
    // A run already going (the one right after start) is waited for; else one is started.
    await services.directorySync.settled(PLAYGROUND_ENTERPRISE);
    if (!(await services.userRepository.get(PLAYGROUND_ENTERPRISE, user.id))) await services.directorySync.start(PLAYGROUND_ENTERPRISE, 'manual');
    await services.directorySync.settled(PLAYGROUND_ENTERPRISE);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const held = await services.outboundSms.numbersOf(PLAYGROUND_ENTERPRISE, user.id);
  if (held.length > 0) return held[0];
  const range = DEV_NUMBER_RANGES.find((r) => r.enterpriseId === PLAYGROUND_ENTERPRISE);
  const free: string[] = [];
  for await (const { value: entry } of services.numberRepository.all(PLAYGROUND_ENTERPRISE)) {
    const inRange = range && entry.number >= range.from && entry.number <= range.to;
    if (inRange && !entry.holder && entry.capabilities.sms && entry.carrierConnectionId) free.push(entry.number);
  }
  const number = free.sort()[0];
  if (!number) return undefined;
  await services.smsAssignments.applyUserConfig(PLAYGROUND_ENTERPRISE, user.id, { enabled: true, numbers: [number] }, systemActor);
  return number;
}

async function waitForPage(url: string, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!alive()) throw new Error('The Agents Playground exited while starting.');
    const ok = await fetch(url).then((r) => r.ok, () => false);
    // A moment more: a bad configuration file makes it exit right after its first answer.
    if (ok) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (alive()) return;
    }
    if (Date.now() > deadline) throw new Error(`The Agents Playground did not answer at ${url} within 30 s.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function playgroundCli(): string {
  try {
    return require.resolve('@microsoft/m365agentsplayground/cli.js');
  } catch {
    throw new Error('The Microsoft 365 Agents Playground is not installed: run `npm install` in the repository (it is a dev dependency).');
  }
}

/** Starts the Playground pointed at the bot and resolves once it listens. */
export async function startPlayground(options: PlaygroundOptions): Promise<Playground> {
  const { logger } = options;
  const cli = playgroundCli();
  const dir = join(options.dataDir, 'playground');
  mkdirSync(dir, { recursive: true });
  const people = contosoUser(options.graphSimulator);
  const configFile = join(dir, '.m365agentsplayground.yml');
  // No demo directory (Graph configured for real): the Playground's own sample people, whom Switchboard does not know.
  if (people) writeFileSync(configFile, playgroundConfig(people));
  else rmSync(configFile, { force: true });

  const child: ChildProcess = spawn(process.execPath, [cli, '--app-endpoint', `${options.botUrl}/api/messages`, '--channel-id', 'msteams', '--port', String(options.port), '--disable-telemetry'], {
    cwd: dir,
    env: {
      ...process.env,
      // Headless-safe: print the address instead of opening a browser, unless told otherwise.
      TEAMSAPPTESTER_BROWSER: process.env.TEAMSAPPTESTER_BROWSER ?? 'none',
      ...(people ? { M365_AGENTS_PLAYGROUND_CONFIG_PATH: configFile } : {}),
      M365_AGENTS_PLAYGROUND_LOGFILE: join(dir, 'playground.log'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Our child: it goes when the server goes, however the server ends.
  const killChild = () => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM');
  process.once('exit', killChild);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The Agents Playground did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
      const ready = READY.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(Number(ready[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The Agents Playground exited (code ${code}) before it was ready:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    killChild();
    await exited;
    throw error;
  });
  let stopping = false;
  child.stdout!.on('data', (chunk: Buffer) => logger.debug({ playground: chunk.toString().trim() }));
  child.once('exit', (code, signal) => {
    if (stopping) logger.info({ code, signal }, 'Agents Playground stopped');
    else logger.error({ code, signal, output: output.slice(-2000) }, 'Agents Playground exited unexpectedly');
  });
  // It listens before it reads its configuration: it has started once its page answers and it still runs.
  await waitForPage(`http://localhost:${port}/`, () => child.exitCode === null && child.signalCode === null).catch(async (error: unknown) => {
    killChild();
    await exited;
    throw new Error(`${(error as Error).message}\n${output}`);
  });

  const url = `http://localhost:${port}`;
  logger.info({ url, bot: `${options.botUrl}/api/messages` }, 'Agents Playground started');
  const user: Promise<PlaygroundUser | undefined> = people
    ? prepareUser(options.services, people.me, 180_000).then(
        (number) => ({ name: people.me.displayName, aadObjectId: people.me.id, ...(number ? { number } : {}) }),
        (error: unknown) => {
          logger.warn({ err: error }, 'the Playground user could not be prepared');
          return undefined;
        },
      )
    : Promise.resolve(undefined);
  return {
    url,
    user,
    async stop() {
      stopping = true;
      process.removeListener('exit', killChild);
      killChild();
      await exited;
    },
  };
}

/** The start-up line about the Playground user. */
export function describePlaygroundUser(user: PlaygroundUser | undefined): string {
  if (!user) return 'The Playground user is not a Switchboard user: the bot will say so.';
  return user.number ? `You are ${user.name} of Contoso, texting from ${formatInternational(user.number)}.` : `You are ${user.name} of Contoso (no free Simulator number to give you).`;
}
