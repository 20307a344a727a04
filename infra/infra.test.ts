// The toolkit lifecycles and the Bicep template fit together: every ${{NAME}} is available
// when a step reads it, every ARM parameter is supplied, and local and Azure runs give the
// server the same settings. No Bicep compiler exists here, so this is the safety net.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../bot/src/config';
import {
  bicepOutputs,
  bicepParams,
  describeStep,
  filesReadBy,
  armTemplates,
  loadSteps,
  placeholders,
  readEnvFile,
  readText,
  ROOT,
  type Step,
  unresolvedReads,
} from './lifecycle';

const BICEP = 'infra/azure.bicep';
const PARAMETERS = 'infra/azure.parameters.json';

const ENVIRONMENTS = [
  ['teamsapp.yml', 'env/.env.dev'],
  ['teamsapp.local.yml', 'env/.env.local'],
] as const;

function firstIndex(steps: Step[], uses: string): number {
  const index = steps.findIndex((s) => s.uses === uses);
  if (index < 0) throw new Error(`no ${uses} step`);
  return index;
}

function parametersFile(): Record<string, { value?: unknown; reference?: unknown }> {
  const json = JSON.parse(readText(PARAMETERS)) as { parameters?: Record<string, { value?: unknown; reference?: unknown }> };
  return json.parameters ?? {};
}

/** KEY: value lines of the web app's `appsettings` resource. */
function azureAppSettings(): string[] {
  const bicep = readText(BICEP);
  const start = bicep.indexOf("name: 'appsettings'");
  expect(start).toBeGreaterThan(0);
  const block = bicep.slice(start, bicep.indexOf('\n}\n', start));
  return [...block.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
}

describe('teamsapp.yml and teamsapp.local.yml', () => {
  it.each(ENVIRONMENTS)('every ${{NAME}} read by %s is declared in %s or written by an earlier step', (yml, env) => {
    expect(unresolvedReads(yml, env)).toEqual([]);
  });

  it.each(ENVIRONMENTS)('every file %s reads exists', (yml) => {
    const missing = loadSteps(yml)
      .flatMap((step) => [...filesReadBy(step), ...(step.uses === 'arm/deploy' ? armTemplates(step).map((t) => t.path) : [])].map((file) => ({ step, file })))
      .filter(({ file }) => !existsSync(resolve(ROOT, file)))
      .map(({ step, file }) => `${describeStep(yml, step)}: ${file}`);
    expect(missing).toEqual([]);
  });

  it('provisions the Entra apps and Azure before the steps that need their values', () => {
    const steps = loadSteps('teamsapp.yml').filter((s) => s.lifecycle === 'provision');
    const at = (uses: string) => firstIndex(steps, uses);
    expect(at('aadApp/create')).toBeLessThan(at('arm/deploy'));
    expect(at('botAadApp/create')).toBeLessThan(at('arm/deploy'));
    // The Entra manifest's application ID URI needs TAB_DOMAIN from the deployment.
    expect(at('arm/deploy')).toBeLessThan(at('aadApp/update'));
    expect(at('teamsApp/create')).toBeLessThan(at('teamsApp/zipAppPackage'));
    expect(at('aadApp/update')).toBeLessThan(at('teamsApp/zipAppPackage'));
    expect(at('teamsApp/validateManifest')).toBeLessThan(at('teamsApp/zipAppPackage'));
    expect(at('teamsApp/zipAppPackage')).toBeLessThan(at('teamsApp/update'));
    const arm = steps[at('arm/deploy')]!;
    expect(armTemplates(arm)).toEqual([{ path: './infra/azure.bicep', parameters: './infra/azure.parameters.json' }]);
  });

  it('deploys the built workspaces to the web app that arm/deploy created', () => {
    const steps = loadSteps('teamsapp.yml').filter((s) => s.lifecycle === 'deploy');
    const npmArgs = steps.filter((s) => s.uses === 'cli/runNpmCommand').map((s) => String(s.with.args));
    expect(npmArgs[0]).toMatch(/^ci\b/);
    expect(npmArgs).toContain('run build');
    const zipDeploy = steps[firstIndex(steps, 'azureAppService/zipDeploy')]!;
    expect(zipDeploy.with.resourceId).toBe('${{BOT_AZURE_APP_SERVICE_RESOURCE_ID}}');
    expect(firstIndex(steps, 'azureAppService/zipDeploy')).toBe(steps.length - 1);
  });

  it('registers the local bot at the tunnel and writes the local server settings', () => {
    const steps = loadSteps('teamsapp.local.yml');
    const registration = steps[firstIndex(steps, 'botFramework/create')]!;
    expect(registration.with.messagingEndpoint).toBe('${{BOT_ENDPOINT}}/api/messages');
    const settings = steps[firstIndex(steps, 'file/createOrUpdateEnvironmentFile')]!;
    expect(settings.with.target).toBe('./.localConfigs');
    expect(settings.with.envs).toMatchObject({
      PORT: 3978,
      AUTH_MODE: 'entra',
      AUTH_CLIENT_ID: '${{AAD_APP_CLIENT_ID}}',
      BOT_ID: '${{BOT_ID}}',
      BOT_PASSWORD: '${{SECRET_BOT_PASSWORD}}',
      GRAPH_CLIENT_ID: '${{AAD_APP_CLIENT_ID}}',
      GRAPH_CLIENT_SECRET: '${{SECRET_AAD_APP_CLIENT_SECRET}}',
    });
  });

  it('gives the server the same settings locally as on Azure', () => {
    const steps = loadSteps('teamsapp.local.yml');
    const envs = steps[firstIndex(steps, 'file/createOrUpdateEnvironmentFile')]!.with.envs as Record<string, unknown>;
    const local = new Set(Object.keys(envs));
    // App Service sets PORT itself; locally there is no App Service, Application Insights or
    // real storage account (the server starts Azurite without STORAGE_CONNECTION_STRING).
    const localOnly = new Set(['PORT']);
    const azureOnly = new Set(['WEBSITE_RUN_FROM_PACKAGE', 'SCM_DO_BUILD_DURING_DEPLOYMENT', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'STORAGE_CONNECTION_STRING']);
    const azure = azureAppSettings();
    expect(azure.filter((k) => !azureOnly.has(k) && !local.has(k))).toEqual([]);
    expect([...local].filter((k) => !localOnly.has(k) && !azure.includes(k))).toEqual([]);
  });

  it.each(['env/.env.dev', 'env/.env.local'])('%s holds no secrets (they belong in the git-ignored .user file)', (env) => {
    expect([...readEnvFile(env).keys()].filter((k) => k.startsWith('SECRET_'))).toEqual([]);
  });
});

describe('the lifecycle check itself', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-lifecycle-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function check(yml: string, env: string): string[] {
    writeFileSync(join(dir, 'teamsapp.yml'), yml);
    writeFileSync(join(dir, '.env.test'), env);
    return unresolvedReads(join(dir, 'teamsapp.yml'), join(dir, '.env.test'));
  }

  it('names a placeholder that nothing provides', () => {
    const problems = check('version: v1.7\nprovision:\n  - uses: teamsApp/create\n    with:\n      name: app-${{NOT_DECLARED}}\n    writeToEnvironmentFile:\n      teamsAppId: TEAMS_APP_ID\n', 'TEAMSFX_ENV=test\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/provision step 1 \(teamsApp\/create\) reads \$\{\{NOT_DECLARED\}\}/);
  });

  it('does not count a value that is only written by a later step', () => {
    const yml = [
      'version: v1.7',
      'provision:',
      '  - uses: botFramework/create',
      '    with:',
      '      botId: ${{BOT_ID}}',
      '      name: bot',
      '      messagingEndpoint: https://example.com/api/messages',
      'deploy:',
      '  - uses: botAadApp/create',
      '    with:',
      '      name: bot',
      '    writeToEnvironmentFile:',
      '      botId: BOT_ID',
      '      botPassword: SECRET_BOT_PASSWORD',
    ].join('\n');
    expect(check(yml, '').join('\n')).toMatch(/BOT_ID/);
    expect(check(yml, 'BOT_ID=\n')).toEqual([]);
  });

  it('counts script outputs and bicep outputs as written', () => {
    const yml = [
      'version: v1.7',
      'provision:',
      '  - uses: script',
      '    with:',
      '      run: echo "::set-teamsfx-env FROM_SCRIPT=1"',
      '  - uses: arm/deploy',
      '    with:',
      '      subscriptionId: ${{FROM_SCRIPT}}',
      '      resourceGroupName: rg',
      '      templates:',
      `        - path: ${resolve(ROOT, BICEP)}`,
      '          deploymentName: test',
      'deploy:',
      '  - uses: azureAppService/zipDeploy',
      '    with:',
      '      artifactFolder: .',
      '      resourceId: ${{BOT_AZURE_APP_SERVICE_RESOURCE_ID}}',
    ].join('\n');
    expect(check(yml, '')).toEqual([]);
  });
});

describe('infra/azure.bicep', () => {
  const bicep = readText(BICEP);

  it('declares the outputs the lifecycles and the app manifest read', () => {
    expect(bicepOutputs(bicep)).toEqual(
      expect.arrayContaining(['BOT_AZURE_APP_SERVICE_RESOURCE_ID', 'BOT_DOMAIN', 'BOT_ENDPOINT', 'TAB_DOMAIN', 'TAB_ENDPOINT']),
    );
  });

  it('gets every parameter without a default from azure.parameters.json', () => {
    const given = parametersFile();
    const missing = bicepParams(bicep)
      .filter((p) => !p.hasDefault && !(p.name in given))
      .map((p) => `param ${p.name} has no default and ${PARAMETERS} does not set it`);
    expect(missing).toEqual([]);
  });

  it('is given only parameters it declares', () => {
    const declared = new Set(bicepParams(bicep).map((p) => p.name));
    const unknown = Object.keys(parametersFile())
      .filter((name) => !declared.has(name))
      .map((name) => `${PARAMETERS} sets "${name}", which ${BICEP} does not declare`);
    expect(unknown).toEqual([]);
  });

  it('receives secure parameters only from SECRET_ values', () => {
    const given = parametersFile();
    const leaks = bicepParams(bicep)
      .filter((p) => p.secure && p.name in given)
      .filter((p) => {
        const value = JSON.stringify(given[p.name]);
        const names = [...placeholders(value)];
        return names.length === 0 || names.some((n) => !n.startsWith('SECRET_'));
      })
      .map((p) => `secure param ${p.name} gets ${JSON.stringify(given[p.name])}`);
    expect(leaks).toEqual([]);
  });

  it('passes secrets to the web app as Key Vault references', () => {
    const bicepLines = bicep.split('\n');
    for (const setting of ['STORAGE_CONNECTION_STRING', 'CREDENTIALS_KEYS', 'BOT_PASSWORD', 'GRAPH_CLIENT_SECRET']) {
      const line = bicepLines.find((l) => new RegExp(`^\\s+${setting}:`).test(l));
      expect(`${setting}: ${line?.trim() ?? 'missing'}`).toMatch(new RegExp(`^${setting}: ${setting}: '@Microsoft\\.KeyVault\\(SecretUri=`));
    }
    expect(azureAppSettings()).toEqual(expect.arrayContaining(['BOT_ID', 'BOT_TENANT_ID', 'BOT_TYPE', 'AUTH_MODE', 'AUTH_CLIENT_ID', 'AUTH_AUDIENCES', 'GRAPH_CLIENT_ID', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'NODE_ENV', 'WEBSITE_RUN_FROM_PACKAGE']));
  });

  it('outputs no secrets, which would land in the committed env file', () => {
    const outputs = bicep.split('\n').filter((l) => l.startsWith('output '));
    expect(outputs.filter((l) => /listKeys|secret|password|connectionString/i.test(l))).toEqual([]);
  });
});

describe('the web app settings and the server configuration', () => {
  /** What the deployment resolves each setting to, in shape (Key Vault references become secrets). */
  const deployedValue = (name: string): string => {
    const guid = '5f0c6a2e-3b1d-4c8e-9a7f-2d4b6c8e0a1f';
    const values: Record<string, string> = {
      NODE_ENV: 'production',
      AUTH_MODE: 'entra',
      PUBLIC_BASE_URL: 'https://app-switchboard.azurewebsites.net',
      AUTH_AUTHORITY: 'https://login.microsoftonline.com',
      AUTH_AUDIENCES: `api://app-switchboard.azurewebsites.net/${guid}`,
      STORAGE_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=stswitchboard;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net',
      CREDENTIALS_KEYS: 'ab'.repeat(32),
      BOT_TYPE: 'SingleTenant',
      BOT_PASSWORD: 'secret',
      GRAPH_CLIENT_SECRET: 'secret',
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
    };
    return values[name] ?? (/(_ID|_IDS)$/.test(name) ? guid : 'x');
  };

  it('gives the server everything it needs to start in production', () => {
    const env = Object.fromEntries(azureAppSettings().map((name) => [name, deployedValue(name)]));
    // Settings App Service itself reads, not the server.
    for (const platform of ['WEBSITE_RUN_FROM_PACKAGE', 'SCM_DO_BUILD_DURING_DEPLOYMENT', 'APPLICATIONINSIGHTS_CONNECTION_STRING']) delete env[platform];
    const config = loadConfig({ ...env, PORT: '8080' });
    expect(config.auth.mode).toBe('entra');
    expect(config.graph.mode).toBe('graph');
    expect('connectionString' in config.storage).toBe(true);
  });
});
